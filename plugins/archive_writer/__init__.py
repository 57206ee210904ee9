"""Pelican adapter: render only the pages whose inputs changed, on every core.

Changes to how Pelican writes, in a ``Writer`` subclass and one template
global:

* **Queued, parallel rendering.**  ``write_file`` calls are queued while the
  generators run and rendered at the ``finalized`` signal by forked worker
  processes, one per core (Jinja rendering is most of a build's time and
  Pelican does it on one core).  Article pages are rendered first, then
  :data:`article_pages_written` is sent (the build starts the search index
  on it), then the other pages.  The parent then announces every page,
  rendered or kept, once: :data:`pages_announced` with all of them (the
  sitemap reads it), and ``content_written`` for each as Pelican would,
  when a plugin listens to it (60,000 signals cost a second a build).
* **Only pages whose inputs changed are rendered.**  Every page has a render
  key (plugins/archive_writer/keys.py): article pages get one from what they
  show, a plugin writing a list page passes one
  (``write_file(..., render_key=...)``, also for ``write_feed``).  The keys
  of the generation in the output folder are kept in
  ``.archive-state/pages.json``; a page whose key is unchanged and whose
  files are there is left as it is.  Pages without a key are rendered.
* **Article pages nobody names keep their key unmade.**  Making the key of
  every article page was a pass over the whole archive at every build.
  The plugins that put something on an article page say which articles'
  pages may have changed since the output's build
  (:data:`article_pages_changing`: the reader names new and changed
  articles, their neighbours and those linking files; the taxonomy names
  changed related lists; the printed paper names its articles); the
  others keep the last build's key.  Tests make those keys anyway and
  fail when one differs (:data:`CHECK_UNNAMED_PAGES`).
* Whether a kept page's files are there comes from the build's record of
  the output folder (:attr:`ArchiveWriter.known_files`, set by the build
  driver when the folder was brought up to that record), else from a stat
  of each file.
* **Files are replaced, never edited.**  The output folder holds the live
  generation's files, shared with the live site (sitebuild/generations.py):
  a rendered file whose bytes are unchanged is left alone, a changed one is
  unlinked and written anew (fileutil.replace_if_changed).
* **Pelican's overwrite guard kept.**  Writing one output file twice fails
  the build naming both sources, also when two worker processes wrote them.
* At the end, :data:`output_files` tells the build every file the writer
  produced and which of them changed.
* ``article_item_once``: an article's list item rendered once per process
  for all the lists it appears in.
* **Feeds name each article's terms**: every topic, district and agency an
  article has becomes an Atom ``<category>`` (Pelican writes an item's
  ``tags`` as categories; the archive has no Pelican tags, so feed items
  carry the terms as theirs).
"""

from __future__ import annotations

import io
import json
import os
import time
from multiprocessing import get_context

from blinker import signal
from pelican import signals
from pelican.writers import FileOverwriteFailedError, Writer

from fileutil import existing_files, replace_if_changed
from plugins.archive_writer.keys import article_page_key, site_key
from plugins.build_vocabulary import vocabulary_digest
from plugins.pelican_internals import overridden_files, written_files
from yingkou_archive.errors import ArchiveError
from yingkou_archive.kinds import TAXONOMY_KINDS

PAGE_KEYS_FILE = ".archive-state/pages.json"
# Below this many pages to render, forking costs more than it saves.
PARALLEL_MIN_PAGES = 200

# Sent once per build (sender: the writer) when every article page is in
# the output folder, with ``pages``: their paths relative to it.
article_pages_written = signal("archive-article-pages-written")
# Sent when the writer is made: Pelican is about to write into the output
# folder (the build marks its standby generation as being written).
writing_started = signal("archive-writing-started")
# Sent once per build (sender: the writer) when every page is queued, before
# their keys are made: a plugin still working out what pages show (the
# related articles of plugins/archive_taxonomy, made beside the queueing)
# finishes here.
pages_queued = signal("archive-pages-queued")
# Sent once per build (sender: the writer) after ``pages_queued``: which
# articles' pages may show something other than in the build of the output
# folder.  Every plugin that puts something on an article page (its key,
# keys.article_page_key) answers, with the ids (``id()``) of the articles
# whose part of the page may have changed, or None when it cannot tell; an
# article page no answer names keeps the last build's key without making
# it.  No answer, or any None: every article page's key is made.
article_pages_changing = signal("archive-article-pages-changing")
# Sent once per build (sender: the writer) before the first queued page is
# rendered: a plugin that may still stop the build (the site-wide checks of
# plugins/archive_content, run beside the queueing) waits, or raises, here.
pages_rendering = signal("archive-pages-rendering")
# Sent once per build (sender: the writer) when every page is in place,
# with ``pages``: (path, context) of each page written or kept, in job order.
# A job's files share its context: read it, do not change it.
pages_announced = signal("archive-pages-announced")
# Sent by every producer of output files (sender: it) with ``produced`` and
# ``changed``: paths relative to the output folder.
output_files = signal("archive-output-files")

