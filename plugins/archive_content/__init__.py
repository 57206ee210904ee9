"""Pelican adapter: read articles with the archive's own rules.

The rules live in ``yingkou_archive`` (no Pelican there).  This plugin

* replaces Pelican's Markdown reader with one that validates and renders
  every article and page as ``invoke check`` does
  (:func:`yingkou_archive.content_check.prepare_article`): only the fields
  the archive knows reach Pelican, lists split on Chinese separators,
  captioned photos become figures, the HTML is sanitized;
* reads the articles through a store of what earlier builds read, so an
  unchanged file is neither read nor parsed again
  (plugins/archive_content/store.py) — in place of Pelican's own reading;
* collects every problem instead of letting Pelican log and skip the file,
  and fails the build with all of them once reading is done, together with
  the site-wide ones ``invoke check`` finds the same way
  (:func:`yingkou_archive.content_check.site_problems`: two files for one
  URL, links to pages that do not exist, symbolic links, static files that
  are not images);
* keeps drafts (``Status: draft``) out of everything Pelican writes.

Rendering uses ``yingkou_archive.body`` (its MARKDOWN_CONFIG is the
MARKDOWN setting of pelicanconf.py), so check and build render alike.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import logging
import os
import re
from pathlib import Path
from typing import NamedTuple

from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import order_content

from plugins.archive_content.store import STORE_INPUT, read_articles
from plugins.archive_writer import article_pages_changing, pages_rendering, writing_started
from plugins.build_vocabulary import build_vocabulary
from plugins.forked import Pending, worth_forking
from plugins.pelican_internals import replace_reading, skip_idle_disabled_reader_check
from yingkou_archive.article import plain_text
from yingkou_archive.body import missing_files
from yingkou_archive.content_check import prepare_article, prepare_page, site_problems
from yingkou_archive.errors import ContentError, Problem
from yingkou_archive.links import is_site_path, through_symlink

logger = logging.getLogger(__name__)

SUMMARY_CHARS = 110
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


def load_build_vocabulary(pelican):
    """Before any worker forks: they share the loaded vocabulary."""
    build_vocabulary(pelican.settings)


def derived_summary(body_html: str) -> str:
    """First paragraph as plain text, cut to a readable length.

    Pelican's default summary counts space-separated words, and a Chinese
    paragraph has none, so it would be the whole article.
    """
    match = _FIRST_PARAGRAPH.search(body_html)
    if not match:
        return ""
    text = plain_text(match.group(1))
    if len(text) > SUMMARY_CHARS:
        text = text[:SUMMARY_CHARS].rstrip("，、；：,;: ") + "…"
    return html.escape(text, quote=False)


class Prepared(NamedTuple):
    content: str | None
    checked: object  # yingkou_archive.content_check.Checked
    summary: str
    problems: list
    warnings: list
    source_hash: str = ""


class ArchiveMarkdownReader(MarkdownReader):
    """Markdown reader that applies the archive's rules to each file."""

    def __init__(self, settings):
        super().__init__(settings)
        self.problems: list[Problem] = []

    @property
    def _root(self) -> Path:
        return Path(os.path.abspath(self.settings["PATH"]))

    def _shown_path(self, source_path: str) -> str:
        return os.path.relpath(source_path, self._root.parent)

    def _fail(self, problems: list[Problem]):
        self.problems.extend(problems)
        raise ContentError(problems)

    def prepare(self, source_path) -> Prepared:
        """Validate and render one article: the expensive, Pelican-free part.

        Returns only picklable values, so it can run in worker processes.
        """
        with open(source_path, "rb") as handle:
            raw = handle.read()
        result = prepare_article(raw, self._shown_path(source_path), Path(source_path),
                                 self._root, build_vocabulary(self.settings))
        if result.checked is None:
            return Prepared(None, None, "", result.problems, result.warnings)
        meta = result.checked.meta
        summary = html.escape(plain_text(meta.summary), quote=False) if meta.summary \
            else derived_summary(result.html)
        return Prepared(result.html, result.checked, summary, [], result.warnings,
                        hashlib.sha1(raw).hexdigest())

    def read(self, source_path):
        """Pelican reads only pages (about, …) with this: articles come from
        the store, which calls :meth:`prepare` (plugins/archive_content/store.py)."""
        # Pelican follows symbolic links; the archive refuses them (named by
        # site_problems), so a file reached through one is not read at all
        if through_symlink(Path(source_path), self._root):
            return None, {"status": "skip"}
        return self._read_page(source_path)

    def _read_page(self, source_path):
        """Pages (about, …): a title, a slug, a body with the same rules."""
        with open(source_path, "rb") as handle:
            result = prepare_page(handle.read(), self._shown_path(source_path), Path(source_path),
                                  self._root)
        if result.checked is None:
            self._fail(result.problems)
        meta = result.checked.meta
        return result.html, {"title": meta.title, "slug": meta.slug,
                             "archive_checked": result.checked}


