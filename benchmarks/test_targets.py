"""Issue 15's targets table (benchmarks/targets.py) on made-up figures:
the verdicts and gaps follow from the figures, at 100,000 and scaled."""

from __future__ import annotations

from benchmarks.build_speed import BenchReport, BuildFigures, docs_subsection
from benchmarks.hugo import HugoFigures, ToolRun
from benchmarks.measure import OutputStats
from benchmarks.targets import target_rows, verdict


def _figures(label, articles, process, pss, index_files, phases=None):
    return BuildFigures(label=label, articles=articles, process=process, build=process - 0.5,
                        phases=phases or {"setup": 0.0, "read": process * 0.2, "taxonomy": 0.0,
                                          "write": process * 0.5, "feeds": 0.0,
                                          "search": process * 0.3, "swap": 0.0},
                        concurrent_pss_mb=pss,
                        output=OutputStats(files=articles, html=articles, search_files=index_files))


def _report(articles, full_s, daily_s, pss=1000.0, index_files=10, hugo_s=None):
    report = BenchReport(articles, {"date": "2026-12-07", "nproc": 2, "memory_gb": 24, "python": "3.11",
                                    "pelican": "4", "pagefind": "1", "hugo": "0", "cpu": "",
                                    "load_before": 0.5},
                         [_figures("full", articles, full_s, pss, index_files),
                          _figures("incremental", articles + 10, daily_s, pss / 2, index_files)])
    if hugo_s is not None:
        report.hugo = [HugoFigures("full", ToolRun(hugo_s / 4, 1), ToolRun(hugo_s * 3 / 4, 1), OutputStats()),
                       HugoFigures("incremental", ToolRun(1, 1), ToolRun(1, 1), OutputStats())]
    return report


NAMES = ("full build", "ratio", "+10 articles", "peak PSS", "search index files", "per article")


def _by_target(report):
    rows = target_rows(report)
    return dict(zip(NAMES, rows, strict=True))


def test_all_targets_met_at_100000():
    rows = _by_target(_report(100_000, 110.0, 4.0, pss=3000, index_files=48, hugo_s=400.0))
    assert [verdict(rows[name]) for name in ("full build", "+10 articles", "peak PSS",
                                             "search index files")] == ["met"] * 4
    ratio = rows["ratio"]
    assert ratio.measured == "0.28×" and ratio.met and not ratio.gap


def test_a_missed_target_says_by_how_much_and_which_phases_took_the_time():
    rows = _by_target(_report(100_000, 366.0, 15.0, pss=4500, index_files=20_000, hugo_s=381.0))
    full = rows["full build"]
    assert not full.met and full.gap.startswith("246.0 s over (3.0× the target)")
    assert "write 183.0 s, search 109.8 s" in full.gap
    assert rows["+10 articles"].gap.startswith("10.0 s over (3.0× the target)")
    assert rows["peak PSS"].gap == "404 MB over"
    assert rows["search index files"].gap == "9,999 files over"
    ratio = rows["ratio"]
    assert not ratio.met and ratio.gap == "175.5 s over 0.5× of 381.0 s"


def test_the_full_build_target_scales_with_the_archive_and_hugo_may_be_missing():
    rows = target_rows(_report(50_000, 59.0, 4.0))
    assert rows[0].target == "full build ≤ 60.0 s (120 s at 100,000, scaled to 50,000)" and rows[0].met
    assert rows[1].met is None and rows[1].gap == "Hugo not run"
    assert target_rows(_report(50_000, 61.0, 4.0))[0].met is False


def test_the_docs_table_carries_the_targets():
    text = docs_subsection(_report(100_000, 366.0, 15.0, hugo_s=381.0))
    assert "| target (issue 15) | measured |" in text
    assert "| full build ≤ 120.0 s | 366.0 s | not met | 246.0 s over" in text
