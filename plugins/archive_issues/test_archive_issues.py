"""The issues plugin (with the images plugin for page images): page views,
days and the calendar from issue files and the articles' fields."""

from __future__ import annotations

from pathlib import Path

import pytest

TEST_DATA = Path(__file__).resolve().parent / "test_data"
SETTINGS = {"ARTICLE_URL": "{slug}/", "ARTICLE_SAVE_AS": "{slug}/index.html", "STATIC_PATHS": ["images"],
            "RELATIVE_URLS": False, "SITEURL": ""}
PLUGINS = ["plugins.archive_issues", "plugins.archive_images"]


@pytest.fixture()
def out(tmp_path, build_tiny_site) -> Path:
    return build_tiny_site(TEST_DATA / "content", tmp_path / "out", PLUGINS, TEST_DATA / "theme", **SETTINGS)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").strip().split("\n")


def test_articles_of_one_page_are_listed_in_page_order(out):
    front = _lines(out / "issues/2024/09/10/ykrb-p01/index.html")[0]
    assert front == "营口日报 2024年9月10日 第01版|1:市委常委会召开会议;2:头版导读;"
    # another paper on the same day has its own page; an article without Page has none
    assert (out / "issues/2024/09/10/ykwb-p01/index.html").is_file()


def test_an_issue_file_gives_order_regions_image_and_pdf(out):
    title, nav, regions = _lines(out / "issues/2024/09/12/ykrb-p01/index.html")
    assert title == "营口日报 2024年9月12日 第01版|1:招聘会举行;2:港口新航线开通;"
    heading, previous, following, previous_issue, next_issue, pdf = nav.split("|")
    assert heading == "第1版 · 要闻" and previous == "" and following == "issues/2024/09/12/ykrb-p02/"
    assert previous_issue == "issues/2024/09/10/ykrb-p01/" and next_issue == "" and pdf == "files/issues/p01.pdf"
    shapes, srcset = regions.split("|")
    assert shapes == "招聘会举行=10,10 190,10 190,100 10,100;港口新航线开通=10,110 190,110 190,270 10,270;"
    assert "320w" in srcset and "400w" in srcset  # never wider than the image
    for entry in srcset.split(", "):
        assert (out / entry.split(" ")[0].lstrip("/")).is_file()
    assert (out / "files/issues/p01.pdf").read_bytes().startswith(b"%PDF-")
    # a page the issue file lists keeps its order; an article naming it by its fields comes after
    second = _lines(out / "issues/2024/09/12/ykrb-p02/index.html")
    assert second[0] == "营口日报 2024年9月12日 第02版|1:二版头条;2:只有字段的二版稿件;"
    assert second[1].split("|")[:3] == ["第2版 · 经济", "issues/2024/09/12/ykrb-p01/", ""]
    # the older issue of the same paper links forward to this one
    assert _lines(out / "issues/2024/09/10/ykrb-p05/index.html")[1].split("|")[4] == "issues/2024/09/12/ykrb-p01/"


def test_each_article_knows_its_page_region_and_neighbours_there(out):
    pages = {line.split("|")[0]: line for p in out.glob("*/index.html") for line in _lines(p)}
    assert pages["头版导读"].startswith("头版导读|issues/2024/09/10/ykrb-p01/#2|市委常委会召开会议||")
    assert pages["西炮台遗址完成修缮"].startswith("西炮台遗址完成修缮|issues/2024/09/10/ykrb-p05/#1|")
    assert pages["招聘会举行"] == ("招聘会举行|issues/2024/09/12/ykrb-p01/#1||港口新航线开通|"
                                  "[(10, 10), (190, 10), (190, 100), (10, 100)]")
    assert pages["没有版面信息的网稿"] == "没有版面信息的网稿||||"


def test_days_and_the_calendar(out):
    day = _lines(out / "issues/2024/09/10/index.html")[0]
    assert day == ("2024年9月10日 星期二|issues/2024/09/10/ykrb-p01/;issues/2024/09/10/ykrb-p05/;"
                   "issues/2024/09/10/ykwb-p01/;||issues/2024/09/12/")
    assert _lines(out / "issues/2024/09/12/index.html")[0].endswith("|issues/2024/09/10/|")
    assert not (out / "issues/2024/09/11").exists()  # no paper that day
    calendar = "2024|None|None|9:10>issues/2024/09/10/,12>issues/2024/09/12/,;"
    assert _lines(out / "issues/2024/index.html")[0] == f"issues/2024/|{calendar}"
    assert _lines(out / "issues/index.html")[0] == f"issues/|{calendar}"
