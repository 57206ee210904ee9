"""The images plugin alone: derivatives written once, reused, named by content."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

import yingkou_archive.images as images
from yingkou_archive.images import ImageError

TEST_DATA = Path(__file__).resolve().parent / "test_data"
SETTINGS = {"ARTICLE_URL": "{slug}/", "ARTICLE_SAVE_AS": "{slug}/index.html", "STATIC_PATHS": ["images"],
            "RELATIVE_URLS": True}
PLUGINS = ["plugins.archive_images"]


@pytest.fixture()
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    (root / "articles").mkdir(parents=True)
    (root / "images").mkdir()
    (root / "articles" / "a.md").write_text("Title: 一篇\nSlug: a\nDate: 2024-06-01\n\n正文。\n", encoding="utf-8")
    Image.new("RGB", (1600, 800), (200, 40, 40)).save(root / "images" / "wide.png")
    Image.new("RGB", (500, 300), (30, 90, 160)).save(root / "images" / "photo.jpg", quality=90)
    return root


def _build(build_tiny_site, content, out):
    return build_tiny_site(content, out, PLUGINS, TEST_DATA / "theme", **SETTINGS)


def test_widths_sizes_and_srcset_never_upscale(content, tmp_path, build_tiny_site):
    out = _build(build_tiny_site, content, tmp_path / "out")
    wide, thumb = (out / "a/index.html").read_text(encoding="utf-8").strip().split("\n")
    src, srcset, size = wide.split("|")
    assert size == "1280x640" and src.startswith("../derived/images/wide-1280w-") and src.endswith(".png")
    assert [entry.rsplit(" ", 1)[1] for entry in srcset.split(", ")] == ["320w", "640w", "1280w"]
    for entry in srcset.split(", "):
        path, width = entry.rsplit(" ", 1)
        with Image.open(out / "a" / path) as image:
            assert image.width == int(width[:-1]) and image.height * 2 == image.width
    src, srcset, size, source_width = thumb.split("|")
    # 500 px wide: 320 and its own width, no 640 or 1280; max_width=320 picks 320
    assert size == "320x192" and source_width == "500" and src.endswith(".jpg") and "320w" in srcset
    photo = images.plan(content, "images/photo.jpg")
    assert [d.width for d in photo.derivatives] == [320, 500]
    assert photo.attributes("", None)["src"] == photo.derivatives[-1].path


def test_a_second_build_reuses_the_files_and_an_edit_renames(content, tmp_path, build_tiny_site, monkeypatch):
    out = _build(build_tiny_site, content, tmp_path / "out")
    made = {p.relative_to(out): p.stat().st_ino for p in (out / "derived").rglob("*") if p.is_file()}
    assert len(made) == 5
    calls = []
    real = images.render
    import plugins.archive_images as plugin

    monkeypatch.setattr(plugin, "render", lambda *a: calls.append(a) or real(*a))
    monkeypatch.setattr(plugin, "PARALLEL_MIN", 10_000)  # count the calls in this process
    _build(build_tiny_site, content, out)
    assert calls == []
    assert {p.relative_to(out): p.stat().st_ino for p in (out / "derived").rglob("*") if p.is_file()} == made
    Image.new("RGB", (1600, 800), (10, 120, 40)).save(content / "images" / "wide.png")
    _build(build_tiny_site, content, out)
    assert sorted(d.width for _c, d in calls) == [320, 640, 1280], calls  # the edited image only
    page = (out / "a/index.html").read_text(encoding="utf-8")
    assert all(str(p) not in page for p in made if "wide" in str(p))


def test_same_source_same_bytes(content, tmp_path):
    photo = images.plan(content, "images/photo.jpg")
    assert images.render(content, photo.derivatives[0]) == images.render(content, photo.derivatives[0])


def test_unknown_or_broken_images_are_named(content):
    (content / "images" / "broken.png").write_bytes(b"not an image")
    with pytest.raises(ImageError, match="images/broken.png"):
        images.plan(content, "images/broken.png")
    import plugins.archive_images as plugin

    with pytest.raises(ImageError, match="images/nowhere.png"):
        plugin.image_set("images/nowhere.png")


def test_transparency_is_kept_only_where_the_source_has_it(content):
    Image.new("RGBA", (400, 200), (0, 0, 0, 0)).save(content / "images" / "logo.png")
    Image.new("RGB", (400, 200), (9, 9, 9)).quantize(colors=4).save(content / "images" / "drawn.png")
    for name, mode in (("logo.png", "RGBA"), ("drawn.png", "RGB")):
        plan = images.plan(content, f"images/{name}")
        with Image.open(io.BytesIO(images.render(content, plan.derivatives[0]))) as made:
            assert made.mode == mode and made.size == (320, 160)
