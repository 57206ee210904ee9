"""Measuring a command: wall time, peak memory of its process tree, output size.

Used by the build benchmark for our build and for Hugo + Pagefind alike, so
both are measured the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class OutputStats:
    files: int = 0
    html: int = 0
    bytes: int = 0
    search_files: int = 0   # files of the search index (search/)
    # files that are not the previous build's (new inode: written by this
    # build; unchanged files are linked over, keeping theirs)
    rewritten: int = 0
    identities: dict = field(default_factory=dict, repr=False)


def mb(kilobytes: float) -> float:
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
    ``concurrent`` is the largest sum of VmRSS seen at one moment: forked
    workers share most of their pages with the parent, and each counts them
    again.  ``concurrent_pss`` is the largest sum of PSS (``Pss`` in
    ``/proc/PID/smaps_rollup``: a page shared by n processes counts 1/n in
    each), the memory the tree really holds at one moment; reading it walks
    the page tables, so it is sampled every ``pss_interval`` seconds.

    The sampler shares the machine with what it measures: at 100,000
    articles, sampling every 50 ms (PSS every 250 ms, a /proc scan every
    250 ms) took about half of one of the two cores, so the intervals are
    0.1 s, 1 s and 1 s, and a process that has ended is no longer read.
    """

    def __init__(self, root: int, interval: float = 0.1, rescan: float = 1.0, pss_interval: float = 1.0):
        import threading

        self.root, self.interval, self.rescan, self.pss_interval = root, interval, rescan, pss_interval
        self.concurrent_pss = 0
        self._last_pss = 0.0
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
            if now - self._last_pss >= self.pss_interval:
                self.sample_pss()
                self._last_pss = now
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
                if pid != self.root:
                    del self.known[pid]  # ended: its peak is kept
                continue
            name = status.get("Name", "?")
            hwm = int(status.get("VmHWM", "0 kB").split()[0])
            total += int(status.get("VmRSS", "0 kB").split()[0])
            if hwm >= self.peaks.get(pid, ("", 0))[1]:
                self.peaks[pid] = (name, hwm)
        self.concurrent = max(self.concurrent, total)

    def sample_pss(self) -> None:
        total = 0
        for pid in list(self.known):
            try:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            for line in text.splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        self.concurrent_pss = max(self.concurrent_pss, total)

    def peak_mb(self, pid: int | None = None, exclude_root: bool = False) -> float:
        """The largest VmHWM of ``pid`` (default: any process of the tree)."""
        values = [hwm for p, (_n, hwm) in self.peaks.items()
                  if (pid is None or p == pid) and not (exclude_root and p == self.root)]
        return mb(max(values, default=0))


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
    concurrent_mb: float    # the whole tree at one moment (sum of RSS)
    concurrent_pss_mb: float = 0.0  # the whole tree at one moment (sum of PSS)


def run_measured(cmd: list[str], on_line=None, env=None, cwd=None,
                 log: Path | None = None) -> Measured:
    """Run ``cmd`` and measure its wall time and memory.

    ``on_line`` receives each stdout line as it comes; stderr goes to ``log``.
    """
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        err = stack.enter_context(open(log, "ab")) if log else subprocess.DEVNULL
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env,
                                cwd=cwd, text=True, encoding="utf-8", errors="replace")
        with TreeSampler(proc.pid) as sampler:
            for line in proc.stdout:
                if on_line:
                    on_line(line.rstrip("\n"))
            proc.stdout.close()
            code = proc.wait()
    return Measured(time.perf_counter() - started, code, sampler.peak_mb(proc.pid),
                    sampler.peak_mb(exclude_root=True), mb(sampler.concurrent), mb(sampler.concurrent_pss))


def output_stats(folder: Path, before: OutputStats | None = None) -> OutputStats:
    """Counts of an output folder; with ``before`` (the previous build's), how
    many of its files this build wrote rather than kept."""
    stats = OutputStats()
    search = os.path.join(str(folder), "search")
    for root, _dirs, files in os.walk(folder):
        in_search = root == search or root.startswith(search + os.sep)
        for name in files:
            info = os.stat(os.path.join(root, name))
            rel = os.path.relpath(os.path.join(root, name), folder)
            stats.files += 1
            stats.html += name.endswith(".html")
            stats.bytes += info.st_size
            stats.search_files += in_search
            stats.identities[rel] = (info.st_dev, info.st_ino)
    if before is not None:
        stats.rewritten = sum(1 for rel, ident in stats.identities.items()
                              if before.identities.get(rel) != ident)
    return stats


def child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


def machine_facts() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                    if line.startswith("model name")), "")

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
