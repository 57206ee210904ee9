"""Invoke tasks: each one wires steps together; the work is done elsewhere.

    invoke build [--content DIR] [--output DIR]
    invoke clean | rebuild | serve | reserve | check
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from sitebuild.build import build_site  # noqa: E402
from yingkou_archive.errors import ArchiveError  # noqa: E402

OUTPUT = ROOT / "output"
CONTENT = ROOT / "content"
PORT = 8000


def _fail(error: Exception):
    print(error, file=sys.stderr)
    raise Exit(code=1)


@task(help={"content": "content folder (default: content/)",
            "output": "output folder (default: output/)",
            "settings": "settings file (default: pelicanconf.py)"})
def build(c, content=None, output=None, settings=None):
    """Build the site and its search index; keep the old output on failure."""
    try:
        result = build_site(content, output, settings_file=settings)
    except ArchiveError as error:
        _fail(error)
    for warning in result.warnings:
        print(f"警告：{warning}", file=sys.stderr)
    print(f"已生成 {result.output_dir}（{result.seconds:.1f} 秒）")


@task(help={"output": "output folder (default: output/)"})
def clean(c, output=None):
    """Remove the generated site."""
    target = Path(output or OUTPUT)
    if target.exists():
        shutil.rmtree(target)


@task(help={"content": "content folder", "output": "output folder"})
def rebuild(c, content=None, output=None):
    """Clean, then build."""
    clean(c, output)
    build(c, content, output)


@task(help={"port": f"port (default {PORT})", "output": "output folder"})
def serve(c, port=PORT, output=None):
    """Serve the built site on http://localhost:PORT/."""
    from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer

    root = str(Path(output or OUTPUT))
    server = RootedHTTPServer(root, ("127.0.0.1", int(port)), ComplexHTTPRequestHandler)
    print(f"在 http://localhost:{port}/ 预览（Ctrl+C 结束）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


@task(help={"port": f"port (default {PORT})"})
def reserve(c, port=PORT):
    """Build, then serve."""
    build(c)
    serve(c, port)


@task(help={"content": "content folder (default: content/)"})
def check(c, content=None):
    """Check all content with the build's rules, without building."""
    from yingkou_archive.content_check import check_content

    try:
        report = check_content(Path(content or CONTENT))
    except ArchiveError as error:
        _fail(error)
    for warning in report.warnings:
        print(f"警告：{warning}")
    for problem in report.problems:
        print(f"错误：{problem}", file=sys.stderr)
    if not report.ok:
        raise Exit(f"{len(report.problems)} 处错误", code=1)
    print(f"检查通过：{len(report.articles)} 篇文章")


CHROMIUM = "/usr/bin/chromium"


def _ensure_chromium(c):
    """The browser tests drive Debian's Chromium (no browser downloads here)."""
    if Path(CHROMIUM).exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("安装浏览器测试所需的 chromium（apt-get）…")
        c.run("apt-get update -qq && apt-get install -y -qq chromium", hide="out")
        return
    raise Exit(f"浏览器测试需要 {CHROMIUM}：请先运行 sudo apt-get install -y chromium", code=1)


@task(help={"args": "extra pytest arguments, e.g. -k search"})
def test(c, args=""):
    """Run all tests (installs Debian's chromium first if missing and root)."""
    _ensure_chromium(c)
    c.run(f"{sys.executable} -m pytest {args}", pty=False)
