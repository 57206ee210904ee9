"""Pelican adapter: read articles with the archive's own rules.

The rules live in ``yingkou_archive`` (no Pelican there).  This plugin

* replaces Pelican's Markdown reader with one that validates every article
  (:func:`yingkou_archive.article.read_article`), splits lists on Chinese
  separators, renders captioned photos as figures and sanitizes the HTML;
* reads the articles through a store of what earlier builds read, so an
  unchanged file is neither read nor parsed again
  (plugins/archive_content/store.py) — in place of Pelican's own reading;
* collects every problem instead of letting Pelican log and skip the file,
  and fails the build with all of them once reading is done;
* fails the build when two files would be written to one URL.
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

from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import order_content

from plugins.archive_content.store import read_articles
from plugins.build_vocabulary import build_vocabulary
from plugins.pelican_internals import replace_reading
from yingkou_archive.article import internal_links, missing_links, plain_text, read_article
from yingkou_archive.content_check import url_collisions
from yingkou_archive.errors import ContentError, Problem
from yingkou_archive.figures import FigureExtension
from yingkou_archive.sanitize import clean_html

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
    meta: object  # yingkou_archive.article.ArticleMeta
    summary: str
    problems: list
    warnings: list
    source_hash: str = ""
    links: list = []  # (target as written, resolved path) of {static} links


class ArchiveMarkdownReader(MarkdownReader):
    """Markdown reader that applies the archive's rules to each file."""

    def __init__(self, settings):
        super().__init__(settings)
        self.problems: list[Problem] = []
        # One Markdown instance, reset per file: building a new one per file
        # is a measurable share of the read time.
        config = dict(self.settings["MARKDOWN"])
        extensions = [e for e in config.pop("extensions", []) if e != "markdown.extensions.meta"]
        extensions.append(FigureExtension())
        self._markdown = Markdown(extensions=extensions, **config)

    def _render(self, text: str) -> str:
        self._markdown.reset()
        return clean_html(self._markdown.convert(text))

    def _shown_path(self, source_path: str) -> str:
        base = os.path.dirname(os.path.abspath(self.settings["PATH"]))
        return os.path.relpath(source_path, base)

    def _links(self, body: str, source_path: str) -> list[tuple[str, str]]:
        root = Path(os.path.abspath(self.settings["PATH"]))
        return [(target, str(path)) for target, path in
                internal_links(body, Path(source_path), root)]

    def _fail(self, problems: list[Problem]):
        self.problems.extend(problems)
        raise ContentError(problems)

    def prepare(self, source_path) -> Prepared:
        """Validate and render one article: the expensive, Pelican-free part.

        Returns only picklable values, so it can run in worker processes.
        """
        shown = self._shown_path(source_path)
        with open(source_path, "rb") as handle:
            raw = handle.read()
        result = read_article(raw, shown, build_vocabulary(self.settings))
        if result.problems:
            return Prepared(None, None, "", result.problems, result.warnings)
        links = self._links(result.source.body, source_path)
        missing = missing_links(links, shown)
        if missing:
            return Prepared(None, None, "", missing, result.warnings)
        meta = result.meta
        content = self._render(result.source.body)
        summary = html.escape(plain_text(meta.summary), quote=False) if meta.summary \
            else derived_summary(content)
        return Prepared(content, meta, summary, [], result.warnings,
                        hashlib.sha1(raw).hexdigest(), links)

    def read(self, source_path):
        """Pelican reads only pages (about, …) with this: articles come from
        the store, which calls :meth:`prepare` (plugins/archive_content/store.py)."""
        shown = self._shown_path(source_path)
        with open(source_path, "rb") as handle:
            result = read_article(handle.read(), shown, build_vocabulary(self.settings))
        return self._read_page(result, source_path, shown)

    def _read_page(self, result, source_path, shown):
        """Pages (about, …) need only a title; the body rules are the same."""
        if result.source is None:
            self._fail(result.problems)
        fields = result.source.fields
        title = [p for p in result.problems if "Title" in p.message]
        if title:
            self._fail(title)
        content = self._render(result.source.body)
        missing = missing_links(self._links(result.source.body, source_path), shown)
        if missing:
            self._fail(missing)
        metadata = {
            key: self.process_metadata(key, value)
            for key, value in fields.items()
            if key not in {"title", "summary"}
        }
        metadata["title"] = plain_text(fields["title"])
        return content, metadata


def read_articles_from_store(generator):
    """Pelican's ArticlesGenerator.generate_context, with articles from the
    store (plugins/archive_content/store.py) instead of Pelican's reading
    and cache: the same attributes, context and signals."""
    settings, context = generator.settings, generator.context
    reader = generator.readers.readers["md"]
    articles, problems = read_articles(generator, reader, lambda metadata: format_url_once(generator, metadata))
    reader.problems += problems
    by_status = {"published": [], "draft": [], "hidden": []}
    root = os.path.abspath(settings["PATH"])
    for article in articles:
        by_status.setdefault(article.status, []).append(article)
        generator.add_source_path(article)
        context["static_links"] |= {os.path.relpath(resolved, root).replace(os.sep, "/")
                                    for _target, resolved in article.linked_files}
    order = settings["ARTICLE_ORDER_BY"]
    generator.articles = order_content(by_status["published"], order)
    generator.drafts = order_content(by_status["draft"], order)
    generator.hidden_articles = order_content(by_status["hidden"], order)
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


def link_neighbours(newest_first: list) -> None:
    """Each article's newer (``next_article``) and older (``prev_article``)
    neighbour, as pelican-neighbors named them."""
    for i, article in enumerate(newest_first):
        article.next_article = newest_first[i - 1] if i > 0 else None
        article.prev_article = newest_first[i + 1] if i + 1 < len(newest_first) else None


def read_from_store(generator):
    if isinstance(generator.readers.readers.get("md"), ArchiveMarkdownReader):
        replace_reading(generator, read_articles_from_store)


def use_archive_reader(readers):
    for extension in ArchiveMarkdownReader.file_extensions:
        readers.reader_classes[extension] = ArchiveMarkdownReader


def _reader_problems(generator) -> list[Problem]:
    problems = []
    for reader in generator.readers.readers.values():
        problems += getattr(reader, "problems", [])
    return problems


def fail_on_problems(generators):
    """After all content is read: stop the build if anything was wrong."""
    problems = []
    urls: dict[str, list[str]] = {}
    for generator in generators:
        if hasattr(generator, "readers"):
            problems += _reader_problems(generator)
        for attribute in ("articles", "hidden_articles", "drafts", "pages",
                          "hidden_pages", "draft_pages"):
            for item in getattr(generator, attribute, []):
                base = os.path.dirname(os.path.abspath(generator.settings["PATH"]))
                shown = os.path.relpath(item.source_path, base)
                urls.setdefault(item.url, []).append(shown)
                # an article from the reader cache was not re-read: its
                # images may have been deleted since
                problems += missing_links(getattr(item, "linked_files", []), shown)
    problems += url_collisions(urls)
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
    signals.readers_init.connect(use_archive_reader)
    signals.article_generator_init.connect(read_from_store)
    signals.all_generators_finalized.connect(fail_on_problems)
