"""The review report: one self-contained HTML page for a day's import.

``invoke import-digest FOLDER --dry-run --report review.html`` writes it.
For every printed page it shows each line coloured by the role it got and
why, next to the stories made from it with their tags and the evidence for
each tag, so an editor can check a day's import in a minute before writing
anything.  The page loads nothing from anywhere (inline CSS, no script)
and every piece of page text is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from ..kinds import TAXONOMY_KINDS
from .importer import ImportReport, Outcome, PageSummary
from .model import LineNote
from .roles import ROLE_LABELS

ROLE_COLOURS = {
    "headline": "#ffd6d6", "kicker": "#ffe8cc", "subtitle": "#fff1cc", "byline": "#e0f0ff",
    "dateline": "#d9f2e6", "body": "#ffffff", "caption": "#efe3ff", "credit": "#e8eaf0",
    "jump": "#ffe0f0", "furniture": "#eeeeee", "table": "#e6f7f7", "table_title": "#d6f0f0",
    "column": "#f5e6d3", "section": "#ffeeee", "summary": "#f0f7d4",
}
_STATUS = {"written": "写入", "replaced": "覆盖", "skipped": "跳过", "failed": "失败"}
_CSS = """
body{font-family:sans-serif;margin:1.5em;color:#222;line-height:1.5}
h1{font-size:1.4em} h2{font-size:1.2em;border-top:2px solid #888;padding-top:.6em;margin-top:2em}
table.summary{border-collapse:collapse} table.summary td,table.summary th{border:1px solid #bbb;padding:.2em .5em}
.page{display:flex;gap:1.5em;align-items:flex-start}
.lines{flex:1 1 50%;font-size:.9em} .stories{flex:1 1 50%}
.line{padding:.15em .4em;border-left:4px solid #999;margin:1px 0}
.line .role{display:inline-block;min-width:5em;font-weight:bold}
.line .why{display:block;color:#555;font-size:.85em}
.no{color:#888;display:inline-block;min-width:2.5em}
.story{border:1px solid #ccc;border-radius:4px;padding:.6em;margin-bottom:1em}
.story h3{margin:.2em 0} .kicker,.subtitle{color:#555}
.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 .3em;margin:.1em}
.evidence{color:#555;font-size:.85em;margin-left:1em}
.warn{color:#a40} .legend span{padding:0 .4em;margin-right:.3em;border:1px solid #ccc}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def write_report(report: ImportReport, path: Path) -> Path:
    parts = [
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>导入审阅报告</title><style>{_CSS}</style></head><body>",
        f"<h1>导入审阅报告{'（试运行，未写入）' if report.dry_run else ''}</h1>",
        (f"<p>生成于 {dt.datetime.now():%Y-%m-%d %H:%M}；版面 {len(report.summaries)} 个，"
         f"文章 {len(report.outcomes)} 篇（{'将写入' if report.dry_run else '写入'} {len(report.written)}，"
         f"跳过 {len(report.skipped)}，失败 {len(report.failed)}），"
         f"无法导入的文件 {len(report.failed_pages)} 个。</p>"),
        _legend(), _summary_table(report),
    ]
    for error in report.failed_pages:
        parts.append(f"<p class=\"warn\">无法导入：{_e(error)}</p>")
    for number, summary in enumerate(report.summaries, 1):
        parts.append(_page_section(number, summary))
    parts.append("</body></html>\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _legend() -> str:
    spans = "".join(f"<span style=\"background:{ROLE_COLOURS[r]}\">{_e(label)}</span>"
                    for r, label in ROLE_LABELS.items() if r in ROLE_COLOURS)
    return f"<p class=\"legend\">角色颜色：{spans}</p>"


def _summary_table(report: ImportReport) -> str:
    rows = [("<table class=\"summary\"><tr><th>版面</th><th>文件</th><th>稿件</th><th>字数</th>"
             "<th>标签</th><th>注意</th></tr>")]
    for summary in report.summaries:
        rows.append(
            f"<tr><td>{_e(summary.page.label)} {_e(summary.page.name)}</td><td>{_e(summary.page.path.name)}</td>"
            f"<td>{len(summary.outcomes)}</td><td>{summary.characters}</td>"
            f"<td>{len(summary.tags)}</td><td>{len(summary.warnings) + bool(summary.error)}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _page_section(number: int, summary: PageSummary) -> str:
    page = summary.page
    head = (f"<h2 id=\"page-{number}\">{_e(page.label)} {_e(page.name)} · {_e(page.path)}"
            f"{' · ' + _e(summary.date) if summary.date else ''}</h2>")
    warnings = "".join(f"<li>{_e(w)}</li>" for w in summary.warnings)
    if summary.error:
        warnings += f"<li>{_e(summary.error)}</li>"
    lines = "".join(_line(note) for p in summary.pages for note in p.lines)
    stories = "".join(_story(o) for o in summary.outcomes)
    return (head + (f"<ul class=\"warn\">{warnings}</ul>" if warnings else "")
            + f"<div class=\"page\"><div class=\"lines\">{lines}</div>"
            + f"<div class=\"stories\">{stories}</div></div>")


def _line(note: LineNote) -> str:
    colour = ROLE_COLOURS.get(note.role, "#fff")
    number = f"<span class=\"no\">{note.number}</span>" if note.number else ""
    return (f"<div class=\"line\" style=\"background:{colour}\">{number}"
            f"<span class=\"role\">{_e(ROLE_LABELS.get(note.role, note.role))}</span>{_e(note.text)}"
            f"<span class=\"why\">{_e(note.reason)}</span></div>")


def _story(outcome: Outcome) -> str:
    story = outcome.story
    if story is None:
        return f"<div class=\"story\"><h3>{_e(outcome.title)}</h3><p class=\"warn\">{_e(outcome.reason)}</p></div>"
    parts = ["<div class=\"story\">"]
    if story.kicker:
        parts.append(f"<div class=\"kicker\">引题：{_e(story.kicker)}</div>")
    parts.append(f"<h3>{story.position}. {_e(story.title)}</h3>")
    if story.subtitle:
        parts.append(f"<div class=\"subtitle\">副题：{_e(story.subtitle)}</div>")
    parts.append(f"<div>{_e(_STATUS[outcome.status])} {_e(outcome.path or '')}</div>")
    if outcome.reason:
        parts.append(f"<div class=\"evidence\">{_e(outcome.reason)}</div>")
    if story.credits:
        parts.append("<div>作者：" + "、".join(_e(c) for c in story.credits) + "</div>")
    for label, values in (("转至", story.continued_to), ("接自", story.continued_from)):
        if values:
            parts.append(f"<div>{label}：{_e('、'.join(values))}</div>")
    if outcome.tags is not None:
        for kind, label in ((k.name, k.label) for k in TAXONOMY_KINDS):
            reasons = [r for r in outcome.tags.reasons if r.kind == kind]
            tags = "".join(f"<span class=\"tag\">{_e(r.name)}</span>" for r in reasons) or "（无）"
            parts.append(f"<div>{label}：{tags}</div>")
            parts += [f"<div class=\"evidence\">{_e(r)}</div>" for r in reasons]
    parts += [f"<div class=\"evidence\">{_e(n)}</div>" for n in story.notes]
    parts.append(f"<div class=\"evidence\">正文 {len(story.blocks)} 段</div></div>")
    return "".join(parts)
