"""Issue 15's build targets, checked against one ``invoke bench`` run.

Each target gives the figure measured, whether it is met and, when it is
not, how far off it is and which phases of our build took the most time
(where the gap comes from).  The full-build target is set for 100,000
articles; other sizes are held to it scaled linearly, as the issue asks
for linear growth.  Search targets are measured by ``invoke bench-search``.
"""

from __future__ import annotations

from dataclasses import dataclass

TARGET_ARTICLES = 100_000
FULL_SECONDS = 120.0            # full build of 100,000 articles
RATIO_TO_HUGO = 0.5             # ours / (Hugo + Pagefind), full build
DAILY_SECONDS = 5.0             # +10 articles
PEAK_PSS_MB = 4096.0            # all processes at one moment
ARTICLES_PER_INDEX_FILE = 10    # at most one index file per 10 articles


@dataclass(frozen=True)
class TargetRow:
    target: str
    measured: str
    met: bool | None            # None: not measured in this run
    gap: str = ""


def _largest_phases(figures, count: int = 2) -> str:
    phases = sorted(figures.phases.items(), key=lambda kv: kv[1], reverse=True)[:count]
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases)


def _seconds_row(target: str, seconds: float, limit: float, figures) -> TargetRow:
    if seconds <= limit:
        return TargetRow(target, f"{seconds:.1f} s", True)
    return TargetRow(target, f"{seconds:.1f} s", False,
                     f"{seconds - limit:.1f} s over ({seconds / limit:.1f}× the target); "
                     f"largest phases: {_largest_phases(figures)}")


def target_rows(report) -> list[TargetRow]:
    """The targets of issue 15 against ``report`` (a BenchReport)."""
    full, daily = report.ours
    scale = report.articles / TARGET_ARTICLES
    limit = FULL_SECONDS * scale
    scaled = "" if report.articles == TARGET_ARTICLES else f" (120 s at 100,000, scaled to {report.articles:,})"
    rows = [_seconds_row(f"full build ≤ {limit:,.1f} s{scaled}", full.process, limit, full)]
    ratio = report.ratio(0)
    if ratio is None:
        rows.append(TargetRow(f"full build ≤ {RATIO_TO_HUGO}× Hugo + Pagefind", "–", None,
                              "Hugo not run"))
    else:
        rows.append(TargetRow(
            f"full build ≤ {RATIO_TO_HUGO}× Hugo + Pagefind", f"{ratio:.2f}×", ratio <= RATIO_TO_HUGO,
            "" if ratio <= RATIO_TO_HUGO else
            f"{full.process - RATIO_TO_HUGO * report.hugo[0].seconds:.1f} s over "
            f"{RATIO_TO_HUGO}× of {report.hugo[0].seconds:.1f} s"))
    rows.append(_seconds_row(f"+{daily.articles - full.articles} articles ≤ {DAILY_SECONDS:.0f} s",
                             daily.process, DAILY_SECONDS, daily))
    peak = max(full.concurrent_pss_mb, daily.concurrent_pss_mb)
    rows.append(TargetRow(f"peak PSS, all processes ≤ {PEAK_PSS_MB:,.0f} MB", f"{peak:,.0f} MB",
                          peak <= PEAK_PSS_MB,
                          "" if peak <= PEAK_PSS_MB else f"{peak - PEAK_PSS_MB:,.0f} MB over"))
    files, allowed = daily.output.search_files, max(1, daily.articles // ARTICLES_PER_INDEX_FILE)
    rows.append(TargetRow(f"search index files ≤ 1 per {ARTICLES_PER_INDEX_FILE} articles ({allowed:,})",
                          f"{files:,}", files <= allowed,
                          "" if files <= allowed else f"{files - allowed:,} files over"))
    rows.append(TargetRow("per-article cost, full build (linear: compare sizes)",
                          f"{full.process / full.articles * 1000:.2f} ms", None, "one size per run"))
    return rows


def verdict(row: TargetRow) -> str:
    return {True: "met", False: "not met", None: "–"}[row.met]
