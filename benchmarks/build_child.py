"""One timed build in a child process (run by benchmarks/build_speed.py).

    python -m benchmarks.build_child CONTENT OUTPUT CACHE RESULT [--profile FILE]

Phases come from Pelican signals received in this process (see
:class:`PhaseClock`); the figures go to RESULT as JSON, progress events to
stdout.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.measure import mb

EVENT = "@@bench "


# -- inside the child: phase clock on Pelican signals -------------------------

class PhaseClock:
    """Timestamps of Pelican signals during one ``build_site`` call.

    Receivers connected before the build fire before the plugins' (blinker
    keeps connection order); "late" receivers are connected on ``initialized``,
    after the plugins registered, so they fire after them.
    """

    def __init__(self, emit=None):
        self.emit = emit or (lambda *a: None)
        self.marks: dict[str, float] = {}
        self.feed_time = 0.0
        self.written: dict[str, int] = defaultdict(int)
        self.total_written = 0
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

        from plugins.archive_writer import pages_announced

        signals.generator_init.connect(self._mark("generators"), weak=False)
        signals.article_generator_pretaxonomy.connect(self._mark("read"), weak=False)
        signals.article_generator_finalized.connect(self._mark("taxonomy.pelican"), weak=False)
        signals.all_generators_finalized.connect(self._mark("contexts"), weak=False)
        signals.get_writer.connect(self._mark("links"), weak=False)
        pages_announced.connect(self._pages_announced, weak=False)
        signals.feed_written.connect(self._feed_written, weak=False)
        signals.finalized.connect(self._mark("finalized"), weak=False)
        signals.initialized.connect(self._connect_late, weak=False)

    def _connect_late(self, _pelican) -> None:
        from pelican import signals

        signals.article_generator_finalized.connect(self._mark("taxonomy.plugins"), weak=False)
        signals.finalized.connect(self._mark("sitemap"), weak=False)

    def disconnect(self) -> None:
        from pelican import signals

        from plugins.archive_writer import pages_announced

        for name in ("generator_init", "article_generator_pretaxonomy",
                     "article_generator_finalized", "all_generators_finalized",
                     "get_writer", "feed_written", "finalized", "initialized"):
            signal = getattr(signals, name)
            for receiver in self.receivers + [self._feed_written, self._connect_late]:
                signal.disconnect(receiver)
        pages_announced.disconnect(self._pages_announced)

    def _pages_announced(self, writer, pages=(), **_kwargs) -> None:
        """Every page of the build, written or kept (the writer announces
        them once, after rendering)."""
        for _path, context in pages:
            if "article" in context:
                kind = "articles"
            elif "term" in context:
                kind = "terms"
            elif "period" in context:
                kind = "archives"
            else:
                kind = "other"
            self.written[kind] += 1
        self.total_written += len(pages)
        self.emit("written", self.total_written)
        # the writer times its write_feed calls, kept feeds' key checks too
        self.feed_time = getattr(writer, "feed_seconds", 0.0)

    def _feed_written(self, _path, **_kwargs) -> None:
        self.written["feeds"] += 1
        self.total_written += 1

    def figures(self, start: float, end: float, result) -> tuple[dict, dict]:
        """(headline phases, detail) in seconds; ``end``: build_site returned."""
        m = self.marks
        search = result.phases.get("search", 0.0)
        swap = result.seconds - result.phases.get("pelican", 0.0) - search
        pelican_end = end - search - swap
        detail = {
            "setup": m["generators"] - start,
            "read": m["read"] - m["generators"],
            "taxonomy.pelican": m["taxonomy.pelican"] - m["read"],
            "taxonomy.plugins": m["taxonomy.plugins"] - m["taxonomy.pelican"],
            "taxonomy.other_contexts": m["contexts"] - m["taxonomy.plugins"],
            "taxonomy.links": m["links"] - m["contexts"],
            # generators queue their pages (and write the feeds)
            "write.queue": m["finalized"] - m["links"] - self.feed_time,
            # the queued pages rendered, the sitemap written
            "write.render": m["sitemap"] - m["finalized"],
            "write.after_finalized": pelican_end - m["sitemap"],
        }
        phases = {
            "setup": detail["setup"],
            "read": detail["read"],
            "taxonomy": sum(v for k, v in detail.items() if k.startswith("taxonomy.")),
            "write": sum(v for k, v in detail.items() if k.startswith("write.")),
            "feeds": self.feed_time,
            "search": search,
            "swap": swap,
        }
        rounded = lambda d: {k: round(v, 3) for k, v in d.items()}
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

    from sitebuild.build import build_once_then_exit, build_site

    build_once_then_exit()  # as `invoke build` does: the child ends after the build
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
        "python_rss_mb": mb(_vm_hwm_kb()),
    }
    result_file.write_text(json.dumps(figures), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.build_child")
    for name in ("content", "output", "cache", "result"):
        parser.add_argument(name, type=Path)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args(argv)
    child_build(args.content, args.output, args.cache, args.result, args.profile)


if __name__ == "__main__":
    main()
