"""Command-line face of the importer (``invoke import-digest``).

All the logic a terminal needs lives here so the invoke task stays one
line: argument checks, a progress bar for folders, one line per file
written, ``--explain`` output, a summary and the exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ..errors import ArchiveError
from .importer import ImportOptions, ImportReport, find_pages, import_paths, parse_date_option
from .writer import DEFAULT_SOURCE

EXIT_OK = 0
EXIT_FAILED = 1      # some page or story could not be imported
EXIT_USAGE = 2       # bad arguments: nothing was tried

_STATUS = {"written": "写入", "replaced": "覆盖", "skipped": "跳过", "failed": "失败"}


def run(paths, date=None, source=None, dry_run=False, force=False, explain=False,
        content_dir="content", console: Console | None = None) -> int:
    """Import ``paths`` (a path or a list of paths); returns the exit code."""
    console = console or Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True) if console.file is sys.stdout else console
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        err.print("[red]错误[/]：请给出要导入的文件或文件夹")
        return EXIT_USAGE
    try:
        day = parse_date_option(date)
    except ValueError as exc:
        err.print(f"[red]错误[/]：--date {escape(str(date))}：{escape(str(exc))}")
        return EXIT_USAGE
    content_dir = Path(content_dir)
    if not (content_dir / "taxonomy.yml").is_file():
        err.print(f"[red]错误[/]：{escape(str(content_dir))} 下没有 taxonomy.yml（内容目录不对？）")
        return EXIT_USAGE
    options = ImportOptions(content_dir=content_dir, date=day,
                            source=(source or DEFAULT_SOURCE).strip() or DEFAULT_SOURCE,
                            dry_run=dry_run, force=force)
    try:
        report = _import_with_progress(paths, options, console)
    except ArchiveError as exc:      # the vocabulary itself is broken
        err.print(f"[red]错误[/]：{escape(str(exc))}")
        return EXIT_USAGE
    print_report(report, console, explain)
    return EXIT_OK if report.ok else EXIT_FAILED


def _import_with_progress(paths: list[Path], options: ImportOptions,
                          console: Console) -> ImportReport:
    pages, _ = find_pages(paths)
    folder = any(p.is_dir() for p in paths)
    with Progress(TextColumn("[bold]导入版面"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), console=console, transient=True,
                  disable=not folder or not console.is_terminal) as progress:
        task = progress.add_task("", total=len(pages))

        def advance(path: Path) -> None:
            progress.update(task, advance=1, description=escape(path.name))

        return import_paths(paths, options, progress=advance)


def print_report(report: ImportReport, console: Console, explain: bool = False) -> None:
    prefix = "[dim](试运行，未写入)[/] " if report.dry_run else ""
    for outcome in report.outcomes:
        status = _STATUS[outcome.status]
        if report.dry_run and outcome.status in ("written", "replaced"):
            status = "将" + status
        colour = {"written": "green", "replaced": "yellow", "skipped": "dim", "failed": "red"}[outcome.status]
        where = escape(_show(outcome.path)) if outcome.path else ""
        line = f"{prefix}[{colour}]{status}[/] {where}  《{escape(outcome.title)}》"
        if outcome.reason:
            line += f"\n    {escape(outcome.reason)}"
        console.print(line)
        if explain:
            _explain(outcome, console)
    for error in report.failed_pages:
        console.print(f"[red]失败[/] {escape(str(error))}")
    for path in report.images:
        console.print(f"{prefix}[green]{'将复制' if report.dry_run else '复制'}图片[/] {escape(_show(path))}")
    for warning in report.warnings:
        console.print(f"[yellow]注意[/] {escape(warning)}")
    written = len(report.written)
    summary = (f"版面 {report.pages} 个；{'将写入' if report.dry_run else '写入'} {written} 篇，"
               f"跳过 {len(report.skipped)} 篇，失败 {len(report.failed)} 篇"
               f"，无法导入的文件 {len(report.failed_pages)} 个")
    style = "green" if report.ok else "red"
    console.print(f"[{style}]{summary}[/]")


def _show(path: Path) -> str:
    """A path as short as it can be: relative to the working folder."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _explain(outcome, console: Console) -> None:
    labels = {"topic": "专题 Topic", "district": "地区 District", "agency": "部门 Agency"}
    for kind in ("topic", "district", "agency"):
        reasons = [r for r in outcome.reasons if r.kind == kind]
        if not reasons:
            continue
        console.print(f"    {labels[kind]}:")
        for reason in reasons:
            console.print(f"      - {escape(str(reason))}")


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m yingkou_archive.digest.cli PATH… [--date …]`` (no invoke)."""
    import argparse

    parser = argparse.ArgumentParser(description="把摘要版面导入为文章")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--date")
    parser.add_argument("--source")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--content-dir", default="content")
    args = parser.parse_args(list(argv) if argv is not None else None)
    return run(args.paths, date=args.date, source=args.source, dry_run=args.dry_run,
               force=args.force, explain=args.explain, content_dir=args.content_dir)


if __name__ == "__main__":
    sys.exit(main())
