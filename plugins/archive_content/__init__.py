"""Pelican adapter: read articles with the archive's own rules.

The rules live in ``yingkou_archive`` (no Pelican there).  This plugin

* replaces Pelican's Markdown reader with one that validates every article
  (:func:`yingkou_archive.article.read_article`), splits lists on Chinese
  separators, renders captioned photos as figures and sanitizes the HTML;
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
from multiprocessing import get_context
from pathlib import Path
from typing import NamedTuple

from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader

from plugins.build_vocabulary import build_vocabulary
from plugins.pelican_internals import wrap_file_stamps
from yingkou_archive.article import internal_links, missing_links, plain_text, read_article
from yingkou_archive.content_check import url_collisions
from yingkou_archive.errors import ContentError, Problem
from yingkou_archive.figures import FigureExtension
from yingkou_archive.kinds import TAXONOMY_KINDS
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
        # source path -> Prepared, filled in parallel before Pelican reads
        self.prepared: dict[str, Prepared] = {}
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

    def _is_page(self, source_path: str) -> bool:
        relative = os.path.relpath(source_path, os.path.abspath(self.settings["PATH"]))
        return any(
            relative == p or relative.startswith(p.rstrip("/") + os.sep)
            for p in self.settings["PAGE_PATHS"]
        )

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
        if self._is_page(source_path):
            shown = self._shown_path(source_path)
            with open(source_path, "rb") as handle:
                result = read_article(handle.read(), shown, build_vocabulary(self.settings))
            return self._read_page(result, source_path, shown)
        prepared = self.prepared.pop(source_path, None) or self.prepare(source_path)
        for warning in prepared.warnings:
            logger.warning("%s", warning)
        if prepared.problems:
            self._fail(prepared.problems)
        meta, summary = prepared.meta, prepared.summary
        metadata = {
            "title": meta.title,
            "date": self.process_metadata("date", meta.date.isoformat(sep=" ")),
            "slug": meta.slug,
            **{kind.plural: meta.terms[kind.name] for kind in TAXONOMY_KINDS},
            "aliases": meta.aliases,
            "source": meta.source,
            "summary": summary,
            # Computed once here, not in every listing that shows the article
            # (Pelican's date formatting is slow enough to matter at 10,000).
            "summary_text": html.unescape(summary),
            "date_iso": f"{meta.date:%Y-%m-%d}",
            "date_label": f"{meta.date.year}年{meta.date.month}月{meta.date.day}日",
            # everything on the article's own page comes from this file
            "source_hash": prepared.source_hash,
            # checked on every build, also when the article comes from the cache
            "linked_files": prepared.links,
        }
        if meta.authors:
            metadata["authors"] = self.process_metadata("authors", meta.authors)
        for key, value in meta.extra.items():
            metadata.setdefault(key, self.process_metadata(key, value))
        return prepared.content, metadata

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


# Below this many unread articles, starting worker processes costs more
# than it saves.
PARALLEL_MIN_FILES = 200
_worker_reader = None


def _prepare_in_worker(path):
    return path, _worker_reader.prepare(path)


def prepare_in_parallel(generator):
    """Read and render the articles the cache does not have, on all cores.

    Pelican reads one file after another; Markdown and sanitizing are most of
    a clean build's read time.  Workers are forked, so they share the loaded
    vocabulary; Pelican's own loop then finds every article prepared.
    """
    global _worker_reader
    reader = generator.readers.readers.get("md")
    if not isinstance(reader, ArchiveMarkdownReader):
        return
    settings = generator.settings
    paths = []
    for relative in generator.get_files(settings["ARTICLE_PATHS"],
                                        exclude=settings["ARTICLE_EXCLUDES"]):
        path = os.path.abspath(os.path.join(generator.path, relative))
        if path.endswith((".md", ".markdown")) and \
                generator.readers.get_cached_data(path, None) is None:
            paths.append(path)
    workers = os.cpu_count() or 1
    if len(paths) < PARALLEL_MIN_FILES or workers < 2:
        return
    _worker_reader = reader
    try:
        with get_context("fork").Pool(workers) as pool:
            for path, prepared in pool.imap_unordered(_prepare_in_worker, paths, chunksize=64):
                reader.prepared[path] = prepared
    finally:
        _worker_reader = None


def share_file_stamps(generator):
    """Hash each source file once per build.

    With CHECK_MODIFIED_METHOD = "sha256", Pelican hashes an article up to
    four times a build (the generator's cache, the reader's cache, ours
    above, saving the cache); the hash cannot change within one build.
    """
    stamps: dict[str, bytes] = {}

    def shared(stamp_of):
        def stamp(filename):
            if filename not in stamps:
                stamps[filename] = stamp_of(filename)
            return stamps[filename]
        return stamp

    for cacher in (generator, generator.readers):
        wrap_file_stamps(cacher, shared)


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


def drop_unused_groupings(generator):
    """Pelican's author and category pages are switched off, but Pelican
    still groups articles for them with a quadratic list scan per author or
    category at write time; nothing here uses those groups."""
    if not generator.settings.get("AUTHOR_SAVE_AS"):
        generator.authors = []
    if not generator.settings.get("CATEGORY_SAVE_AS"):
        generator.categories = []
    if not generator.settings.get("TAG_SAVE_AS"):
        generator.tags = {}


def register():
    signals.initialized.connect(load_build_vocabulary)
    signals.article_generator_init.connect(share_file_stamps)
    signals.article_generator_init.connect(prepare_in_parallel)
    signals.article_generator_context.connect(format_url_once)
    signals.article_generator_finalized.connect(drop_unused_groupings)
    signals.readers_init.connect(use_archive_reader)
    signals.all_generators_finalized.connect(fail_on_problems)