# Tests set this: an article page that :data:`article_pages_changing` left
# out has its key made anyway, and the build fails if it is not the last one.
CHECK_UNNAMED_PAGES = False

# The writer of the run in progress (Pelican keeps it in a local variable;
# the ``finalized`` signal that flushes it only carries the Pelican object).
_current_writer: ArchiveWriter | None = None
# The writer whose queue forked workers render.
_active_writer: ArchiveWriter | None = None


def feed_terms(article) -> list[str]:
    """The names of an article's terms, every kind, in kind order, once each."""
    names = []
    for kind in TAXONOMY_KINDS:
        for term in getattr(article, kind.plural, None) or []:
            name = str(getattr(term, "name", term))
            if name not in names:
                names.append(name)
    return names


class FeedItem:
    """An article as the feed writer reads it, its terms as ``tags``."""

    __slots__ = ("_article", "tags")

    def __init__(self, article):
        self._article = article
        self.tags = feed_terms(article)

    def __getattr__(self, name):
        return getattr(self._article, name)


class OutputClashError(FileOverwriteFailedError, ArchiveError):
    """Two sources would write one output file (Pelican's own error type,
    so code that catches it still does, and ours, so the editor gets the
    message and not a traceback)."""


class _ReplacedOnClose(io.StringIO):
    """A text file written on close, only if its bytes changed."""

    def __init__(self, path: str, encoding: str, on_change):
        super().__init__()
        self._path, self._encoding, self._on_change = path, encoding, on_change

    def close(self):
        if not self.closed and replace_if_changed(self._path, self.getvalue().encode(self._encoding)):
            self._on_change(self._path)
        super().close()


