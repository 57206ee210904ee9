"""The dates plugin alone: year and month archives in one pass."""

from __future__ import annotations

from pathlib import Path

TEST_DATA = Path(__file__).resolve().parent / "test_data"
SETTINGS = {"ARCHIVE_YEAR_URL": "{date:%Y}/", "ARCHIVE_YEAR_SAVE_AS": "{date:%Y}/index.html",
            "ARCHIVE_MONTH_URL": "{date:%Y}/{date:%m}/", "ARCHIVE_MONTH_SAVE_AS": "{date:%Y}/{date:%m}/index.html",
            "YEAR_ARCHIVE_SAVE_AS": "", "MONTH_ARCHIVE_SAVE_AS": "",
            "PAGINATED_TEMPLATES": {"index": None, "tag": None, "category": None, "author": None,
                                    "period_archives": 2},
            "PAGINATION_PATTERNS": ((1, "{url}", "{save_as}"),
                                    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"))}


def _page(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8").strip()


def test_year_and_month_pages_hold_their_articles_newest_first(tmp_path, build_tiny_site):
    out = build_tiny_site(TEST_DATA / "content", tmp_path / "out", ["plugins.archive_dates"],
                          TEST_DATA / "theme", **SETTINGS)
    assert _page(out, "2023/index.html") == "2023|1|1230;|1/1"
    assert _page(out, "2024/02/index.html") == "2024-2|1|0211;|1/1"
    # Pelican's paginator applies: 2 per page here
    assert _page(out, "2024/01/index.html") == "2024-1|3|0129;0117;|1/2"
    assert _page(out, "2024/01/page/2/index.html").endswith("|0103;|2/2")
    assert _page(out, "2024/index.html").startswith("2024|4|0211;0129;|1/2")
