"""Pelican adapter: render pages on every core, keep unchanged files.

Changes to how Pelican writes, in a ``Writer`` subclass and one template
global:

* **Parallel rendering.**  ``write_file`` calls are queued while the
  generators run and rendered at the ``finalized`` signal by forked worker
  processes, one per core (Jinja rendering is most of a build's time and
  Pelican does it on one core).  Article pages are rendered first, then
  :data:`article_pages_written` is sent (the build starts the search index
  on it), then the list pages.  The parent sends ``content_written`` for every
  file, as Pelican would have, so plugins such as the sitemap still see
  each page.
* **List items rendered once.**  ``article_item_once`` renders an article's
  list item once per process for all the lists it appears in.
* **Unchanged files are not rewritten.**  The build writes into a fresh
  folder; a file whose bytes equal the previous build's is hard-linked from
  the previous output instead of written, so it keeps its identity and
  modification time (incremental deploys send only what changed).
* **Unchanged article pages are not rendered.**  An article page depends on
  its own source file, its terms, its related and neighbouring articles, its
  issue page, the settings, the templates and the code.  A key over those is
  kept per page in ``.render-keys.json`` inside the output (so it always
  describes exactly that output); a page whose key is unchanged is linked
  from the previous output without rendering.  With ``ARCHIVE_CARRY_OVER``
  such a page is only named in :data:`article_pages_written`: the build
  moves its whole folder over once every step has succeeded, which costs a
  rename instead of a new folder (creating 10,000 folders was a second of
  every incremental build).
* **Pelican's overwrite guard kept.**  Writing one output file twice fails
  the build naming both sources, also when two worker processes wrote them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from multiprocessing import get_context
from pathlib import Path

from blinker import signal
from pelican import signals
from pelican.writers import FileOverwriteFailedError, Writer

from fileutil import write_or_link
from plugins.pelican_internals import overridden_files, written_files
from yingkou_archive.errors import ArchiveError
from yingkou_archive.kinds import TAXONOMY_KINDS

PREVIOUS_OUTPUT_SETTING = "ARCHIVE_PREVIOUS_OUTPUT"
CARRY_OVER_SETTING = "ARCHIVE_CARRY_OVER"
# Sent once per build (sender: the writer) when every article page is in
# the output folder, with ``carried``: the unchanged article pages left in
# the previous output for the build to move over (ARCHIVE_CARRY_OVER).
article_pages_written = signal("archive-article-pages-written")
RENDER_KEYS_FILE = ".render-keys.json"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CODE_FOLDERS = ("plugins", "yingkou_archive")
# Below this many pages to render, forking costs more than it saves.
PARALLEL_MIN_PAGES = 200

# The writer of the run in progress (Pelican keeps it in a local variable;
# the ``finalized`` signal that flushes it only carries the Pelican object).
_current_writer: ArchiveWriter | None = None
# The writer whose queue forked workers render.
_active_writer: ArchiveWriter | None = None


class OutputClashError(FileOverwriteFailedError, ArchiveError):
    """Two sources would write one output file (Pelican's own error type,
    so code that catches it still does, and ours, so the editor gets the
    message and not a traceback)."""


class _KeepIfUnchanged(io.StringIO):
    """A text file that, on close, links the previous copy if it is equal."""

    def __init__(self, path: str, previous: str | None, encoding: str):
        super().__init__()
        self._path, self._previous, self._encoding = path, previous, encoding

    def close(self):
        if not self.closed:
            write_or_link(self._path, self.getvalue().encode(self._encoding), self._previous)
        super().close()


def _site_key(settings) -> str:
    """What every page depends on: plain settings, theme files and code."""
    digest = hashlib.sha1()
    plain = {k: v for k, v in settings.items()
             if isinstance(v, (str, int, float, bool, type(None), list, tuple))
             and k not in (PREVIOUS_OUTPUT_SETTING, CARRY_OVER_SETTING, "OUTPUT_PATH", "CACHE_PATH")}
    digest.update(repr(sorted(plain.items(), key=lambda kv: kv[0])).encode())
    folders = [Path(settings["THEME"])] + [PROJECT_ROOT / f for f in CODE_FOLDERS]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _brief(article) -> tuple:
    """What a link to an article shows: enough to know the link is unchanged."""
    if article is None:
        return ()
    return (article.url, article.title, article.date_iso, article.source_hash,
            *(_terms(article, kind) for kind in TAXONOMY_KINDS if kind.in_brief))


def _terms(article, kind) -> tuple:
    return tuple((t.name, t.url) for t in getattr(article, kind.plural, []))


def article_page_key(site_key: str, name: str, article, brief) -> str:
    """``brief(article)`` is :func:`_brief`, memoised by the caller."""
    issue = getattr(article, "issue", None)
    parts = (
        site_key, name, brief(article),
        *(_terms(article, kind) for kind in TAXONOMY_KINDS if not kind.in_brief),
        tuple(brief(r) for r in getattr(article, "related_articles", [])),
        brief(getattr(article, "next_article", None)),
        brief(getattr(article, "prev_article", None)),
        (issue.url, issue.title, article.issue_number) if issue else (),
    )
    return hashlib.sha1(repr(parts).encode()).hexdigest()


class ArchiveWriter(Writer):
    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        settings = settings or {}
        self.previous_output = settings.get(PREVIOUS_OUTPUT_SETTING)
        self.carry_over = bool(settings.get(CARRY_OVER_SETTING)) and bool(self.previous_output)
        # names of unchanged pages the build moves over from the previous output
        self.carried: list[str] = []
        self.jobs: list[tuple[tuple, dict]] = []
        self.deferring = True
        self.site_key = _site_key(settings) if settings else ""
        self.previous_keys = self._load_previous_keys()
        self.render_keys: dict[str, str] = {}
        # output path -> the source that wrote it, for the overwrite guard
        self.sources: dict[str, str] = {}
        self.current_source = "Pelican"
        global _current_writer
        _current_writer = self

    def _open_w(self, filename, encoding, override=False):
        if not self.claim(filename, self.current_source, override):
            return open(os.devnull, "w", encoding=encoding)
        previous = None
        if self.previous_output:
            previous = os.path.join(self.previous_output,
                                    os.path.relpath(filename, self.output_path))
        return _KeepIfUnchanged(filename, previous, encoding)

    def claim(self, path: str, source: str, override: bool = False) -> bool:
        """Pelican's overwrite guard (``Writer._open_w``), naming both
        sources: a second write of a path fails, unless exactly one of the
        writes has ``override``; False means "skip this write" (an earlier
        write overrode it)."""
        written, overridden = written_files(self), overridden_files(self)
        if path in overridden and not override:
            return False
        if path in overridden or (path in written and not override):
            shown = os.path.relpath(path, self.output_path)
            raise OutputClashError(
                f"{shown}: 两处内容要写到同一个输出文件：{self.sources.get(path, 'Pelican')} 和 {source}")
        if override:
            overridden.add(path)
        written.add(path)
        self.sources[path] = source
        return True

    def write_file(self, name, template, context, *args, **kwargs):
        if self.deferring and name:
            self.jobs.append(((name, template, context, *args), kwargs))
            return
        return super().write_file(name, template, context, *args, **kwargs)

    def job_source(self, index) -> str:
        """What a queued page is made from, as an editor would name it."""
        args, kwargs = self.jobs[index]
        item = kwargs.get("article") or kwargs.get("page")
        if item is not None and getattr(item, "source_path", None):
            base = os.path.dirname(os.path.abspath(self.settings.get("PATH", ".")))
            return os.path.relpath(item.source_path, base)
        url = kwargs.get("url")
        return f"模板 {getattr(args[1], 'name', args[1])}" + (f"（/{url}）" if url else "")

    def _load_previous_keys(self) -> dict[str, str]:
        if not self.previous_output:
            return {}
        try:
            with open(os.path.join(self.previous_output, RENDER_KEYS_FILE), encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def _reuse_unchanged(self) -> list[tuple[int, list[str]]]:
        """Link article pages whose key is unchanged; drop them from the queue."""
        reused, remaining = [], []
        briefs: dict[int, tuple] = {}

        def brief(article):
            if id(article) not in briefs:
                briefs[id(article)] = _brief(article)
            return briefs[id(article)]

        for index, (args, kwargs) in enumerate(self.jobs):
            name, article = args[0], kwargs.get("article")
            if article is None or "source_hash" not in article.metadata:
                remaining.append(index)
                continue
            key = article_page_key(self.site_key, name, article, brief)
            self.render_keys[name] = key
            previous = os.path.join(self.previous_output or "", name)
            if self.previous_keys.get(name) == key and os.path.isfile(previous):
                path = os.path.join(self.output_path, name)
                self.claim(path, self.job_source(index))
                if self.carry_over:
                    self.carried.append(name)
                else:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    os.link(previous, path)
                reused.append((index, [path]))
            else:
                remaining.append(index)
        self._remaining = remaining
        return reused

    def _save_render_keys(self):
        with open(os.path.join(self.output_path, RENDER_KEYS_FILE), "w", encoding="utf-8") as f:
            json.dump(self.render_keys, f, sort_keys=True, separators=(",", ":"))

    def _pages_in_job(self, index) -> int:
        """Files a job writes: a paginated list writes one per page."""
        args, kwargs = self.jobs[index]
        per_page = self.settings.get("DEFAULT_PAGINATION") or 20
        articles = kwargs.get("articles") or ()
        return max(1, len(articles) // per_page) if kwargs.get("template_name") else 1

    def _run_jobs(self, indices) -> list[tuple[int, list[str]]]:
        done = []
        written = written_files(self)
        for index in indices:
            args, kwargs = self.jobs[index]
            before = set(written)
            self.current_source = self.job_source(index)
            super().write_file(*args, **kwargs)
            done.append((index, sorted(written - before)))
        self.current_source = "Pelican"
        return done

    def _is_article_page(self, index) -> bool:
        article = self.jobs[index][1].get("article")
        return article is not None and "source_hash" in article.metadata

    def _render(self, todo) -> list[tuple[int, list[str]]]:
        """Render jobs ``todo``; returns those whose files still need announcing."""
        workers = os.cpu_count() or 1
        weights = {i: self._pages_in_job(i) for i in todo}
        if sum(weights.values()) < PARALLEL_MIN_PAGES or workers < 2:
            self._run_jobs(todo)
            return []  # rendered here: Pelican's writer announced them
        global _active_writer
        _active_writer = self
        try:
            shares = _balanced_shares(weights, workers)
            with get_context("fork").Pool(workers) as pool:
                # workers' signals stayed in the workers
                done = [r for share in pool.map(_render_share, shares) for r in share]
        finally:
            _active_writer = None
        # each worker guarded only its own writes: now all of them together
        for index, paths in done:
            for path in paths:
                self.claim(path, self.job_source(index))
        return done

    def flush(self):
        """Render every queued page, on all cores when there are enough.

        Article pages come first; then :data:`article_pages_written` says
        every article page is in place, so the search index can be made
        while the list pages are rendered.
        """
        self.deferring = False
        announce = self._reuse_unchanged()
        articles, others = [], []
        for index in self._remaining:
            (articles if self._is_article_page(index) else others).append(index)
        announce += self._render(articles)
        article_pages_written.send(self, carried=list(self.carried))
        announce += self._render(others)
        for index, paths in sorted(announce):
            args, kwargs = self.jobs[index]
            for path in paths:
                signals.content_written.send(path, context=dict(kwargs))
        self._save_render_keys()
        self.jobs = []


def _balanced_shares(weights: dict[int, int], workers: int) -> list[list[int]]:
    """Split jobs so each worker gets about the same number of pages."""
    shares = [[] for _ in range(workers)]
    loads = [0] * workers
    for index in sorted(weights, key=weights.get, reverse=True):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += weights[index]
    return shares


def _render_share(indices):
    # Runs in a forked worker: content_written receivers there would only
    # update the worker's copy, so the parent re-sends the signal.
    signals.content_written.receivers.clear()
    return _active_writer._run_jobs(indices)


def archive_writer(pelican):
    return ArchiveWriter


def flush_queued_pages(pelican):
    """Render the queued pages before other ``finalized`` receivers (the
    sitemap) run; this plugin is listed before them in PLUGINS."""
    global _current_writer
    writer, _current_writer = _current_writer, None
    if writer is not None:
        writer.flush()


def remember_article_items(generator):
    """Give templates ``article_item_once``: the ``article_item`` macro of
    macros.html, rendered once per article and arguments in each process.

    Every article appears in about six lists (home, its terms, its month and
    year), and list items were most of the time spent rendering lists.  The
    macro only reads the article, which does not change while pages are
    written.  The memo belongs to this generator's environment, so each build
    starts empty; it keeps the article itself, so a reused id() never hits.
    """
    env = getattr(generator, "env", None)
    if env is None:
        return
    memo: dict[tuple, tuple] = {}

    def article_item_once(article, siteurl, show_summary=True, level=2):
        key = (id(article), siteurl, show_summary, level)
        hit = memo.get(key)
        if hit is None or hit[0] is not article:
            item = env.get_template("macros.html").module.article_item
            hit = memo[key] = (article, item(article, siteurl, show_summary, level))
        return hit[1]

    env.globals["article_item_once"] = article_item_once


def register():
    signals.generator_init.connect(remember_article_items)
    signals.get_writer.connect(archive_writer)
    signals.finalized.connect(flush_queued_pages)
