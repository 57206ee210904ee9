"""Story identity, refusing a second date, backups, agencies, the review report."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from tests.digest_support import FIXTURES, articles, field, make_content
from yingkou_archive.article import split_list
from yingkou_archive.digest.agencies import AgencyFinder, Home, built_from_known_kind
from yingkou_archive.digest.cli import run
from yingkou_archive.digest.importer import ImportOptions, import_paths
from yingkou_archive.digest.model import Block, Story
from yingkou_archive.digest.tagging import Tagger
from yingkou_archive.vocabulary import load_vocabulary

PAGE = FIXTURES / "pages" / "ykrb-p08-2024-07-10.txt"


@pytest.fixture()
def content(tmp_path):
    return make_content(tmp_path)


def do_import(content, *paths, **options):
    return import_paths(paths, ImportOptions(content_dir=content, **options))


# --- identity --------------------------------------------------------------

def test_same_title_from_another_source_is_another_story(content):
    do_import(content, PAGE, source="营口日报")
    report = do_import(content, PAGE, source="营口晚报")
    assert len(report.written) == 5 and report.skipped == []
    sources = sorted(field(t, "Source") for t in articles(content).values())
    assert sources == ["营口日报"] * 5 + ["营口晚报"] * 5


def test_a_second_date_for_an_imported_page_is_refused(content):
    do_import(content, PAGE, date=dt.date(2024, 7, 10))
    before = articles(content)
    report = do_import(content, PAGE, date=dt.date(2024, 7, 11))
    (error,) = report.failed_pages
    assert PAGE.name in str(error) and "2024-07-10" in str(error) and "2024-07-11" in str(error)
    assert report.outcomes == [] and articles(content) == before


def test_story_hash_is_written_and_stable(content):
    do_import(content, PAGE)
    hashes = [field(t, "Story_hash") for t in articles(content).values()]
    assert all(re.fullmatch(r"[0-9a-f]{16}", h) for h in hashes) and len(set(hashes)) == 5


def test_force_backs_up_an_edited_article_outside_content(content):
    do_import(content, PAGE)
    path = next(p for p in (content / "articles").rglob("*.md"))
    path.write_text(path.read_text(encoding="utf-8") + "\n编辑补充的一段。\n", encoding="utf-8")
    edited = path.read_text(encoding="utf-8")
    report = do_import(content, PAGE, force=True)
    (replaced,) = report.by_status("replaced")
    assert "编辑补充" not in path.read_text(encoding="utf-8")
    assert replaced.backup.read_text(encoding="utf-8") == edited
    assert replaced.backup.is_relative_to(content.parent / ".import-backups")
    assert not replaced.backup.is_relative_to(content)


def test_edited_article_is_never_overwritten_without_force(content):
    do_import(content, PAGE)
    path = next(p for p in (content / "articles").rglob("*.md"))
    path.write_text(path.read_text(encoding="utf-8").replace("Title: ", "Title: 改过的"), encoding="utf-8")
    edited = path.read_text(encoding="utf-8")
    report = do_import(content, PAGE)
    assert report.written == [] and path.read_text(encoding="utf-8") == edited


def test_continued_and_table_are_written(content):
    do_import(content, FIXTURES / "pages" / "ykwb-county-2024-07-09.txt")
    lead = next(t for t in articles(content).values() if field(t, "Title") == "鲅鱼圈区上半年签约重点项目27个")
    assert field(lead, "Continued") == "第08版"
    assert "| 项目名称 | 投资额（亿元） | 所在地 |\n|---|---|---|\n| 新能源电池材料项目 | 12 | 熊岳镇 |" in lead
    assert "下转" not in lead


# --- agencies ---------------------------------------------------------------

@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary(FIXTURES.parent.parent.parent / "content" / "taxonomy.yml")


@pytest.mark.parametrize("text, home_city, expected", [
    ("据市人社局介绍", "营口市", ["营口市人力资源和社会保障局"]),
    ("盖州市卫健委组织义诊", "盖州市", ["盖州市卫生健康委员会"]),
    ("大石桥市发改局与市住建局联合", "大石桥市", ["大石桥市发展和改革局", "大石桥市住房和城乡建设局"]),
    ("老边区市场监督管理局开展检查", "营口市", ["营口市老边区市场监督管理局"]),
    ("鲅鱼圈区政府召开会议", "营口市", ["营口市鲅鱼圈区人民政府"]),
    ("市法院审结案件", "营口市", ["营口市中级人民法院"]),
])
def test_agencies_from_place_and_kind(vocabulary, text, home_city, expected):
    finder = AgencyFinder(vocabulary)
    found, _ = finder.find(text, "正文", Home(vocabulary.find("district", home_city), None))
    assert [f.name for f in found] == expected


@pytest.mark.parametrize("text", [
    "营口市坚决贯彻省委部署", "营口市高水平保护与高质量发展新格局", "城市管理局面焕然一新",
    "各级政府高度重视", "当地教育局", "这一格局",
])
def test_sentence_fragments_are_never_agencies(vocabulary, text):
    finder = AgencyFinder(vocabulary)
    found, _ = finder.find(text, "正文", Home(vocabulary.find("district", "营口市"), None))
    assert found == []


def test_unknown_lookalike_is_reported_not_tagged(vocabulary):
    tagger = Tagger(vocabulary)
    tags = tagger.tag(Story(title="营口市海洋渔业服务局开展培训", blocks=[Block("para", "本报讯 近日开展培训。")]))
    assert tags.agencies == []
    assert any("营口市海洋渔业服务局" in w and "未标注" in w for w in tags.warnings)


def test_whole_city_in_a_county_level_citys_story(vocabulary):
    tagger = Tagger(vocabulary)
    story = Story(title="盖州市推广设施农业", blocks=[Block("para", "本报讯 目前，全市设施农业面积已达3万亩。")])
    assert tagger.tag(story).districts == ["盖州市"]
    story = Story(title="营口市推广设施农业", blocks=[Block("para", "本报讯 目前，全市设施农业面积已达3万亩。")])
    assert tagger.tag(story).districts == ["营口市"]


def test_town_and_district_short_forms_count(vocabulary):
    tagger = Tagger(vocabulary)
    assert tagger.tag(Story(title="熊岳温泉迎客", blocks=[Block("para", "本报讯 熊岳温泉游客增多。")])).districts == ["鲅鱼圈区"]
    assert tagger.tag(Story(title="芦屯葡萄上市", blocks=[Block("para", "本报讯 芦屯葡萄上市。")])).districts == ["鲅鱼圈区"]
    # an everyday word that is also a town's short form does not count
    assert tagger.tag(Story(title="柳树发芽", blocks=[Block("para", "本报讯 公园里的柳树发芽了。")])).districts == ["营口市"]


def test_every_agency_written_on_any_fixture_is_known_or_built(tmp_path, vocabulary):
    content = make_content(tmp_path)
    inputs = tmp_path / "in"
    shutil.copytree(FIXTURES, inputs, ignore=shutil.ignore_patterns("truth", "images"))
    report = import_paths([inputs], ImportOptions(content_dir=content))
    written = list(articles(content).values())
    assert len(written) >= 35, (len(written), report.failed_pages)
    agencies = {a for t in written for a in split_list(field(t, "Agency") or "")}
    assert len(agencies) >= 15
    for agency in agencies:
        assert vocabulary.find("agency", agency) or built_from_known_kind(agency, vocabulary), agency
    assert report.outcomes


# --- the review report -----------------------------------------------------

def test_dry_run_report_is_self_contained_and_escaped(tmp_path, content):
    page = tmp_path / "in" / "odd-2024-07-01.txt"
    page.parent.mkdir()
    page.write_text("西市区开展<script>alert(1)</script>活动\n\n本报讯 <img src=x onerror=alert(2)> 正文。\n",
                    encoding="utf-8")
    report_file = tmp_path / "review.html"
    before = sorted(p for p in content.rglob("*"))
    console = Console(record=True, width=200, force_terminal=False)
    code = run([page, PAGE], content_dir=str(content), dry_run=True, report=report_file, console=console)
    assert code == 0 and sorted(p for p in content.rglob("*")) == before
    html = report_file.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    assert "站前区老旧小区改造惠及居民1.2万户" in html and "引题" in html
    assert "转版" in html and "下一行是转版行" in html       # roles and their reasons
    assert "审阅报告" in console.export_text()


def test_report_must_be_html(tmp_path, content):
    console = Console(record=True, width=200)
    assert run([PAGE], content_dir=str(content), report=tmp_path / "r.txt", console=console) == 2
    assert not Path(tmp_path / "r.txt").exists()


def test_a_file_that_cannot_be_created_fails_that_story_only(content):
    blocked = content / "articles" / "2024" / "07"
    blocked.parent.mkdir(parents=True)
    blocked.write_text("not a folder", encoding="utf-8")
    report = do_import(content, PAGE)
    assert not report.ok and len(report.failed) == 5
    assert all("无法写入" in o.reason and str(blocked) in o.reason for o in report.failed)
    assert blocked.read_text(encoding="utf-8") == "not a folder"
