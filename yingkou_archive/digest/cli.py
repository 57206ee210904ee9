"""Command-line face of the importer (``invoke import-digest``).

All the logic a terminal needs lives here so the invoke task stays one
line: argument checks, a progress bar for folders, one line per file
written, ``--explain`` output, a summary table per printed page, the review
report (``--report``) and the exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ..errors import ArchiveError
from ..kinds import TAXONOMY_KINDS
from .importer import (
    ImportOptions,
    ImportReport,
    find_pages,
    import_paths,
    parse_date_option,
)
from .roles import ROLE_LABELS
from .writer import DEFAULT_SOURCE

EXIT_OK = 0
EXIT_FAILED = 1      # some page or story could not be imported
EXIT_USAGE = 2       # bad arguments: nothing was tried

_STATUS = {"written": "写入", "replaced": "覆盖", "skipped": "跳过", "failed": "失败"}


def run(paths, date=None, source=None, dry_run=False, force=False, explain=False,
        content_dir="content", console: Console | None = None, report: str | Path | None = None) -> int:
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
    report_path = Path(report) if report else None
    if report_path is not None and report_path.suffix.lower() not in (".html", ".htm"):
        err.print(f"[red]错误[/]：--report {escape(str(report_path))}：报告文件应以 .html 结尾")
        return EXIT_USAGE
    try:
        result = _import_with_progress(paths, options, console)
    except ArchiveError as exc:      # the vocabulary itself is broken
        err.print(f"[red]错误[/]：{escape(str(exc))}")
        return EXIT_USAGE
    print_report(result, console, explain)
    if report_path is not None:
        from .report import write_report
        try:
            written = write_report(result, report_path)
        except OSError as exc:
            err.print(f"[red]错误[/]：无法写入报告 {escape(str(report_path))}：{escape(str(exc))}")
            return EXIT_FAILED
        console.print(f"审阅报告：{escape(_show(written))}")
    return EXIT_OK if result.ok else EXIT_FAILED


def _import_with_progress(paths: list[Path], options: ImportOptions,
                          console: Console) -> ImportReport:
    pages, _ = find_pages(paths)
    many = any(p.is_dir() for p in paths) or len(pages) > 1
    with Progress(TextColumn("[bold]导入版面"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("{task.description}"), console=console,
                  transient=True, disable=not many or not console.is_terminal) as progress:
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
        what = "图片" if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".gif", ".webp") else "文件"
        console.print(f"{prefix}[green]{'将复制' if report.dry_run else '复制'}{what}[/] {escape(_show(path))}")
    issue_status = {"written": "写入", "updated": "补充", "unchanged": "未变"}
    for path, status in report.issue_files:
        verb = ("将" if report.dry_run and status != "unchanged" else "") + issue_status[status]
        console.print(f"{prefix}[green]{verb}版面文件[/] {escape(_show(path))}")
    for warning in report.warnings:
        console.print(f"[yellow]注意[/] {escape(warning)}")
    if report.summaries:
        console.print(summary_table(report))
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


def summary_table(report: ImportReport) -> Table:
    """One row per printed page: stories, characters, tags, warnings."""
    table = Table(title="各版面导入情况", show_lines=False)
    for column, justify in (("版面", "left"), ("文件", "left"), ("稿件", "right"), ("写入", "right"),
                            ("跳过", "right"), ("字数", "right"), ("标签", "left"), ("注意", "right")):
        table.add_column(column, justify=justify)
    for summary in report.summaries:
        statuses = [o.status for o in summary.outcomes]
        tags = summary.tags
        shown = "、".join(tags[:4]) + (f" 等 {len(tags)} 个" if len(tags) > 4 else "")
        table.add_row(escape(f"{summary.page.label} {summary.page.name}".strip()),
                      escape(summary.page.path.name), str(len(statuses)),
                      str(sum(s in ("written", "replaced") for s in statuses)),
                      str(statuses.count("skipped")), str(summary.characters), escape(shown),
                      str(len(summary.warnings) + bool(summary.error)))
    return table


def _explain(outcome, console: Console) -> None:
    story = outcome.story
    if story is not None:
        for note in story.notes:
            console.print(f"    {escape(note)}")
        for line in story.lines:
            where = f"第{line.number}行" if line.number else ""
            console.print(f"      {where}［{ROLE_LABELS.get(line.role, line.role)}］"
                          f"{escape(line.text[:30])}：{escape(line.reason)}")
    for kind in TAXONOMY_KINDS:
        reasons = [r for r in outcome.reasons if r.kind == kind.name]
        if not reasons:
            continue
        console.print(f"    {kind.label} {kind.field}:")
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
    parser.add_argument("--report", help="write a review page (HTML) of the import")
    parser.add_argument("--content-dir", default="content")
    args = parser.parse_args(list(argv) if argv is not None else None)
    return run(args.paths, date=args.date, source=args.source, dry_run=args.dry_run,
               force=args.force, explain=args.explain, content_dir=args.content_dir,
               report=args.report)


if __name__ == "__main__":
    sys.exit(main())