def read_articles_from_store(generator):
    """Pelican's ArticlesGenerator.generate_context, with articles from the
    store (plugins/archive_content/store.py) instead of Pelican's reading
    and cache: the same attributes, context and signals."""
    settings, context = generator.settings, generator.context
    reader = generator.readers.readers["md"]
    articles, problems, history = read_articles(generator, reader,
                                                lambda metadata: format_url_once(generator, metadata))
    reader.problems += problems
    # which articles are new since an output was built (plugins/list_pages)
    generator.archive_history = _history[0] = history
    _with_files[0] = generator.archive_with_files = []
    by_status = {"published": [], "draft": [], "hidden": []}
    root = os.path.abspath(settings["PATH"])
    # the articles whose bodies reference files (images, attachments): few,
    # and plugins that look at those files go over these instead of all
    # (every pass over 100,000 article objects costs about 0.5 s)
    for article in articles:
        by_status.setdefault(article.status, []).append(article)
        # what Generator.add_source_path does, without its relpath per article
        context["generated_content"][article.relative_source_path] = article
        files = article.archive_files
        if files:
            generator.archive_with_files.append(article)
            context["static_links"] |= {os.path.relpath(resolved, root).replace(os.sep, "/")
                                        for _target, resolved in files}
    order = settings["ARTICLE_ORDER_BY"]
    generator.articles = order_content(by_status["published"], order)
    generator.hidden_articles = order_content(by_status["hidden"], order)
    # Drafts are checked (fail_on_problems) but kept out of lists, feeds,
    # the sitemap and search; with DRAFT_SAVE_AS empty they are not written
    generator.archive_drafts = order_content(by_status["draft"], order)
    generator.drafts = generator.archive_drafts if settings.get("DRAFT_SAVE_AS") else []
    generator.translations, generator.drafts_translations, generator.hidden_translations = [], [], []
    link_neighbours(generator.articles)
    signals.article_generator_pretaxonomy.send(generator)
    # Pelican's author, category and tag pages are switched off (their
    # SAVE_AS settings are empty): no groups for them
    generator.authors, generator.categories, generator.tags = [], [], {}
    generator.dates = sorted(generator.articles, key=lambda a: a.date,
                             reverse=settings["NEWEST_FIRST_ARCHIVES"])
    generator.period_archives = {}
    for name in ("articles", "drafts", "hidden_articles", "dates", "categories", "authors", "related_posts"):
        context[name] = getattr(generator, name, [])
    context["tags"] = []
    context["period_archives"] = {}
    signals.article_generator_finalized.send(generator)


_history = [None]  # this build's store history, for record_store_state
_with_files = [[]]  # this build's articles whose bodies link files


def forget_history(_pelican):
    _history[0] = None  # several builds may run in one process
    _with_files[0] = []


def changing_article_pages(writer, **_kwargs) -> set[int] | None:
    """For plugins.archive_writer (article_pages_changing): the articles
    new or changed since the output's build, their previous and next
    articles (a new article comes between two; with an article removed or
    moved the store cannot tell), and those whose bodies link files (an
    image may change without its article)."""
    history = _history[0]
    changed = None if history is None else history.changed_articles(writer.previous_inputs.get(STORE_INPUT))
    if changed is None:
        return None
    ids = set(map(id, _with_files[0]))
    for article in changed:
        for shown in (article, getattr(article, "prev_article", None), getattr(article, "next_article", None)):
            if shown is not None:
                ids.add(id(shown))
    return ids


def record_store_state(writer):
    """The output remembers which store generation it is built from."""
    if _history[0] is not None:
        writer.record_input(STORE_INPUT, _history[0].state())


def link_neighbours(newest_first: list) -> None:
    """Each article's newer (``next_article``) and older (``prev_article``)
    neighbour, as pelican-neighbors named them."""
    for i, article in enumerate(newest_first):
        article.next_article = newest_first[i - 1] if i > 0 else None
        article.prev_article = newest_first[i + 1] if i + 1 < len(newest_first) else None


def read_from_store(generator):
    if isinstance(generator.readers.readers.get("md"), ArchiveMarkdownReader):
        replace_reading(generator, read_articles_from_store)
        skip_idle_disabled_reader_check(generator)


