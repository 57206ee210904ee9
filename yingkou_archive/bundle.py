"""One file for a page's ES modules: an entry module and what it imports.

A browser opens at most six connections to a site that speaks HTTP/1.1
(S3 website endpoints, a plain nginx): the search page's style sheets,
manifest and six modules were nine requests at once, so three waited a
round trip for a free connection (docs/benchmarks.md).  The search page
loads one bundle instead.  Each module it imports keeps its own file too
(tests and other pages import them).

The bundle is the dependencies in the order ES evaluates them (each after
what it imports), each in a function scope of its own, so top-level names
never clash, returning its exports as an object; then the entry itself.
``import { a, b as c } from "./x.js"`` becomes ``const { a, b: c } = <x>``.
Only the forms our modules use are accepted: named imports and
re-exports from relative modules, and ``export`` before a ``const``,
``function`` or ``class`` declaration.  Anything else (a default export,
``export *``, ``export let``, a namespace or dynamic import) stops the
build, naming the file, instead of giving a bundle that could behave
differently from the modules.

Lines that are only a ``//`` comment are left out of the bundle: they are
a third of the gzipped bytes (20 KB against 14 KB for the search page),
and on a 1.6 Mbit/s phone connection the bundle is the last file the
search waits for.  A module with a code line holding an odd number of
backticks (a template literal spanning lines starts on one) keeps its
comments: a line inside such a literal is text, not a comment.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

BUNDLE_SUFFIX = ".bundle.js"

_SPEC = r"""(["'])(\.{1,2}/[A-Za-z0-9_./-]+\.m?js)\2"""
_NAMED_IMPORT = re.compile(r"^import\s*\{([^}]*)\}\s*from\s*" + _SPEC + r"\s*;?[ \t]*$", re.M)
_RE_EXPORT = re.compile(r"^export\s*\{([^}]*)\}\s*from\s*" + _SPEC + r"\s*;?[ \t]*$", re.M)
_DECLARATION = re.compile(r"^export\s+((?:async\s+)?function\*?|class|const)\s+([A-Za-z_$][\w$]*)", re.M)
_ANY_IMPORT_OR_EXPORT = re.compile(r"^\s*(?:import\b|export\b)|\bimport\s*\(", re.M)
_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")
_COMMENT_LINE = re.compile(r"^[ \t]*//.*\n", re.M)


class BundleError(ValueError):
    pass


def bundle_name(entry: str) -> str:
    """``js/search.js`` -> ``js/search.bundle.js``."""
    return entry.removesuffix(".js") + BUNDLE_SUFFIX


def entry_of(bundle: str) -> str:
    """``js/search.bundle.js`` -> ``js/search.js``."""
    return bundle.removesuffix(BUNDLE_SUFFIX) + ".js"


def _names(listing: str, path: Path) -> list[tuple[str, str]]:
    """``a, b as c`` -> [(a, a), (b, c)]: (name in the module, local name)."""
    pairs = []
    for item in (part.strip() for part in listing.split(",")):
        if not item:
            continue
        name, _, local = (w.strip() for w in item.partition(" as "))
        local = local or name
        if not (_NAME.match(name) and _NAME.match(local)):
            raise BundleError(f"{path}: 无法打包的导入/导出名“{item}”")
        pairs.append((name, local))
    return pairs


class _Module:
    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        self.imports = [(m.group(1), self._resolve(m.group(3))) for m in _NAMED_IMPORT.finditer(self.text)]
        self.re_exports = [(m.group(1), self._resolve(m.group(3))) for m in _RE_EXPORT.finditer(self.text)]
        self.exports = [m.group(2) for m in _DECLARATION.finditer(self.text)]
        understood = {m.start() for regex in (_NAMED_IMPORT, _RE_EXPORT, _DECLARATION)
                      for m in regex.finditer(self.text)}
        for m in _ANY_IMPORT_OR_EXPORT.finditer(self.text):
            start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            if start not in understood:
                line = self.text.count("\n", 0, m.start()) + 1
                raise BundleError(f"{path}:{line}: 打包只支持具名导入/导出和 export const/function/class")

    def _resolve(self, specifier: str) -> Path:
        return Path(os.path.normpath(self.path.parent / specifier))


def _in_order(entry: Path) -> list[_Module]:
    """The modules entry imports, each after its own imports, then entry."""
    ordered: list[_Module] = []
    done: set[Path] = set()

    def visit(path: Path, trail: tuple[Path, ...]) -> None:
        if path in trail:
            raise BundleError("模块循环引用：" + " → ".join(str(p) for p in (*trail, path)))
        if path in done:
            return
        module = _Module(path)
        for _, dependency in module.imports + module.re_exports:
            visit(dependency, (*trail, path))
        done.add(path)
        ordered.append(module)

    visit(Path(os.path.abspath(entry)), ())
    return ordered


def bundle(entry: Path) -> bytes:
    """The bundle of ``entry`` (a module file) and every module it imports."""
    modules = _in_order(Path(entry))
    objects = {module.path: f"__module{number}" for number, module in enumerate(modules[:-1])}
    root = modules[-1].path.parent
    out = [f"// {modules[-1].path.name} with the modules it imports, each in its own scope "
           "(yingkou_archive/bundle.py); each also has a file of its own.\n"]
    for module in modules:
        text = _imports_as_constants(module, objects)
        if module is modules[-1]:
            if module.re_exports:
                raise BundleError(f"{module.path}: 入口模块不能转导出其他模块")
            out.append(f"// ---- {_shown(module.path, root)}\n{text}")
            continue
        text = _RE_EXPORT.sub("", text)
        text = _DECLARATION.sub(lambda m: f"{m.group(1)} {m.group(2)}", text)
        fields = [*module.exports]
        for listing, source in module.re_exports:
            fields += [f"{local}: {objects[source]}.{name}" for name, local in _names(listing, module.path)]
        out.append(f"// ---- {_shown(module.path, root)}\n"
                   f"const {objects[module.path]} = (() => {{\n{text.rstrip()}\n"
                   f"return {{ {', '.join(fields)} }};\n}})();\n")
    return "\n".join(out).encode("utf-8")


def _without_comment_lines(text: str) -> str:
    """``text`` without the lines that are only a ``//`` comment."""
    code_lines = (line for line in text.splitlines() if not line.lstrip().startswith("//"))
    if any(line.count("`") % 2 for line in code_lines):
        return text
    return _COMMENT_LINE.sub("", text)


def _imports_as_constants(module: _Module, objects: dict[Path, str]) -> str:
    """The module's text, each ``import { a, b as c } from "./x.js"`` made
    ``const { a, b: c } = <x's object>;``."""
    def constant(match: re.Match) -> str:
        names = ", ".join(name if name == local else f"{name}: {local}"
                          for name, local in _names(match.group(1), module.path))
        return f"const {{ {names} }} = {objects[module._resolve(match.group(3))]};"

    return _NAMED_IMPORT.sub(constant, _without_comment_lines(module.text))


def _shown(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()
