"""Bad content fails the build, names the file, and leaves the old output."""

from __future__ import annotations

import io

import pytest
from PIL import Image

import plugins.forked as forked
from plugins.archive_writer import ArchiveWriter
from sitebuild.build import build_site
from tests.helpers import sitemap_entries, tree_digest
from yingkou_archive.content_check import check_content
from yingkou_archive.errors import ContentError

GOOD = """Title: 一篇正常的文章
Date: 2024-03-05
Topic: 营商环境
District: 站前区

本报讯 这是一篇正常的文章。
"""


def _article(title="Title: 坏文章标题\n", date="Date: 2024-03-05\n",
             topic="Topic: 营商环境\n", district="District: 站前区\n", body="\n正文。\n"):
    return f"{title}{date}{topic}{district}{body}"


CASES = {
    "missing_title": (_article(title=""), ["缺少 Title"]),
    "empty_title": (_article(title="Title:   \n"), ["Title（标题）为空"]),
    "missing_date": (_article(date=""), ["缺少 Date"]),
    "invalid_date": (_article(date="Date: 2023-13-45\n"), ["2023-13-45", "月份"]),
    "bad_day": (_article(date="Date: 2023-02-30\n"), ["2023-02-30", "没有 30 日"]),
    "missing_topic": (_article(topic=""), ["缺少 Topic", "营商环境、生态环境"]),
    "unknown_topic": (_article(topic="Topic: 营商环镜\n"),
                      ["未知专题“营商环镜”", "是不是“营商环境”", "项目建设、营商环境"]),
    "missing_district": (_article(district=""), ["缺少 District", "鲅鱼圈区"]),
    "unknown_district": (_article(district="District: 鲅鱼区\n"),
                         ["未知地区“鲅鱼区”", "鲅鱼圈区"]),
    "empty_file": ("", ["文件为空"]),
    "blank_file": ("  \n\n \n", ["文件为空"]),
    # Pelican's own metadata that decides URLs, files and templates
    "url_field": (_article(title="Title: 标题\nUrl: javascript:alert(1)\n"), ["不允许 Url 字段"]),
    "save_as_field": (_article(title="Title: 标题\nSave_as: index.html\n"), ["不允许 Save_as 字段"]),
    "template_field": (_article(title="Title: 标题\nTemplate: redirect\n"), ["不允许 Template 字段"]),
    "lang_field": (_article(title="Title: 标题\nLang: en\n"), ["不允许 Lang 字段"]),
    "translation_field": (_article(title="Title: 标题\nTranslation: true\n"), ["不允许 Translation"]),
    "path_field": (_article(title="Title: 标题\nPath: ../..\n"), ["不允许 Path 字段"]),
    "unknown_field": (_article(title="Title: 标题\nIssue: x\n"), ["未知字段 Issue", "Subtitle"]),
    "bad_status": (_article(title="Title: 标题\nStatus: hidden\n"), ["Status“hidden”无效", "draft"]),
    "bad_modified": (_article(title="Title: 标题\nModified: bad\n"), ["Modified", "“bad”格式不对"]),
    "empty_summary": (_article(title="Title: 标题\nSummary: \n"), ["Summary 为空"]),
    "repeated_title": (_article(title="Title: 一个标题\nTitle: 另一个标题\n"), ["Title 写了不止一次"]),
    "control_in_title": (_article(title="Title: 坏\x07标题\n"), ["Title 字段含控制字符 U+0007"]),
    "control_in_body": (_article(body="\n第一段。\n\n正文\x01。\n"), ["正文第 3 行含控制字符 U+0001"]),
    "year_0001": (_article(date="Date: 0001-01-01\n"), ["“0001-01-01”无效", "1000"]),
    # text the sanitizer would drop
    "script_in_text": (_article(body="\n第一段讲 <script> 标签，后面的文字。\n\n第二段。\n"),
                       ["会被当作不安全的 HTML 删掉", "标签，后面的文字"]),
    "script_in_title": (_article(title="Title: 关于<script>标签的说明\n"), ["Title 中“标签的说明"]),
    "script_in_summary": (_article(title="Title: 标题\nSummary: 介绍<style>样式表的用法\n"),
                          ["Summary 中“样式表的用法"]),
    # what `invoke new` leaves for the editor
    "placeholder_body": (_article(body="\n本报讯 （在这里写正文。）\n"), ["正文还是占位文字"]),
    "empty_body": (_article(body="\n\n"), ["正文为空"]),
    # references that leave content/ or the site
    "static_outside": (_article(body="\n![x]({static}/images/../../../etc/passwd)\n"),
                       ["不在内容目录里", "{static}/images/../../../etc/passwd"]),
    "static_not_an_image": (_article(body="\n[词表]({static}/taxonomy.yml)\n"),
                            ["只能引用 content/images/", "taxonomy.yml"]),
    "filename_to_image": (_article(body="\n[图]({filename}/images/2023/port-cranes.png)\n"),
                          ["{filename} 只能引用文章或页面"]),
    "tag_link": (_article(body="\n[标签]({tag}港口)\n"), ["站内没有 {tag} 页面"]),
    "agency_without_a_slug": (_article(title="Title: 标题\nAgency: {\n"), ["部门“{”无法生成网址"]),
    "dead_site_link": (_article(body="\n[旧文](/2024/99/nothing/)\n"), ["站内链接 /2024/99/nothing/ 指向的页面不存在"]),
    "dead_relative_link": (_article(body="\n[上一篇](../gone/)\n"), ["站内链接 /2024/03/gone/ 指向的页面不存在"]),
    "alias_in_the_theme": (_article(title="Title: 标题\nAliases: theme/js/search.js\n"),
                           ["旧网址 /theme/js/search.js/ 落在站点自己的文件里"]),
    "alias_under_an_image": (_article(title="Title: 标题\nAliases: images/2023/port-cranes.png\n"),
                             ["旧网址 /images/2023/port-cranes.png/ 落在站点自己的文件里"]),
    "alias_over_the_search_page": (_article(title="Title: 标题\nAliases: search/\n"),
                                   ["旧网址 /search/ 仍是一个现有页面"]),
    "external_image": (_article(body="\n![外站图](https://example.com/a.png)\n"), ["图片必须是站内文件"]),
}


