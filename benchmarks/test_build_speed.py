"""The build benchmark harness (``invoke bench``) on a tiny archive."""

from __future__ import annotations

import io

import pytest
import yaml
from rich.console import Console

from benchmarks.build_speed import NEW_ARTICLES, PHASES, run_bench, update_docs
from benchmarks.hugo import to_hugo


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench") / "work"
    console = Console(file=io.StringIO(), width=120)
    report = run_bench(30, hugo=False, keep=work, console=console)
    return report, console.file.getvalue(), work


def test_full_and_incremental_builds_are_measured(tiny_report):
    report, _, _ = tiny_report
    full, incremental = report.ours
    assert (full.articles, incremental.articles) == (30, 40)
    for figures in (full, incremental):
        assert set(figures.phases) == set(PHASES)
        for phase in ("setup", "read", "taxonomy", "write", "feeds", "search"):
            assert figures.phases[phase] > 0, (figures.label, phase)
        assert figures.process >= figures.build > 0
        assert sum(figures.phases.values()) == pytest.approx(figures.build, abs=0.05)
        assert figures.written["articles"] == figures.articles
        assert figures.output.files > figures.output.html >= figures.articles
        assert figures.output.bytes > 0
        assert figures.pages_per_second > 0
        assert 20 < figures.python_rss_mb < 4096
        assert figures.concurrent_mb >= figures.python_rss_mb * 0.5
        # PSS counts shared pages once: above nothing, below the RSS sum (sampled less often)
        assert 0 < figures.concurrent_pss_mb <= figures.concurrent_mb * 1.1
    assert incremental.output.html > full.output.html


def test_report_printed_and_work_folder_kept(tiny_report):
    report, printed, work = tiny_report
    assert "incremental (+10)" in printed and "process wall" in printed
    assert "Hugo comparison skipped" in printed
    assert (work / "output" / "index.html").exists()
    assert len(list((work / "content" / "articles").rglob("*.md"))) == 40
    assert report.machine["nproc"] >= 1 and report.machine["python"]


def test_docs_section_replaced_per_size_other_sections_kept(tiny_report, tmp_path):
    report, _, _ = tiny_report
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n## Search\n\nsearch figures\n", encoding="utf-8")
    update_docs(report, docs)
    update_docs(report, docs)
    text = docs.read_text(encoding="utf-8")
    assert text.count("## Build speed") == 1 and text.count("### 30 articles") == 1
    assert "## Search\n\nsearch figures\n" in text
    assert "| ours: read |" in text
    # hand-written subsections (a status, an older run of the same size) survive where they are
    docs.write_text(text.replace("### 30 articles", "### Status\n\nby hand\n\n### 30 articles")
                    + "### 30 articles (an older run)\n\nkept\n", encoding="utf-8")
    update_docs(report, docs)
    text = docs.read_text(encoding="utf-8")
    assert "### Status\n\nby hand\n" in text and text.count("### 30 articles\n") == 1
    assert "### 30 articles (an older run)\n\nkept\n" in text
    assert text.index("### Status") < text.index("### 30 articles\n") < text.index("(an older run)")


def test_pelican_header_becomes_hugo_front_matter():
    text = ("Title: 标题\nDate: 2023-04-07 09:05\nTopic: 生态环境、港口物流\n"
            "District: 营口市，老边区\nAgency: 营口市生态环境局\nAuthors: 徐鑫; 王晓东\n"
            "Slug: eco\n\n正文。\n")
    head, body = to_hugo(text).split("---\n", 2)[1:]
    front = yaml.safe_load(head)
    assert front["topics"] == ["生态环境", "港口物流"]
    assert front["districts"] == ["营口市", "老边区"]
    assert front["agencies"] == ["营口市生态环境局"]
    assert front["authors"] == ["徐鑫", "王晓东"]
    assert front["date"] == "2023-04-07T09:05:00+08:00"
    assert front["slug"] == "eco" and body.strip() == "正文。"


def test_the_daily_build_counts_the_files_it_wrote(tiny_report):
    report, text, _ = tiny_report
    full, incremental = report.ours
    assert 0 < full.output.search_files < full.output.files
    # ten new articles: their pages, lists and index parts, never everything
    assert NEW_ARTICLES <= incremental.output.rewritten < incremental.output.files // 2
    assert "files written" in text
