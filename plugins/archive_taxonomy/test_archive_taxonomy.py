"""The taxonomy plugin alone, on Pelican's own Markdown reader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from yingkou_archive.errors import ContentError

TEST_DATA = Path(__file__).resolve().parent / "test_data"
PLUGINS = ["plugins.archive_taxonomy"]


@pytest.fixture()
def content(tmp_path) -> Path:
    shutil.copytree(TEST_DATA / "content", tmp_path / "content")
    return tmp_path / "content"


def _page(output: Path, path: str) -> str:
    return (output / path).read_text(encoding="utf-8").strip()


def test_every_used_term_has_a_page_with_its_articles_newest_first(content, tmp_path, build_tiny_site):
    out = build_tiny_site(content, tmp_path / "out", PLUGINS, TEST_DATA / "theme")
    assert _page(out, "topics/xiangcun-zhenxing/index.html") == (
        "专题|乡村振兴|2|盖州冷链仓储为苹果外运提速;盖州果农试种矮化苹果;|")
    # an alias (鲅鱼圈) files the article under the canonical term
    assert _page(out, "districts/bayuquan/index.html").startswith("地区|鲅鱼圈区|1|")
    assert _page(out, "topics/index.html") == "港口物流=2;乡村振兴=2;"
    assert (out / "topics" / "gangkou-wuliu" / "atom.xml").is_file()


def test_agencies_get_pages_and_belong_to_their_district(content, tmp_path, build_tiny_site):
    out = build_tiny_site(content, tmp_path / "out", PLUGINS, TEST_DATA / "theme")
    assert _page(out, "agencies/gaizhou-nongye/index.html").startswith("部门|盖州市农业农村局|2|")
    # not in the vocabulary: still a page (pinyin slug), placed where its articles are
    unlisted = _page(out, "agencies/gai-zhou-shi-guo-ye-fu-wu-zhong-xin/index.html")
    assert unlisted.startswith("部门|盖州市果业服务中心|1|")
    district = _page(out, "districts/gaizhou/index.html")
    assert district.endswith("|盖州市农业农村局;盖州市果业服务中心;")


def test_related_articles_share_the_most_terms(content, tmp_path, build_tiny_site):
    out = build_tiny_site(content, tmp_path / "out", PLUGINS, TEST_DATA / "theme")
    pages = {p.read_text(encoding="utf-8").split("|")[0]: p.read_text(encoding="utf-8").strip()
             for p in out.glob("*.html")}
    # the orchard story shares 乡村振兴, 盖州市 and an agency with the cold chain one
    assert pages["盖州果农试种矮化苹果"].split("|")[1].startswith("盖州冷链仓储为苹果外运提速;")


def test_an_unknown_term_fails_naming_the_file(content, tmp_path, build_tiny_site):
    (content / "articles" / "typo.md").write_text(
        "Title: 一篇\nDate: 2024-05-01\nTopic: 港口物留\nDistrict: 盖州市\n\n正文。\n", encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        build_tiny_site(content, tmp_path / "out", PLUGINS, TEST_DATA / "theme")
    assert "typo.md" in str(failure.value) and "未知专题“港口物留”" in str(failure.value)


def test_a_build_that_only_adds_an_article_updates_the_related_lists(content, tmp_path, build_tiny_site,
                                                                     monkeypatch):
    """The second build reads the first one's lists from the cache and
    computes only the new article's (computing them all would fail here),
    giving the lists a clean build gives."""
    import yingkou_archive.related as related

    # enough articles that one new one is a small share (more is computed afresh)
    for day in range(1, 26):
        topic, district = ("乡村振兴", "盖州市") if day % 2 else ("港口物流", "鲅鱼圈区")
        (content / "articles" / f"day-{day}.md").write_text(
            f"Title: 第{day}天的消息\nDate: 2024-05-{day:02d}\nTopic: {topic}\nDistrict: {district}\n\n正文。\n",
            encoding="utf-8")
    build_tiny_site(content, tmp_path / "out", PLUGINS, TEST_DATA / "theme")
    (content / "articles" / "new.md").write_text(
        "Title: 盖州苹果冷链再扩容\nDate: 2024-06-20\nTopic: 乡村振兴\nDistrict: 盖州市\n\n正文。\n",
        encoding="utf-8")

    def computed_afresh(*args, **kwargs):
        raise AssertionError("every list computed again")

    with monkeypatch.context() as patch:
        patch.setattr(related, "related_indices", computed_afresh)
        updated = build_tiny_site(content, tmp_path / "out", PLUGINS, TEST_DATA / "theme")
    clean = build_tiny_site(content, tmp_path / "clean", PLUGINS, TEST_DATA / "theme")
    pages = sorted(p.name for p in clean.glob("*.html"))
    assert len(pages) >= 4
    assert [_page(updated, p) for p in pages] == [_page(clean, p) for p in pages]
