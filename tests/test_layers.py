"""The folders import one way only, and only the adapters import Pelican.

    tasks.py → sitebuild → plugins (+ Pelican) → search → yingkou_archive → fileutil

Each folder may import the folders to its right, never to its left, so no
two folders import each other, directly or in a loop.  Imports inside
functions count too.  tests/ may import every product folder; benchmarks/
may import tests/ (its browser harness and search truth), never the
reverse.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["fileutil", "yingkou_archive", "search", "plugins", "sitebuild", "tasks"]
CONFIG = {"pelicanconf": 1.5, "publishconf": 1.6}  # settings: read by the build, import the domain
EXTERNAL_ONLY_IN = {"pelican": {"plugins", "tests", "benchmarks"}}
SKIP = {".venv", ".bench", "output", "cache", "node_modules", ".git"}
MAX_LINES = 700


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if not SKIP & set(relative.parts):
            yield relative


def _owner(relative: Path) -> str:
    return relative.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return found


def _rank(name: str) -> float | None:
    if name in LAYERS:
        return LAYERS.index(name)
    return CONFIG.get(name)


def test_imports_run_one_way():
    wrong = []
    for relative in _sources():
        owner = _owner(relative)
        for target, line in _imports(ROOT / relative):
            if target == owner:
                continue
            if owner in ("tests", "benchmarks"):
                if owner == "tests" and target == "benchmarks":
                    wrong.append(f"{relative}:{line}: tests import benchmarks")
                continue
            if target in ("tests", "benchmarks"):
                if owner != "tasks":  # `invoke bench` runs the benchmarks
                    wrong.append(f"{relative}:{line}: {owner} imports {target}")
                continue
            mine, theirs = _rank(owner), _rank(target)
            if mine is not None and theirs is not None and theirs >= mine:
                wrong.append(f"{relative}:{line}: {owner} imports {target}, a layer above or beside it")
    assert not wrong, "\n".join(wrong)


def test_only_the_adapters_import_pelican():
    wrong = []
    for relative in _sources():
        owner = _owner(relative)
        for target, line in _imports(ROOT / relative):
            allowed = EXTERNAL_ONLY_IN.get(target)
            if allowed is not None and owner not in allowed:
                wrong.append(f"{relative}:{line}: {owner} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_source_file_is_too_long():
    sources = [p for p in _sources() if p.parts[0] != "tests"]
    sources += [p.relative_to(ROOT) for p in (ROOT / "theme" / "static" / "js").glob("*.js")]
    long = {str(p): n for p in sources
            if (n := len((ROOT / p).read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_the_layer_check_sees_a_wrong_import(tmp_path, monkeypatch):
    """The check itself: a search module importing sitebuild is reported."""
    fake = tmp_path / "search"
    fake.mkdir()
    (fake / "bad.py").write_text("def f():\n    from sitebuild.build import build_site\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    try:
        test_imports_run_one_way()
    except AssertionError as error:
        assert "search/bad.py:2: search imports sitebuild" in str(error)
    else:
        raise AssertionError("the wrong import was not reported")
