"""Pelican adapter: read articles with the archive's own rules.

The rules live in ``yingkou_archive`` (no Pelican there).  This plugin

* replaces Pelican's Markdown reader with one that validates and renders
  every article and page as ``invoke check`` does
  (:func:`yingkou_archive.content_check.prepare_article`): only the fields
  the archive knows reach Pelican, lists split on Chinese separators,
  captioned photos become figures, the HTML is sanitized;
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
from multiprocessing import get_context
from pathlib import Path
from typing import NamedTuple

from pelican import signals
from pelican.readers import MarkdownReader

from plugins.build_vocabulary import build_vocabulary
from plugins.pelican_internals import wrap_file_stamps
from yingkou_archive.article import plain_text
from yingkou_archive.body import missing_files
from yingkou_archive.content_check import prepare_article, prepare_page, site_problems
from yingkou_archive.errors import ContentError, Problem
from yingkou_archive.kinds import TAXONOMY_KINDS
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
        # source path -> Prepared, filled in parallel before Pelican reads
        self.prepared: dict[str, Prepared] = {}

    @property
    def _root(self) -> Path:
        return Path(os.path.abspath(self.settings["PATH"]))

    def _shown_path(self, source_path: str) -> str:
        return os.path.relpath(source_path, self._root.parent)

    def _is_page(self, source_path: str) -> bool:
        relative = os.path.relpath(source_path, self._root)
        return any(
            relative == p or relative.startswith(p.rstrip("/") + os.sep)
            for p in self.settings["PAGE_PATHS"]
        )

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
        # Pelican follows symbolic links; the archive refuses them (named by
        # site_problems), so a file reached through one is not read at all
        if through_symlink(Path(source_path), self._root):
            return None, {"status": "skip"}
        if self._is_page(source_path):
            return self._read_page(source_path)
        prepared = self.prepared.pop(source_path, None) or self.prepare(source_path)
        for warning in prepared.warnings:
            logger.warning("%s", warning)
        if prepared.problems:
            self._fail(prepared.problems)
        meta, summary = prepared.checked.meta, prepared.summary
        metadata = {
            "title": meta.title,
            "date": self.process_metadata("date", meta.date.isoformat(sep=" ")),
            "slug": meta.slug,
            "status": meta.status,
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
            # for the site-wide checks, also when the article comes from the cache
            "archive_checked": prepared.checked,
            **meta.extra,
        }
        if meta.modified:
            metadata["modified"] = self.process_metadata("modified", meta.modified.isoformat(sep=" "))
        if meta.authors:
            metadata["authors"] = self.process_metadata("authors", meta.authors)
        return prepared.content, metadata

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


def _checked_items(generators, attributes) -> list:
    return [item for generator in generators for attribute in attributes
            for item in getattr(generator, attribute, [])]


def fail_on_problems(generators):
    """After all content is read: stop the build if anything was wrong."""
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
    if problems:
        raise ContentError(list(dict.fromkeys(problems)))


def keep_drafts_unwritten(generator):
    """Drafts stay out of lists, feeds, the sitemap and search (Pelican
    already leaves them out of ``articles``); with DRAFT_SAVE_AS empty they
    are not written either.  Pelican would still read ``draft.category``
    to write them, which articles without categories do not have."""
    generator.archive_drafts = generator.drafts + generator.drafts_translations
    if not generator.settings.get("DRAFT_SAVE_AS"):
        generator.drafts, generator.drafts_translations = [], []


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
    signals.article_generator_finalized.connect(keep_drafts_unwritten)
    signals.readers_init.connect(use_archive_reader)
    signals.all_generators_finalized.connect(fail_on_problems)
