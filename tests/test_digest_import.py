"""Writing articles: validation, identity, idempotence, safety, the CLI."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from rich.console import Console

from tests.digest_support import FIXTURES, articles, body, copy_fixture, field, make_content
from yingkou_archive.article import read_article
from yingkou_archive.content_check import check_content
from yingkou_archive.digest.cli import run
from yingkou_archive.digest.importer import ImportOptions, import_paths
from yingkou_archive.vocabulary import load_vocabulary

SAMPLE = "yingkou-page-2024-06-18.txt"
EPAPER = "epaper-article-2024-06-18-08-02.html"


@pytest.fixture()
def content(tmp_path):
    return make_content(tmp_path)


def do_import(content, *paths, **options):
    return import_paths(paths, ImportOptions(content_dir=content, **options))


def cli(content, paths, **options):
    """Run the CLI; returns (exit code, printed text)."""
    console = Console(record=True, width=300, force_terminal=False)
    code = run(paths, content_dir=str(content), console=console, **options)
    return code, console.export_text()


# --- output ------------------------------------------------------------

def test_sample_writes_five_valid_articles_that_pass_the_site_check(content):
    report = do_import(content, FIXTURES / SAMPLE)
    assert report.ok and len(report.written) == 5
    files = articles(content)
    assert sorted(files) == [f"articles/2024/06/lnrb-ykzb-20240618-yingkou-page-0{i}.md" for i in range(1, 6)]
    vocabulary = load_vocabulary(content / "taxonomy.yml")
    for name, text in files.items():
        result = read_article(text.encode("utf-8"), name, vocabulary)
        assert result.problems == [], name
    check = check_content(content)
    assert check.ok and len(check.articles) == 5


def test_lead_article_fields_and_body(content):
    do_import(content, FIXTURES / SAMPLE)
    lead = articles(content)["articles/2024/06/lnrb-ykzb-20240618-yingkou-page-01.md"]
    assert field(lead, "Title") == "港城打造东北海陆大通道新枢纽"
    assert field(lead, "Subtitle") == "航线再加密 通关再提速 服务再升级"
    assert field(lead, "Date") == "2024-06-18"
    assert field(lead, "Authors") == "王晓东"
    assert field(lead, "Source") == "辽宁日报·营口专版"
    assert field(lead, "Page") == "yingkou-page-2024-06-18"
    assert field(lead, "Position") == "1"
    assert field(lead, "Slug") == "lnrb-ykzb-20240618-yingkou-page-01"
    assert field(lead, "Summary").startswith("入夏以来")
    assert field(lead, "Topic") == "港口物流"
    assert field(lead, "District").startswith("营口市")
    text = body(lead)
    assert "\n## 打通物流“主动脉”\n" in text
    assert ("<figure><figcaption>营口港集装箱码头夜景。 本报记者 王晓东 摄</figcaption></figure>"
            in text)
    assert "本版稿件" not in text and "KUAIXUN" not in text and "核心提示" not in text


def test_brief_has_authors_and_position(content):
    do_import(content, FIXTURES / SAMPLE)
    brief = articles(content)["articles/2024/06/lnrb-ykzb-20240618-yingkou-page-03.md"]
    assert field(brief, "Title") == "盖州市推进冷链物流园建设"
    assert field(brief, "District") == "盖州市"
    assert field(brief, "Agency") == "盖州市发展和改革局"
    assert field(brief, "Position") == "3" and field(brief, "Summary") is None
    assert body(brief).startswith("本报讯 日前，记者在盖州市发展和改革局获悉")


def test_epaper_photo_is_copied_and_referenced(tmp_path, content):
    page = copy_fixture("epaper-utf8-2024-05-20-03-01.html", tmp_path / "in")
    (tmp_path / "in" / "images").mkdir()
    shutil.copy(FIXTURES / "images" / "port-0520.jpg", tmp_path / "in" / "images")
    report = do_import(content, page)
    assert report.ok
    (text,) = articles(content).values()
    assert field(text, "Page") == "第03版" and field(text, "Position") == "1"
    assert field(text, "Kicker") == "港口物流提质增效再添新动能"
    assert field(text, "Subtitle") == "单程航行时间缩短至9天"
    assert "\n![首航船舶在鲅鱼圈港区集装箱码头装船。 本报记者 陈立新 摄]({static}/images/2024/port-0520.jpg)\n" in text
    assert "\n## 服务东北企业出海\n" in text
    copied = content / "images" / "2024" / "port-0520.jpg"
    assert copied.read_bytes() == (FIXTURES / "images" / "port-0520.jpg").read_bytes()
    assert check_content(content).ok


def test_a_different_photo_with_the_same_name_is_never_overwritten(tmp_path, content):
    page = copy_fixture("epaper-utf8-2024-05-20-03-01.html", tmp_path / "in")
    (tmp_path / "in" / "images").mkdir()
    shutil.copy(FIXTURES / "images" / "port-0520.jpg", tmp_path / "in" / "images")
    existing = content / "images" / "2024" / "port-0520.jpg"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"another photo")
    do_import(content, page)
    assert existing.read_bytes() == b"another photo"
    (text,) = articles(content).values()
    copies = [p for p in existing.parent.iterdir() if p.name != "port-0520.jpg"]
    assert len(copies) == 1 and copies[0].name.startswith("port-0520-")
    assert f"({{static}}/images/2024/{copies[0].name})" in text


def test_epaper_position_comes_from_the_file_name(content):
    do_import(content, FIXTURES / EPAPER)
    (text,) = articles(content).values()
    assert field(text, "Page") == "第08版" and field(text, "Position") == "2"
    assert field(text, "Slug") == "lnrb-ykzb-20240618-p08-02"
    assert field(text, "Kicker") == "冷链项目预计8月底投入使用"
    # the photo is not beside the page: the caption is kept without an image
    assert "<figure><figcaption>盖州市冷链物流园一期工程建设现场。 本报记者 王晓东 摄</figcaption></figure>" in text
    assert "<script" not in text and "alert" not in text


def test_source_option_changes_source_and_slug(content):
    do_import(content, FIXTURES / EPAPER, source="营口日报")
    (text,) = articles(content).values()
    assert field(text, "Source") == "营口日报"
    assert field(text, "Slug") == "ykrb-20240618-p08-02"


def test_markdown_special_characters_stay_text(tmp_path, content):
    page = tmp_path / "odd-2024-05-02.txt"
    page.write_text("西市区开展 *特别* 活动\n\n本报讯 <b>标签</b> 与 [链接](http://x) 和 _下划线_ 都按原文显示。\n",
                    encoding="utf-8")
    do_import(content, page)
    (text,) = articles(content).values()
    assert "&lt;b&gt;标签&lt;/b&gt;" in text and r"\[链接\](http://x)" in text and r"\_下划线\_" in text
    assert check_content(content).ok


# --- identity, idempotence, overwrite ----------------------------------

def test_reimport_writes_nothing(content):
    do_import(content, FIXTURES / SAMPLE, FIXTURES / EPAPER)
    before = articles(content)
    report = do_import(content, FIXTURES / SAMPLE, FIXTURES / EPAPER)
    assert report.written == [] and len(report.skipped) == 6 and report.ok
    assert articles(content) == before


def test_other_format_of_the_same_story_is_recognised(content):
    do_import(content, FIXTURES / SAMPLE)
    report = do_import(content, FIXTURES / EPAPER)
    (outcome,) = report.outcomes
    assert outcome.status == "skipped" and "同一天同一标题" in outcome.reason


def test_editor_edits_and_renames_are_respected(content):
    do_import(content, FIXTURES / SAMPLE)
    path = content / "articles/2024/06/lnrb-ykzb-20240618-yingkou-page-02.md"
    edited = path.read_text(encoding="utf-8").replace("海铁联运班列再添新线路", "编辑改过的标题")
    edited += "\n编辑补充的一段。\n"
    renamed = path.with_name("hand-named.md")
    renamed.write_text(edited, encoding="utf-8")
    path.unlink()
    report = do_import(content, FIXTURES / SAMPLE)
    assert report.written == []
    assert not path.exists()
    assert renamed.read_text(encoding="utf-8") == edited


def test_existing_file_of_another_story_is_not_overwritten(content):
    target = content / "articles/2024/06/lnrb-ykzb-20240618-p08-02.md"
    target.parent.mkdir(parents=True)
    target.write_text("Title: 另一篇\nDate: 2023-01-01\nTopic: 港口物流\nDistrict: 营口市\n\n正文。\n",
                      encoding="utf-8")
    report = do_import(content, FIXTURES / EPAPER)
    (outcome,) = report.outcomes
    assert outcome.status == "skipped" and "--force" in outcome.reason
    assert target.read_text(encoding="utf-8").startswith("Title: 另一篇")


def test_force_rewrites_the_same_story_in_place(content):
    do_import(content, FIXTURES / SAMPLE)
    path = content / "articles/2024/06/lnrb-ykzb-20240618-yingkou-page-02.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("海铁联运班列再添新线路", "编辑改过的标题"), encoding="utf-8")
    edited = path.read_text(encoding="utf-8")
    report = do_import(content, FIXTURES / SAMPLE, force=True)
    # only the edited file differs from what the import writes: it alone is
    # rewritten, and what it held is kept outside content/
    (replaced,) = report.by_status("replaced")
    assert replaced.path == path and path.read_text(encoding="utf-8") == original
    assert [o.reason for o in report.skipped] == ["内容与现有文件相同，未改动"] * 4
    assert replaced.backup.read_text(encoding="utf-8") == edited
    assert content not in replaced.backup.parents and str(replaced.backup) in replaced.reason
    assert len(articles(content)) == 5


def test_dry_run_writes_nothing(tmp_path, content):
    page = copy_fixture("epaper-utf8-2024-05-20-03-01.html", tmp_path / "in")
    (tmp_path / "in" / "images").mkdir()
    shutil.copy(FIXTURES / "images" / "port-0520.jpg", tmp_path / "in" / "images")
    before = sorted(p for p in content.rglob("*"))
    code, out = cli(content, [FIXTURES / SAMPLE, page], dry_run=True)
    assert code == 0
    assert sorted(p for p in content.rglob("*")) == before
    assert "试运行" in out and "将写入 6 篇" in out and "将复制图片" in out


# --- dates and errors --------------------------------------------------

def test_missing_date_is_an_error_naming_the_file(content):
    report = do_import(content, FIXTURES / "no-date-page.txt")
    (error,) = report.failed_pages
    assert "no-date-page.txt" in str(error) and "--date" in str(error)
    assert articles(content) == {}


def test_date_option_stands_in(content):
    report = do_import(content, FIXTURES / "no-date-page.txt", date=dt.date(2024, 5, 3))
    assert report.ok
    (text,) = articles(content).values()
    assert field(text, "Date") == "2024-05-03" and field(text, "District") == "站前区"


def test_folder_with_bad_files_imports_the_rest_and_fails(tmp_path, content):
    folder = tmp_path / "pages"
    for name in (SAMPLE, "garbage-2024-05-01.txt", "not-an-article-2024-05-01.html",
                 "no-date-page.txt", "briefs-places-2024-05-15.txt"):
        copy_fixture(name, folder)
    code, out = cli(content, [folder])
    assert code == 1
    for name in ("garbage-2024-05-01.txt", "not-an-article-2024-05-01.html", "no-date-page.txt"):
        assert any(name in line and "失败" in line for line in out.splitlines()), name
    assert len(articles(content)) == 9
    assert "写入 9 篇" in out and "无法导入的文件 3 个" in out
    assert check_content(content).ok


def test_cli_prints_each_file_and_explains(content):
    code, out = cli(content, [FIXTURES / "briefs-places-2024-05-15.txt"], explain=True)
    assert code == 0
    assert sum(line.startswith("写入 ") for line in out.splitlines()) == 4   # one line a file
    assert "各版面导入情况" in out and "第06版" in out                        # the summary table
    assert "lnrb-ykzb-20240515-p06-02.md" in out
    assert "地区 District" in out and "熊岳镇" in out and "鲅鱼圈区的乡镇/街道" in out
    assert "营口市鲅鱼圈区人民法院" in out and "未列入词表" in out
    # unlisted agencies pass validation with a warning that names the file
    assert "不在词表中" in out


def test_cli_usage_errors(content, tmp_path):
    assert cli(content, [FIXTURES / SAMPLE], date="2024-13-01")[0] == 2
    assert cli(tmp_path / "nowhere", [FIXTURES / SAMPLE])[0] == 2
    code, out = cli(content, [tmp_path / "missing.txt"])
    assert code == 1 and "missing.txt" in out
    code, out = cli(content, [FIXTURES / "images" / "port-0520.jpg"])
    assert code == 1 and "不支持的文件类型" in out


def test_no_topic_keyword_is_written_as_a_draft(tmp_path, content):
    page = tmp_path / "plain-2024-05-04.txt"
    page.write_text("一则简短消息\n\n本报讯 今天天气晴朗，微风。\n", encoding="utf-8")
    report = do_import(content, page)
    assert report.ok
    (text,) = articles(content).values()
    assert field(text, "Status") == "draft"
    assert any("草稿" in w for w in report.warnings)


def test_epaper_position_without_number_in_name_follows_folder_order(tmp_path, content):
    folder = tmp_path / "epaper"
    folder.mkdir()
    html = (FIXTURES / EPAPER).read_bytes()
    (folder / "content_7.htm").write_bytes(html)
    (folder / "content_9.htm").write_bytes(html.replace("盖州市推进".encode("gb2312"), "盖州市加快".encode("gb2312")))
    # importing one page alone gives it the same position as a folder import
    do_import(content, folder / "content_9.htm")
    (text,) = articles(content).values()
    assert field(text, "Page") == "第08版" and field(text, "Position") == "2"
    report = do_import(content, folder)
    assert [o.status for o in report.outcomes] == ["written", "skipped"]
