"""Issue files on the fast check path: what a region may be, and text from
an issue file reaching a page only as text."""

from __future__ import annotations

import pytest

from sitebuild.build import build_site
from yingkou_archive.content_check import check_content

ARTICLE = "articles/2023/04/2023-04-07-eco-pact.md"
IMAGE = "images/2024/roro-ship.png"  # 640 x 400


def _issue(content, region: str, name: str = "要闻", extra: str = "") -> None:
    folder = content / "issues" / "2023"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2023-04-07-ykrb.yml").write_text(
        f"date: 2023-04-07\nsource: 营口日报\npages:\n- label: 第01版\n  name: '{name}'\n  image: {IMAGE}\n"
        f"  articles:\n  - file: {ARTICLE}\n    region: {region}\n{extra}", encoding="utf-8")


@pytest.mark.parametrize("region", ["[0, 0, 640, 400]", "[[0, 0], [640, 0], [320, 400]]", "[10.5, 20, 30.25, 40]"])
def test_regions_inside_the_image_pass(content_copy, region):
    _issue(content_copy, region)
    assert check_content(content_copy).ok, check_content(content_copy).problems


@pytest.mark.parametrize(("region", "fragment"), [
    ("[30, 10, 20, 40]", "region 格式不对"),               # x1 > x2
    ("[[0, 0], [10, 10]]", "region 格式不对"),            # two points are no polygon
    ("[true, 0, 10, 10]", "region 格式不对"),             # YAML booleans are not numbers
    ("[0, 0, 10]", "region 格式不对"),
    ("'0,0,10,10'", "region 格式不对"),                   # the <area coords> text, not a list
    ("[-1, 0, 10, 10]", "超出了版面图（640×400 像素）"),
    ("[[0, 0], [641, 0], [0, 10]]", "超出了版面图"),
])
def test_bad_regions_are_named(content_copy, region, fragment):
    _issue(content_copy, region)
    problems = [str(p) for p in check_content(content_copy).problems]
    assert len(problems) == 1 and "issues/2023/2023-04-07-ykrb.yml" in problems[0] and fragment in problems[0]


def test_an_article_on_two_pages_is_named(content_copy):
    _issue(content_copy, "[0, 0, 10, 10]", extra=f"- label: 第02版\n  articles:\n  - file: {ARTICLE}\n")
    problems = [str(p) for p in check_content(content_copy).problems]
    assert problems == [f"content/issues/2023/2023-04-07-ykrb.yml: {ARTICLE} 在版面“第01版”和版面“第02版”都出现了"]


def test_a_second_file_for_one_paper_and_day_is_named(content_copy):
    _issue(content_copy, "[0, 0, 10, 10]")
    (content_copy / "issues" / "2023" / "2023-04-07-ykrb-copy.yml").write_text(
        "date: 2023-04-07\nsource: 营口日报\npages:\n- label: 第03版\n", encoding="utf-8")
    problems = [str(p) for p in check_content(content_copy).problems]
    assert problems == ["content/issues/2023/2023-04-07-ykrb.yml: 与 content/issues/2023/2023-04-07-ykrb-copy.yml "
                        "是同一天同一份报纸（营口日报）"]


def test_text_from_an_issue_file_is_escaped(content_copy, tmp_path):
    _issue(content_copy, "[0, 0, 10, 10]", name="<script>alert(1)</script>")
    out = tmp_path / "out"
    build_site(content_copy, out, search=False)
    html = (out / "issues/2023/04/07/ykrb-p01/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
