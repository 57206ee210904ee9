"""The photos plugin (with the images plugin it uses): body photos get
srcset/sizes/width/height, the first photo is the share image."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

TEST_DATA = Path(__file__).resolve().parent / "test_data"
SETTINGS = {"ARTICLE_URL": "{slug}/", "ARTICLE_SAVE_AS": "{slug}/index.html", "STATIC_PATHS": ["images"],
            "RELATIVE_URLS": True, "SITE_ABSOLUTE_URL": "https://news.example.org"}
PLUGINS = ["plugins.archive_images", "plugins.archive_photos"]


def test_body_photos_and_share_image(tmp_path, build_tiny_site):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "images").mkdir()
    Image.new("RGB", (1600, 800), (200, 40, 40)).save(content / "images" / "wide.png")
    (content / "articles" / "a.md").write_text(
        "Title: 一篇\nSlug: a\nDate: 2024-06-01\n\n正文。\n\n![港口]({static}/images/wide.png)\n",
        encoding="utf-8")
    (content / "articles" / "b.md").write_text("Title: 没有照片\nSlug: b\nDate: 2024-06-02\n\n正文。\n",
                                               encoding="utf-8")
    out = build_tiny_site(content, tmp_path / "out", PLUGINS, TEST_DATA / "theme", **SETTINGS)
    share, body = (out / "a" / "index.html").read_text(encoding="utf-8").split("\n", 1)
    assert share.startswith("https://news.example.org/derived/images/wide-1280w-") and share.endswith("|1280")
    assert 'srcset="../derived/images/wide-320w-' in body and 'width="1280" height="640"' in body
    assert "sizes=" in body and 'loading="eager"' in body
    assert (out / "b" / "index.html").read_text(encoding="utf-8").startswith("none|")