def use_archive_reader(readers):
    for extension in ArchiveMarkdownReader.file_extensions:
        readers.reader_classes[extension] = ArchiveMarkdownReader


def _reader_problems(generator) -> list[Problem]:
    problems = []
    for reader in generator.readers.readers.values():
        problems += getattr(reader, "problems", [])
    return problems


def _checked_items(generators, attributes) -> list:
    return [item for generator in generators for attribute in attributes
            for item in getattr(generator, attribute, [])]


def content_problems(generators) -> list[Problem]:
    """Everything wrong with the content read, in the order found (each
    problem once): the readers', each article's and page's, the site-wide."""
    problems = []
    for generator in generators:
        if hasattr(generator, "readers"):
            problems += _reader_problems(generator)
    articles = _checked_items(generators, ("articles", "archive_drafts"))
    pages = _checked_items(generators, ("pages",))
    for item in articles + pages:
        checked = item.archive_checked
        # an article from the reader cache was not re-read: its images may
        # have been deleted since
        problems += missing_files(checked.files, checked.meta.path)
        # every link to it is made from this URL (lists, feeds, sitemap, search)
        if checked.published and not is_site_path(item.url):
            problems.append(Problem(checked.meta.path, f"网址“{item.url}”不是站内路径"))
    settings = generators[0].settings
    content_dir = Path(os.path.abspath(settings["PATH"]))
    problems += site_problems([a.archive_checked for a in articles],
                              [p.archive_checked for p in pages],
                              build_vocabulary(settings), content_dir, content_dir.parent)
    return list(dict.fromkeys(problems))


_checking = Pending()


def fail_on_problems(generators):
    """After all content is read: stop the build if anything was wrong.

    A large archive is checked in a forked process (plugins/forked.py; 1.5 s
    at 50,000 articles, on the other core) while Pelican queues its pages
    and the writer works out which changed; the writer waits for it before
    it renders the first page (:func:`wait_for_checks`), so a build with a
    problem still renders nothing.  A later stage that fails on the bad
    content first (an image that is not one) is reported by its cause:
    plugins/pelican_run.py asks for these problems then."""
    if worth_forking(sum(len(getattr(g, "articles", ())) for g in generators)):
        _checking.start("内容检查", content_problems, generators)
        return
    _checking.stop()
    problems = content_problems(generators)
    if problems:
        raise ContentError(problems)


def pending_problems() -> list[Problem]:
    """The problems the checks running beside the build found (waiting for
    them); none when no check is running."""
    taken = _checking.take()
    return taken[0] if taken else []


def wait_for_checks(*_args, **_kwargs):
    problems = pending_problems()
    if problems:
        raise ContentError(problems)


def format_url_once(generator, metadata):
    """Give a published article its URL and file name as metadata.

    Pelican formats ARTICLE_URL and ARTICLE_SAVE_AS again on each access,
    with its own strftime for every date field and a relpath of the source,
    and listings, feeds, the sitemap and the writer access them tens of
    thousands of times.  Metadata ``url``/``save_as`` are used as they are,
    so they are formatted here once, from the same settings, with the plain
    datetime formatting.  A pattern with a field only Pelican provides
    (path, category, author) is left to Pelican.
    """
    settings = generator.settings
    date, slug = metadata.get("date"), metadata.get("slug")
    if (date is None or not slug or "url" in metadata or "save_as" in metadata
            or metadata.get("status", "published") != "published"
            or metadata.get("lang", settings["DEFAULT_LANG"]) != settings["DEFAULT_LANG"]):
        return
    plain = datetime.datetime(date.year, date.month, date.day, date.hour, date.minute,
                              date.second, date.microsecond, date.tzinfo)
    fields = {**metadata, "date": plain, "slug": slug, "lang": settings["DEFAULT_LANG"]}
    try:
        url = settings["ARTICLE_URL"].format(**fields)
        save_as = settings["ARTICLE_SAVE_AS"].format(**fields)
    except (KeyError, AttributeError, IndexError, ValueError):
        return
    metadata["url"], metadata["save_as"] = url, save_as


def register():
    signals.initialized.connect(load_build_vocabulary)
    signals.initialized.connect(forget_history)
    writing_started.connect(record_store_state)
    article_pages_changing.connect(changing_article_pages)
    signals.readers_init.connect(use_archive_reader)
    signals.article_generator_init.connect(read_from_store)
    signals.all_generators_finalized.connect(fail_on_problems)
    pages_rendering.connect(wait_for_checks)
    # without the archive writer (a plugin's test site): before the build ends
    signals.finalized.connect(wait_for_checks)
