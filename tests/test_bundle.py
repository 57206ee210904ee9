"""The search page's bundle (yingkou_archive/bundle.py): one file that runs
as its modules do, and a clear refusal of module forms it cannot keep."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from yingkou_archive.bundle import BundleError, bundle

NODE = shutil.which("node")


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _node(path: Path) -> str:
    assert NODE, "node is needed (it comes with npm, which .ci/run installs)"
    done = subprocess.run([NODE, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


GRAPH = {
    # state kept inside a module, changed through its exports
    "leaf.mjs": 'console.log("leaf runs");\nlet count = 0;\nconst helper = "leaf";\n'
                "export const base = 40;\nexport function bump() { count += 1; return count; }\n"
                "export class Thing { constructor() { this.n = bump(); } }\n",
    # the same top-level name as leaf and top, an alias, a re-export, a multi-line import
    "mid.mjs": 'import {\n  base,\n  bump as next,\n} from "./leaf.mjs";\n'
               'export { Thing as Made } from "./leaf.mjs";\nconsole.log("mid runs");\n'
               'const helper = "mid";\nexport const total = base + next();\n'
               "export async function later() { return helper + next(); }\n",
    "top.mjs": 'import { total, later, Made } from "./mid.mjs";\nimport { Thing, bump } from "./leaf.mjs";\n'
               'const helper = "top";\nconst made = new Made();\n'
               "console.log(JSON.stringify([helper, total, made instanceof Thing, made.n, bump()]));\n"
               "later().then((value) => console.log(value));\n",
}


def test_a_bundle_runs_as_its_modules_do(tmp_path):
    _write(tmp_path, GRAPH)
    (tmp_path / "top.bundle.mjs").write_bytes(bundle(tmp_path / "top.mjs"))
    as_modules = _node(tmp_path / "top.mjs")
    # each module runs once, after what it imports; state, aliases, classes
    # and re-exports behave the same
    assert as_modules.splitlines() == ["leaf runs", "mid runs", '["top",41,true,2,3]', "mid4"]
    assert _node(tmp_path / "top.bundle.mjs") == as_modules


def test_comment_lines_are_left_out_but_never_text(tmp_path):
    _write(tmp_path, {
        "leaf.mjs": "// a comment line\n  // an indented one\nexport const url = 'http://example.invalid/x'; // kept\n",
        "top.mjs": 'import { url } from "./leaf.mjs";\n// gone\nconsole.log(url);\n',
        "text.mjs": "const lines = `first\n// not a comment: text\nlast`;\n// kept too\nconsole.log(lines);\n",
    })
    packed = bundle(tmp_path / "top.mjs").decode("utf-8")
    for line in ("// a comment line", "// an indented one", "// gone"):
        assert line not in packed
    assert "'http://example.invalid/x'; // kept" in packed
    (tmp_path / "top.bundle.mjs").write_text(packed, encoding="utf-8")
    assert _node(tmp_path / "top.bundle.mjs") == "http://example.invalid/x\n"
    # a template literal over several lines: its "comment" is text, so the module keeps every line
    (tmp_path / "text.bundle.mjs").write_bytes(bundle(tmp_path / "text.mjs"))
    assert "// kept too" in (tmp_path / "text.bundle.mjs").read_text(encoding="utf-8")
    assert _node(tmp_path / "text.bundle.mjs") == _node(tmp_path / "text.mjs")


def test_the_search_page_bundle_is_valid_javascript(tmp_path):
    path = tmp_path / "search.bundle.mjs"
    path.write_bytes(bundle(Path(__file__).parent.parent / "theme" / "static" / "js" / "search.js"))
    assert NODE
    done = subprocess.run([NODE, "--check", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("line", [
    "export default function f() {}",
    'export * from "./leaf.mjs";',
    "export let changing = 1;",
    'import * as leaf from "./leaf.mjs";',
    'import base from "./leaf.mjs";',
    'const later = import("./leaf.mjs");',
    "  export const indented = 1;",
])
def test_forms_it_cannot_keep_stop_the_bundle_naming_the_file(tmp_path, line):
    _write(tmp_path, {"leaf.mjs": "export const base = 1;\n",
                      "odd.mjs": f"// a module\n{line}\n", "top.mjs": 'import { x } from "./odd.mjs";\n'})
    with pytest.raises(BundleError, match=r"odd\.mjs:2"):
        bundle(tmp_path / "top.mjs")


def test_import_cycles_are_refused(tmp_path):
    _write(tmp_path, {"a.mjs": 'import { b } from "./b.mjs";\nexport const a = 1;\n',
                      "b.mjs": 'import { a } from "./a.mjs";\nexport const b = 2;\n'})
    with pytest.raises(BundleError, match="循环"):
        bundle(tmp_path / "a.mjs")