class ArchiveWriter(Writer):
    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        settings = settings or {}
        self.jobs: list[tuple[tuple, dict, str | None]] = []
        self.deferring = True
        self.site_key = site_key(settings) if settings else ""
        # the vocabulary file's digest, read once a build: article page keys
        # name their articles by source (keys.source_identity), and the
        # vocabulary makes their terms' names and links (list_pages too)
        self.vocabulary = vocabulary_digest(settings) if settings else ""
        # page name -> its record (_key_of, _paths_of): the last build's, this build's
        self.previous, self.previous_inputs = self._load_state()
        # the output folder with a separator: a page's file is this and its
        # name (what os.path.join makes, without a call per page)
        self._prefix = self.output_path.rstrip(os.sep) + os.sep
        # the files the output folder is known to hold, relative to it (the
        # build's record of its last generation, set by sitebuild/build.py);
        # None: each kept page's files are looked for
        self.known_files: set[str] | None = None
        self.page_keys: dict[str, str | list[str]] = {}
        # what plugins record of this build's inputs (record_input), kept
        # with the page keys: the next build reads it as previous_inputs
        self.inputs: dict[str, object] = {}
        # output path -> the source that wrote it, for the overwrite guard
        self.sources: dict[str, str] = {}
        self.current_source = "Pelican"
        self.changed: set[str] = set()
        # paths written and changed by the job being rendered (lists, not
        # copies of the sets before and after: those cost O(pages) a job)
        self._job_written: list[str] = []
        self._job_changed: list[str] = []
        # time spent in write_feed (feeds are written at once, not queued;
        # the build benchmark reports it as its own phase)
        self.feed_seconds = 0.0
        global _current_writer
        _current_writer = self
        writing_started.send(self)

    # -- writing one file --------------------------------------------------------

    def _open_w(self, filename, encoding, override=False):
        if not self.claim(filename, self.current_source, override):
            return open(os.devnull, "w", encoding=encoding)
        return _ReplacedOnClose(filename, encoding, self._note_changed)

    def _note_changed(self, path: str) -> None:
        self.changed.add(path)
        self._job_changed.append(path)

    def claim(self, path: str, source, override: bool = False) -> bool:
        """Pelican's overwrite guard (``Writer._open_w``), naming both
        sources: a second write of a path fails, unless exactly one of the
        writes has ``override``; False means "skip this write" (an earlier
        write overrode it)."""
        written, overridden = written_files(self), overridden_files(self)
        if path in overridden and not override:
            return False
        if path in overridden or (path in written and not override):
            shown = os.path.relpath(path, self.output_path)
            first = self._source_name(self.sources.get(path, "Pelican"))
            raise OutputClashError(f"{shown}: 两处内容要写到同一个输出文件：{first} 和 {self._source_name(source)}")
        if override:
            overridden.add(path)
        written.add(path)
        self._job_written.append(path)
        self.sources[path] = source
        return True

    def write_file(self, name, template, context, *args, render_key=None, **kwargs):
        if self.deferring and name:
            self.jobs.append(((name, template, context, *args), kwargs, render_key))
            return
        return super().write_file(name, template, context, *args, **kwargs)

    def write_text(self, name: str, text: str, source: str) -> None:
        """A file made without a template (sitemap, redirects): guarded like
        the others, replaced only when its bytes change, not announced."""
        path = os.path.join(self.output_path, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if self.claim(path, source) and replace_if_changed(path, text.encode("utf-8")):
            self._note_changed(path)

    def write_feed(self, elements, context, path=None, url=None, feed_type="atom",
                   override_output=False, feed_title=None, render_key=None):
        started = time.perf_counter()
        try:
            if path and render_key and self._reuse(path, render_key, f"订阅 /{url or path}"):
                return None
            items = [FeedItem(element) for element in elements[: self.settings["FEED_MAX_ITEMS"]]]
            return super().write_feed(items, context, path, url, feed_type, override_output, feed_title)
        finally:
            self.feed_seconds += time.perf_counter() - started

    # -- keys -------------------------------------------------------------------

    def _load_state(self) -> tuple[dict[str, str | list[str]], dict]:
        """The last build's page records and recorded inputs, if it had this
        site key (another site key: every page is rendered again)."""
        try:
            with open(os.path.join(self.output_path, PAGE_KEYS_FILE), encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return {}, {}
        if not isinstance(data, dict) or data.get("site") != self.site_key:
            return {}, {}
        pages, inputs = data.get("pages"), data.get("inputs")
        if not isinstance(pages, dict):  # a damaged state: render everything
            return {}, {}
        return pages, inputs if isinstance(inputs, dict) else {}

    def record_input(self, name: str, value) -> None:
        """Keep ``value`` (plain JSON) with this build's page keys: the next
        build's ``previous_inputs[name]``, when this build finishes."""
        self.inputs[name] = value

    def previous_key(self, name: str) -> str | None:
        """The key page ``name`` had in the last build, if any."""
        record = self.previous.get(name)
        return None if record is None else _key_of(record)

    def _unchanged(self, name: str, key: str) -> str | list[str] | None:
        """The last build's record of a page whose key is unchanged."""
        previous = self.previous.get(name)
        return previous if previous is not None and _key_of(previous) == key else None

    def _reuse(self, name: str, key: str, source) -> bool:
        """Keep the files of a page whose key is unchanged; False: render it."""
        return self._keep(name, key, source, self._unchanged(name, key))

    def _keep(self, name: str, key: str, source, previous: str | list[str] | None,
              present: set[str] | None = None, paths: list[str] | None = None) -> bool:
        """:meth:`_reuse` with the page's :meth:`_unchanged` record already
        looked up; ``paths``: the record's files (None: read from it);
        ``present``: those of the output's files known to exist, relative
        to the output folder (None: :meth:`_present` of ``paths``)."""
        self.page_keys[name] = key
        if previous is None:
            return False
        if paths is None:
            paths = _paths_of(name, previous)
        if present is None:
            present = self._present(paths)
        if not all(p in present for p in paths):
            return False
        prefix = self._prefix
        for path in paths:
            self.claim(prefix + path, source)
        self.page_keys[name] = previous
        return True

    def _present(self, paths: list[str]) -> set[str]:
        """Which of ``paths`` (relative to the output folder) are files
        there: :attr:`known_files` when the build knows them, else a stat of
        each (on a cold cache, in threads: fileutil.existing_files)."""
        if self.known_files is not None:
            return self.known_files
        prefix = self._prefix
        return {path[len(prefix):] for path in existing_files([prefix + p for p in paths])}

    def _relative(self, path: str) -> str:
        """A path in the output folder, relative to it (a slice: relpath
        costs 20 µs, once for every page)."""
        prefix = self._prefix
        return path[len(prefix):] if path.startswith(prefix) else os.path.relpath(path, self.output_path)

    def _source_name(self, source) -> str:
        """A source is a name, or the index of a queued job (named only
        when a clash needs it: naming every page cost a relpath each)."""
        return self.job_source(source) if isinstance(source, int) else source

    def job_source(self, index) -> str:
        """What a queued page is made from, as an editor would name it."""
        args, kwargs, _ = self.jobs[index]
        item = kwargs.get("article") or kwargs.get("page")
        if item is not None and getattr(item, "source_path", None):
            base = os.path.dirname(os.path.abspath(self.settings.get("PATH", ".")))
            return os.path.relpath(item.source_path, base)
        url = kwargs.get("url")
        return f"模板 {getattr(args[1], 'name', args[1])}" + (f"（/{url}）" if url else "")

    def _article_page_key(self, name: str, article, changing: set[int] | None) -> str:
        """An article page's render key; one whose article is not in
        ``changing`` (see :meth:`_changing_articles`) keeps its last key."""
        key = None
        if changing is not None and id(article) not in changing:
            key = self.previous_key(name)
            if key is not None and not CHECK_UNNAMED_PAGES:
                return key
        made = article_page_key("", name, article, self.vocabulary)
        if key is not None and made != key:
            raise AssertionError(f"{name}: 页面的输入变了，但没有插件说出（article_pages_changing）")
        return made

    def _changing_articles(self) -> set[int] | None:
        """The ids of the articles whose pages may have changed since the
        output's build, from every :data:`article_pages_changing` answer;
        None when some plugin cannot tell (or none answered)."""
        answers = [answer for _receiver, answer in article_pages_changing.send(self)]
        if not answers or any(answer is None for answer in answers):
            return None
        return set().union(*answers)

    # -- rendering --------------------------------------------------------------

    def _pages_in_job(self, index) -> int:
        """Files a job writes: a paginated list writes one per page."""
        args, kwargs, _ = self.jobs[index]
        per_page = self.settings.get("DEFAULT_PAGINATION") or 20
        articles = kwargs.get("articles") or ()
        return max(1, len(articles) // per_page) if kwargs.get("template_name") else 1

    def _run_jobs(self, indices) -> list[tuple[int, list[str], list[str]]]:
        """Render jobs here; (index, paths written, paths changed) of each."""
        done = []
        for index in indices:
            args, kwargs, _ = self.jobs[index]
            self._job_written, self._job_changed = [], []
            self.current_source = index  # named by _source_name only on a clash
            super().write_file(*args, **kwargs)
            done.append((index, sorted(set(self._job_written)), sorted(set(self._job_changed))))
        self.current_source = "Pelican"
        return done

    def _render(self, todo) -> tuple[list[tuple[int, list[str], list[str]]], bool]:
        """Render jobs ``todo``: (index, paths, changed paths) of each, and
        whether Pelican's writer already announced them (rendered here)."""
        workers = os.cpu_count() or 1
        weights = {i: self._pages_in_job(i) for i in todo}
        if sum(weights.values()) < PARALLEL_MIN_PAGES or workers < 2:
            done = self._run_jobs(todo)
            self._record_paths(done)
            return done, True
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
        for index, paths, changed in done:
            for path in paths:
                self.claim(path, index)
            self.changed.update(changed)
        self._record_paths(done)
        return done, False

    def _record_paths(self, done) -> None:
        for index, paths, _ in done:
            name = self.jobs[index][0][0]
            if name in self.page_keys:
                key, written = _key_of(self.page_keys[name]), [self._relative(p) for p in paths]
                self.page_keys[name] = key if written == [name] else [key, *written]

    def flush(self):
        """Render every queued page whose key changed, on all cores when
        there are enough.  Article pages come first; then
        :data:`article_pages_written` says every article page is in place,
        so the search index can be made while the others are rendered."""
        self.deferring = False
        pages_queued.send(self)
        kept, articles, others = [], [], []
        jobs, previous_records = self.jobs, self.previous
        changing = self._changing_articles() if previous_records else None
        # one pass over every page (120,000 at 100,000 articles): its name,
        # whether it is an article page, its key, and the files of the last
        # build's record when the key is unchanged (index -> relative paths)
        names, article_page, keys, unchanged, files = [], [], [], [], {}
        for index, (args, kwargs, key) in enumerate(jobs):
            name = args[0]
            article = kwargs.get("article")
            # an article of the archive's reader (not a page or a plugin's article)
            is_article = article is not None and "source_hash" in article.metadata
            if key is None and is_article:
                key = self._article_page_key(name, article, changing)
            record = None if key is None else previous_records.get(name)
            if record is not None:
                if _key_of(record) == key:
                    files[index] = _paths_of(name, record)
                else:
                    record = None
            names.append(name)
            article_page.append(is_article)
            keys.append(key)
            unchanged.append(record)
        # the files of every page that may be kept, checked at once
        present = self._present([path for paths in files.values() for path in paths])
        for index, key in enumerate(keys):
            if key is not None and self._keep(names[index], key, index, unchanged[index], present,
                                              files.get(index)):
                kept.append(index)
            else:
                (articles if article_page[index] else others).append(index)
        # a kept page's record is the last build's: its files are those checked
        prefix = self._prefix
        # (job, its files) of every page, kept or rendered
        in_place = [(i, [prefix + path for path in files[i]]) for i in kept]
        unsignalled = set(kept)  # jobs whose content_written Pelican's writer did not send
        pages_rendering.send(self)
        done, by_pelican = self._render(articles)
        in_place += [(i, paths) for i, paths, _ in done]
        if not by_pelican:
            unsignalled.update(i for i, _, _ in done)
        # article page -> its render key (the search index reads only pages
        # whose key changed), with the site key: a theme or code change
        # changes the HTML the index reads; kept pages' relative paths are known
        site, page_keys = self.site_key, self.page_keys
        pages = {}
        for index in kept:
            if article_page[index]:
                key = f"{site}:{_key_of(page_keys[names[index]])}"
                for path in files[index]:
                    pages[path] = key
        for index, paths, _ in done:
            if article_page[index]:
                record = page_keys.get(names[index])
                key = None if record is None else f"{site}:{_key_of(record)}"
                pages.update((self._relative(p), key) for p in paths)
        article_pages_written.send(self, pages=dict(sorted(pages.items())))
        done, by_pelican = self._render(others)
        in_place += [(i, paths) for i, paths, _ in done]
        if not by_pelican:
            unsignalled.update(i for i, _, _ in done)
        in_place.sort()
        pages_announced.send(self, pages=[(path, self.jobs[i][1]) for i, paths in in_place for path in paths])
        if signals.content_written.receivers:  # other plugins hear of every page, as with Pelican's writer
            for index, paths in in_place:
                if index in unsignalled:
                    for path in paths:
                        signals.content_written.send(path, context=dict(self.jobs[index][1]))
        # the jobs stay: a later clash names its source by job index

    def finish(self):
        """Record the page keys and tell the build what was produced."""
        keys_path = os.path.join(self.output_path, PAGE_KEYS_FILE)
        os.makedirs(os.path.dirname(keys_path), exist_ok=True)
        data = json.dumps({"site": self.site_key, "pages": self.page_keys, "inputs": self.inputs},
                          sort_keys=True, separators=(",", ":")).encode("utf-8")
        if replace_if_changed(keys_path, data):
            self.changed.add(keys_path)
        produced = set(map(self._relative, written_files(self)))
        produced.add(PAGE_KEYS_FILE)
        changed = {self._relative(p) for p in self.changed}
        output_files.send(self, produced=produced, changed=changed)


def _key_of(record: str | list[str]) -> str:
    """A page record is its key, or [key, *files] when the page's files are
    not just its name (most are: one string each keeps the state file small
    and quick to read)."""
    return record if isinstance(record, str) else record[0]


def _paths_of(name: str, record: str | list[str]) -> list[str]:
    """The output files of a page record (see _key_of)."""
    return [name] if isinstance(record, str) else record[1:]


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
    """Render the queued pages before the other ``finalized`` receivers
    (the sitemap) run; this plugin is listed first in PLUGINS."""
    global _current_writer
    writer, _current_writer = _current_writer, None
    if writer is not None:
        writer.flush()
        pelican.archive_writer = writer  # for finish_writing, the last receiver


def finish_writing(pelican):
    writer = getattr(pelican, "archive_writer", None)
    if writer is not None:
        writer.finish()


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


def finish_last(pelican):
    """``finish_writing`` must follow every other ``finalized`` receiver (the
    sitemap writes there too): connected now, after all plugins registered."""
    signals.finalized.connect(finish_writing)


def register():
    signals.generator_init.connect(remember_article_items)
    signals.get_writer.connect(archive_writer)
    signals.finalized.connect(flush_queued_pages)
    signals.initialized.connect(finish_last)
