"""Pelican adapter: the printed paper — page views, days, the calendar.

The model is yingkou_archive/paper.py, made from the issue files
(yingkou_archive/issues.py, checked like articles by ``invoke check`` and
the build's reader plugin) and the articles' Source, Date and Page fields.
This plugin writes, each with a render key (plugins/archive_writer/keys.py)
so that an unchanged page is not rendered again:

* a page view per printed page (``issue.html``, ``issues/YYYY/MM/DD/<paper>-<page>/``);
* a day page per day with an issue (``issue_day.html``, ``issues/YYYY/MM/DD/``);
* the calendar 往期回顾: ``issues/`` and one page per year (``issues.html``,
  ``issues/YYYY/``);
* the pages' PDFs, copied to the same path as under content/ (a changed
  one is written to a new file, never edited in place; ``output_files``).

Each article on a printed page gets ``issue`` (its page), ``issue_number``,
``issue_region`` and ``page_previous``/``page_next``; templates get
``paper`` (the whole model) and ``issue_pages`` (every page).
"""

from __future__ import annotations

import os
import shutil
from functools import partial
from pathlib import Path

from pelican import signals

from fileutil import same_bytes
from plugins.archive_writer import article_pages_changing, output_files
from plugins.archive_writer.keys import brief, list_key
from yingkou_archive.issues import read_issues
from yingkou_archive.paper import group


def _key(writer, articles, *data) -> dict:
    """``render_key=`` for the archive's writer; Pelican's own has none."""
    return {"render_key": list_key(articles, *data)} if hasattr(writer, "page_keys") else {}


_paper = [None]  # this build's printed paper, for changing_printed_articles


def forget_paper(_pelican):
    _paper[0] = None  # several builds may run in one process


def changing_printed_articles(_writer, **_kwargs) -> set[int] | None:
    """For plugins.archive_writer (article_pages_changing): every article
    on a printed page.  Its page shows the page's image, region and
    neighbours there, which the issue files decide, and the build keeps no
    record of what they were: these pages' keys are always made."""
    paper = _paper[0]
    if paper is None:
        return None
    return {id(entry.article) for page in paper.pages for entry in page.entries}


def build_paper(generator):
    content = Path(os.path.abspath(generator.settings["PATH"]))
    everything = list(generator.articles) + list(getattr(generator, "archive_drafts", []))
    files = {}
    for article in everything:
        # Pelican's path from the content folder, with "/": no path made per
        # article (pathlib for each cost 0.9 s at 50,000 articles, abspath
        # and a slice 0.15-0.25 s)
        rel = article.relative_source_path
        if not rel.startswith(("../", "/")):
            files[rel] = article
    published = {id(a) for a in generator.articles}
    # problems are named by content_check.site_problems (the reader plugin)
    issue_files, _problems = read_issues(content, content.parent, set(files))
    paper = group(generator.articles, issue_files,
                  {path: a for path, a in files.items() if id(a) in published})
    generator.archive_paper = paper
    # without the archive reader's store nothing tells what changed: no answer then
    _paper[0] = paper if getattr(generator, "archive_history", None) is not None else None
    generator.context["paper"] = paper
    generator.context["issue_pages"] = paper.pages


def _image_key(page) -> tuple:
    """The names of the page image's derivatives (they carry its hash)."""
    if not page.image:
        return ()
    try:
        from plugins.archive_images import image_set
    except ImportError:  # pragma: no cover - the images plugin is part of the project
        return (page.image,)
    return tuple(d.path for d in image_set(page.image).derivatives)


def _around(page) -> tuple:
    """What a page view shows of its neighbours."""
    def link(other):
        return (other.url, other.heading, other.title) if other else ()
    issue = page.issue
    return (link(page.previous), link(page.next),
            link(issue.previous.pages[0]) if issue.previous else (),
            link(issue.next.pages[0]) if issue.next else (),
            tuple(p.key_data()[:4] for p in issue.pages))


def write_paper(generator, writer):
    paper = getattr(generator, "archive_paper", None)
    if paper is None:
        return
    write = partial(writer.write_file, relative_urls=generator.settings["RELATIVE_URLS"])
    context = generator.context
    if not paper.issues:  # the calendar page is always there (content_check.FIXED_URLS)
        write("issues/index.html", generator.get_template("issues"), context, year=None, newer=None,
              older=None, url="issues/", calendar_url="issues/", **_key(writer, (), "front", "empty"))
        return
    for page in paper.pages:
        page.image_key = _image_key(page)
    view = generator.get_template("issue")
    for page in paper.pages:
        regions = tuple(brief(a) for a in page.articles)
        write(page.save_as, view, context, issue=page, url=page.url, articles=page.articles,
              **_key(writer, page.articles, "page", page.key_data(), page.image_key, _around(page), regions))
    day_template = generator.get_template("issue_day")
    for day in paper.days:
        write(day.save_as, day_template, context, day=day, url=day.url, articles=day.articles,
              **_key(writer, [p.articles[0] for p in day.pages if p.articles], "day", day.key_data(),
                     tuple(p.image_key for p in day.pages)))
    calendar = generator.get_template("issues")
    years = paper.years
    for index, year in enumerate(years):
        days = tuple(d.url for d in paper.days if d.date.year == year)
        newer = years[index - 1] if index > 0 else None
        older = years[index + 1] if index + 1 < len(years) else None
        data = ("calendar", year, days, tuple(years))
        write(f"issues/{year}/index.html", calendar, context, year=year, newer=newer, older=older,
              url=f"issues/{year}/", calendar_url=f"issues/{year}/", **_key(writer, (), *data))
        if index == 0:
            write("issues/index.html", calendar, context, year=year, newer=None, older=older,
                  url="issues/", calendar_url="issues/", **_key(writer, (), "front", *data))
    _copy_pdfs(generator, writer, paper)


def _copy_pdfs(generator, writer, paper) -> None:
    content, output = generator.settings["PATH"], generator.settings["OUTPUT_PATH"]
    produced, changed = set(), set()
    for page in paper.pages:
        if not page.pdf or page.pdf in produced:
            continue
        source, target = os.path.join(content, page.pdf), os.path.join(output, page.pdf)
        produced.add(page.pdf)
        with open(source, "rb") as handle:
            data = handle.read()
        if same_bytes(target, data):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        temporary = f"{target}.{os.getpid()}.tmp"
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)  # a new file: the live output's copy is untouched
        changed.add(page.pdf)
    if produced:
        output_files.send(writer, produced=produced, changed=changed)


def register():
    signals.initialized.connect(forget_paper)
    signals.article_generator_finalized.connect(build_paper)
    article_pages_changing.connect(changing_printed_articles)
    signals.article_writer_finalized.connect(write_paper)