@pytest.fixture()
def built(content_copy, tmp_path):
    output = tmp_path / "output"
    build_site(content_copy, output, search=False)
    return content_copy, output, tree_digest(output)


def _write_every_bad_file(content) -> dict[str, list[str]]:
    """Every bad case at once; file name -> fragments its message must hold."""
    folder = content / "articles" / "2024" / "03"
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for case, (text, fragments) in CASES.items():
        name = f"bad-{case.replace('_', '-')}.md"
        (folder / name).write_text(text, encoding="utf-8")
        expected[name] = fragments
    (folder / "gbk-saved.md").write_bytes(GOOD.encode("gbk"))
    expected["gbk-saved.md"] = ["不是有效的 UTF-8", "GBK"]
    (folder / "no-photo.md").write_text(GOOD + "\n![说明]({static}/images/2024/nowhere.png)\n",
                                        encoding="utf-8")
    expected["no-photo.md"] = ["images/2024/nowhere.png"]
    for name in ("first.md", "second.md"):
        (folder / name).write_text(GOOD.replace("Topic:", "Slug: same-slug\nTopic:"), encoding="utf-8")
        expected[name] = ["2024/03/same-slug/", "first.md" if name == "second.md" else "second.md"]
    for name in ("alias-a.md", "alias-b.md"):
        (folder / name).write_text(GOOD.replace("Topic:", f"Slug: {name[:-3]}\nAliases: 2020/01/old/\nTopic:"),
                                   encoding="utf-8")
    expected["alias-b.md"] = ["旧网址 /2020/01/old/ 同时指向 /2024/03/alias-a/ 和 /2024/03/alias-b/"]
    (folder / "alias-live.md").write_text(
        GOOD.replace("Topic:", "Aliases: 2023/04/2023-04-07-eco-pact/\nTopic:"), encoding="utf-8")
    expected["alias-live.md"] = ["旧网址 /2023/04/2023-04-07-eco-pact/ 仍是一个现有页面"]
    expected.update(_write_bad_files_beside_articles(content))
    expected.update(_write_bad_issue_files(content))
    return expected


