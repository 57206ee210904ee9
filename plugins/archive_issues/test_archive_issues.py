"""The issues plugin alone: one page per printed page of a paper."""

from __future__ import annotations

from pathlib import Path

TEST_DATA = Path(__file__).resolve().parent / "test_data"
SETTINGS = {"ARTICLE_URL": "{slug}/", "ARTICLE_SAVE_AS": "{slug}/index.html"}


def test_articles_of_one_page_are_listed_in_page_order(tmp_path, build_tiny_site):
    out = build_tiny_site(TEST_DATA / "content", tmp_path / "out", ["plugins.archive_issues"],
                          TEST_DATA / "theme", **SETTINGS)
    front = (out / "issues/2024/09/10/ykrb-p01/index.html").read_text(encoding="utf-8").strip()
    assert front == "营口日报 2024年9月10日 第01版|1:市委常委会召开会议;2:头版导读;"
    # another paper on the same day has its own page; an article without Page has none
    assert (out / "issues/2024/09/10/ykwb-p01/index.html").is_file()
    listing = (out / "issues/index.html").read_text(encoding="utf-8").strip().split(";")
    assert listing[:-1] == sorted(listing[:-1], reverse=True) and len(listing[:-1]) == 3


def test_each_article_links_back_to_its_page(tmp_path, build_tiny_site):
    out = build_tiny_site(TEST_DATA / "content", tmp_path / "out", ["plugins.archive_issues"],
                          TEST_DATA / "theme", **SETTINGS)
    pages = {p.read_text(encoding="utf-8").split("|")[0]: p.read_text(encoding="utf-8").strip()
             for p in out.glob("*/index.html")}
    assert pages["头版导读"].endswith("|issues/2024/09/10/ykrb-p01/#2")
    assert pages["西炮台遗址完成修缮"].endswith("|issues/2024/09/10/ykrb-p05/#1")
    assert pages["没有版面信息的网稿"].endswith("|")
