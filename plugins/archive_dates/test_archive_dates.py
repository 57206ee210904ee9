"""The dates plugin alone: year and month archives in one pass."""

from __future__ import annotations

from pathlib import Path

TEST_DATA = Path(__file__).resolve().parent / "test_data"
SETTINGS = {"ARCHIVE_YEAR_URL": "{date:%Y}/", "ARCHIVE_YEAR_SAVE_AS": "{date:%Y}/index.html",
            "ARCHIVE_MONTH_URL": "{date:%Y}/{date:%m}/", "ARCHIVE_MONTH_SAVE_AS": "{date:%Y}/{date:%m}/index.html",
            "YEAR_ARCHIVE_SAVE_AS": "", "MONTH_ARCHIVE_SAVE_AS": "", "PERIOD_PAGE_SIZE": 1}


def _page(out: Path, path: str) -> str:
    """The page without its neighbour periods (tested on their own)."""
    return (out / path).read_text(encoding="utf-8").strip().rsplit("|", 2)[0]


def test_each_period_links_the_one_before_and_after(tmp_path, build_tiny_site):
    out = build_tiny_site(TEST_DATA / "content", tmp_path / "out", ["plugins.archive_dates"],
                          TEST_DATA / "theme", **SETTINGS)
    def around(path):
        return (out / path).read_text(encoding="utf-8").strip().rsplit("|", 2)[1:]
    assert around("2023/index.html") == ["", "2024/ 2024年"]
    assert around("2024/index.html") == ["2023/ 2023年", ""]
    assert around("2023/12/index.html") == ["", "2024/01/ 2024年1月"]
    assert around("2024/01/index.html") == ["2023/12/ 2023年12月", "2024/02/ 2024年2月"]
    assert around("2024/01/page/1/index.html") == ["2023/12/ 2023年12月", "2024/02/ 2024年2月"]
    assert around("2024/02/index.html") == ["2024/01/ 2024年1月", ""]


def test_year_and_month_pages_hold_their_articles_newest_first(tmp_path, build_tiny_site):
    out = build_tiny_site(TEST_DATA / "content", tmp_path / "out", ["plugins.archive_dates"],
                          TEST_DATA / "theme", **SETTINGS)
    assert _page(out, "2023/index.html") == "2023|1|1230;|front<None>None"
    assert _page(out, "2024/02/index.html") == "2024-2|1|0211;|front<None>None"
    # stable pages of one article each: the front page holds the newest two,
    # pages are numbered from the oldest
    assert _page(out, "2024/01/index.html") == "2024-1|3|0129;0117;|front<2024/01/page/1/>None"
    assert _page(out, "2024/01/page/1/index.html") == "2024-1|3|0103;|1<None>2024/01/"
    assert _page(out, "2024/index.html") == "2024|4|0211;0129;|front<2024/page/2/>None"
    assert _page(out, "2024/page/2/index.html") == "2024|4|0117;|2<2024/page/1/>2024/"
    assert _page(out, "2024/page/1/index.html") == "2024|4|0103;|1<None>2024/page/2/"