ARTICLE = "articles/2023/04/2023-04-07-eco-pact.md"
IMAGE = "images/2024/roro-ship.png"  # 640 x 400
BAD_ISSUES = {
    "2024-03-01-unknown.yml": ("pages:\n- label: 第01版\n  articles:\n  - file: articles/2024/03/nowhere.md\n",
                               ["articles/2024/03/nowhere.md 不是一篇文章"]),
    "2024-03-02-outside.yml": (f"pages:\n- label: 第01版\n  image: {IMAGE}\n  articles:\n  - file: {ARTICLE}\n"
                               "    region: [10, 10, 700, 100]\n", ["region 超出了版面图（640×400 像素）"]),
    "2024-03-03-noimage.yml": ("pages:\n- label: 第01版\n  image: images/issues/nowhere.png\n  articles: []\n",
                               ["image 文件 images/issues/nowhere.png 不存在"]),
    "2024-03-04-nopdf.yml": ("pages:\n- label: 第01版\n  pdf: files/issues/nowhere.pdf\n",
                             ["pdf 文件 files/issues/nowhere.pdf 不存在"]),
    "2024-03-05-twice.yml": ("pages:\n- label: 第01版\n- label: 第01版\n", ["两个版面的 label 都是“第01版”"]),
    "2024-03-06-yaml.yml": ("pages: [\n", ["YAML 格式错误"]),
    "2024-03-07-date.yml": ("pages:\n- label: 第01版\n", ["与文件名的日期 2024-03-07 不一致"]),
    "2024-03-08-region.yml": (f"pages:\n- label: 第01版\n  articles:\n  - file: {ARTICLE}\n"
                              "    region: [1, 1, 5, 5]\n", ["有 region，但这一版没有 image"]),
}


def _write_bad_issue_files(content) -> dict[str, list[str]]:
    """Issue files (yingkou_archive/issues.py), each refused naming it."""
    folder = content / "issues" / "2024"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (pages, _) in BAD_ISSUES.items():
        date = "2024-03-08" if name == "2024-03-07-date.yml" else name[:10]
        text = pages if name.endswith("yaml.yml") else f"date: {date}\nsource: 营口日报\n{pages}"
        (folder / name).write_text(text, encoding="utf-8")
    return {name: fragments for name, (_, fragments) in BAD_ISSUES.items()}


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _write_bad_files_beside_articles(content) -> dict[str, list[str]]:
    """Static files and links, each refused naming it."""
    images = content / "images" / "2024"
    images.mkdir(parents=True, exist_ok=True)
    (images / "passwd.png").symlink_to("/etc/passwd")
    outside = content.parent / "outside"
    (outside / "2024" / "03").mkdir(parents=True)
    (outside / "2024" / "03" / "from-outside.md").write_text(GOOD, encoding="utf-8")
    (content / "articles" / "linked").symlink_to(outside, target_is_directory=True)
    (images / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
                                     "</script></svg>", encoding="utf-8")
    (images / "page.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (images / "fake.png").write_text("<html><script>alert(1)</script>", encoding="utf-8")
    (images / "really-png.jpg").write_bytes(png_bytes())
    return {"passwd.png": ["符号链接", "/etc/passwd"], "linked": ["符号链接"],
            "logo.svg": ["SVG"], "page.html": ["不是允许发布的图片类型（.html）"],
            "fake.png": ["无法作为 PNG 图片打开"], "really-png.jpg": ["内容却是 PNG"]}


@pytest.mark.parametrize("checked_in", ["the build", "a child process"])
def test_the_build_refuses_exactly_what_check_refuses_and_keeps_the_output(built, monkeypatch, checked_in):
    """One build with every bad file (the messages themselves are checked
    case by case on the fast check path, tests/test_editor_workflow.py).
    A large archive is checked in a child process while the pages are
    queued (plugins/archive_content): the same problems, and no page is
    rendered before they are known."""
    content, output, before = built
    rendered = []
    if checked_in == "a child process":
        monkeypatch.setattr(forked, "FORK_MIN_ARTICLES", 1)
        render = ArchiveWriter._render
        monkeypatch.setattr(ArchiveWriter, "_render", lambda self, jobs: rendered.append(jobs) or render(self, jobs))
    expected = _write_every_bad_file(content)
    checked = {str(p) for p in check_content(content).problems}
    with pytest.raises(ContentError) as failure:
        build_site(content, output, search=False)
    assert {str(p) for p in failure.value.problems} == checked
    assert rendered == []
    message = str(failure.value)
    for name, fragments in expected.items():
        mine = [line for line in message.splitlines() if name in line]
        assert mine, name
        for fragment in fragments:
            assert any(fragment in line for line in mine), (name, fragment, mine)
    assert tree_digest(output) == before
    assert not list(output.parent.glob(".output.build-*")), "temporary output left behind"


def test_all_problems_reported_together(built):
    content, output, before = built
    for name, (text, _) in (("a.md", CASES["missing_title"]), ("b.md", CASES["invalid_date"])):
        (content / "articles" / "2024" / "03").mkdir(parents=True, exist_ok=True)
        (content / "articles" / "2024" / "03" / name).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        build_site(content, output, search=False)
    assert len(failure.value.problems) == 2


def test_unlisted_agency_is_a_warning_and_gets_a_page(content_copy, tmp_path):
    path = content_copy / "articles" / "2024" / "03" / "new-agency.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GOOD.replace("District: 站前区", "District: 站前区\nAgency: 营口市海洋渔业新局"),
                    encoding="utf-8")
    result = build_site(content_copy, tmp_path / "out", search=False)
    assert any("new-agency.md" in w and "营口市海洋渔业新局" in w for w in result.warnings)
    page = tmp_path / "out" / "agencies" / "ying-kou-shi-hai-yang-yu-ye-xin-ju" / "index.html"
    assert "营口市海洋渔业新局" in page.read_text(encoding="utf-8")


def test_chinese_list_separators(content_copy, tmp_path):
    path = content_copy / "articles" / "2024" / "03" / "separators.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GOOD.replace("Topic: 营商环境", "Topic: 营商环境、生态环境；港口物流")
                    .replace("District: 站前区", "District: 站前区，鲅鱼圈"), encoding="utf-8")
    build_site(content_copy, tmp_path / "out", search=False)
    html = (tmp_path / "out" / "2024" / "03" / "separators" / "index.html").read_text("utf-8")
    for slug in ("yingshang-huanjing", "shengtai-huanjing", "gangkou-wuliu"):
        assert f"topics/{slug}/" in html
    for slug in ("zhanqian", "bayuquan"):
        assert f"districts/{slug}/" in html


def test_good_build_after_a_failed_one_is_complete(built):
    content, output, before = built
    bad = content / "articles" / "2024" / "03" / "bad.md"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text(CASES["missing_title"][0], encoding="utf-8")
    with pytest.raises(ContentError):
        build_site(content, output, search=False)
    bad.write_text(GOOD, encoding="utf-8")
    build_site(content, output, search=False)
    after = tree_digest(output)
    assert "2024/03/bad/index.html" in after
    assert set(before) - set(after) == set()
    assert any(loc.endswith("/2024/03/bad/") for loc in sitemap_entries(output))


def test_image_deleted_after_a_cached_build_fails(built):
    """The reader cache skips re-reading an unchanged article; a deleted
    image it links must still fail the build."""
    content, output, before = built
    image = next((content / "images").rglob("*.png"))
    image.unlink()
    with pytest.raises(Exception) as failure:
        build_site(content, output, search=False)
    assert image.name in str(failure.value)
    assert tree_digest(output) == before
