"""Reading the articles of a build from a store of what earlier builds read.

Pelican reads every article of every build through its readers and keeps
whole ``Article`` objects in a pickled cache: at 100,000 articles that is
seconds of unpickling and per-article work even when ten files changed.
Here each article is a small *record* — its metadata as the archive reader
made it, the warnings it gave, the files it links, its source hash and
stat, its URL — kept in the build cache in one pickle per content folder
(``articles/<folder digest>.pickle``: a daily build adds to one month's
folder, so it rewrites one small file, not the records of the whole
archive), and its rendered HTML in a file of its own
(``contents/<hash>.html``), read only when a page that shows it is
rendered.  A build

1. lists the article files and stats them; a file whose size and mtime are
   the record's is not read; one whose bytes hash as the record's is not
   parsed;
2. parses the others with the archive reader (on every core when there are
   many), which also validates them;
3. makes every article, read or not, from its record the same way
   (plugins/pelican_internals.new_article), so a clean and an incremental
   build see identical articles.

The cache may be deleted at any time: the next build reads everything.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import fnmatch
import functools
import hashlib
import html
import logging
import os
import re
from array import array
from collections import defaultdict
from multiprocessing import get_context
from zoneinfo import ZoneInfo

from pelican.contents import Article
from pelican.urlwrappers import Author

from fileutil import load_pickled, save_pickled
from plugins.forked import ForkedCall, worth_forking
from plugins.pelican_internals import is_discarded, new_article
from yingkou_archive.article import ArticleMeta
from yingkou_archive.content_check import Checked
from yingkou_archive.kinds import TAXONOMY_KINDS
from yingkou_archive.links import SOURCE_SUFFIXES

logger = logging.getLogger(__name__)

RECORDS_DIR = "articles"
# A bucket file is (RECORDS_FORMAT, {path: record}); one of another format
# (version 1 was the bare dict, with pickled dataclasses) is not read, so
# its articles are read again from their files, and the next save removes it.
RECORDS_FORMAT = 2
# The one-file store of earlier versions (every record in one pickle, 40 MB
# at 50,000 articles): no longer read, so the next save removes it.
OLD_RECORDS_FILE = "articles.pickle"
CONTENTS_DIR = "contents"
# Fields of an article's own (extra) metadata that Pelican's readers turn
# into objects (pelican/readers.py METADATA_PROCESSORS); date and authors
# are made here directly.
PELICAN_PROCESSED = ("modified", "status", "tags", "category", "author")
# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 200


class LazyArticle(Article):
    """An article whose HTML is read from the store when a page needs it,
    and whose checked metadata (``archive_checked``) is made from the
    record's plain fields when something asks for it: the site-wide checks
    do, in a forked process for a large archive, and unpickling 100,000
    dataclasses took 0.5 s of every build."""

    # Content.url and .save_as go through get_url_setting (a hasattr and a
    # getattr of a formatted name): 250,000 times a build at 100,000
    # articles.  Same answer: the override when the article has one.
    @property
    def url(self) -> str:
        fields = self.__dict__
        return fields["override_url"] if "override_url" in fields else Article.url.fget(self)

    @property
    def save_as(self) -> str:
        fields = self.__dict__
        return fields["override_save_as"] if "override_save_as" in fields else Article.save_as.fget(self)

    @property
    def archive_checked(self) -> Checked:
        made = self.__dict__.get("_archive_checked")
        if made is None:
            meta_fields, site_links, files = self.__dict__["_checked_fields"]
            made = self.__dict__["_archive_checked"] = Checked(ArticleMeta(*meta_fields), site_links, files)
        return made

    @property
    def archive_files(self) -> list[tuple[str, str]]:
        """(target, resolved path) of every file the body links."""
        return self.__dict__["_checked_fields"][2]

    @property
    def _content(self):
        cached = self.__dict__.get("_loaded_content")
        if cached is None:
            with open(self.__dict__["_content_file"], encoding="utf-8") as handle:
                cached = self.__dict__["_loaded_content"] = handle.read()
        return cached

    def refresh_metadata_intersite_links(self):
        """Pelican rewrites {filename} links in summaries here; ours are
        plain text (the reader removes markup from them), so there is
        nothing to rewrite, for any of 100,000 articles."""


# The order of ArticleMeta's fields, in which a record keeps their values.
META_FIELDS = tuple(field.name for field in dataclasses.fields(ArticleMeta))


def _plain_checked(checked: Checked, root: str) -> tuple:
    """A Checked as plain values (quick to unpickle), its linked files
    relative to the content folder ``root``, which may move."""
    meta = checked.meta
    return (tuple(getattr(meta, name) for name in META_FIELDS), checked.site_links,
            [(target, os.path.relpath(path, root)) for target, path in checked.files])


def _checked_fields(plain: tuple, root: str) -> tuple:
    """The fields of the article's Checked, its files resolved again."""
    if not plain[2]:  # most articles: the record's own tuple
        return plain
    return plain[0], plain[1], [(target, os.path.join(root, rel)) for target, rel in plain[2]]


def record_of(prepared, stat: tuple[int, int, int], root: str) -> dict:
    """What a build keeps of one parsed article (all picklable; linked files
    relative to the content folder ``root``, which may move)."""
    meta = prepared.checked.meta
    summary = prepared.summary
    metadata = {
        "title": meta.title,
        "date": meta.date.isoformat(sep=" "),
        "slug": meta.slug,
        "status": meta.status,
        **{kind.plural: meta.terms[kind.name] for kind in TAXONOMY_KINDS},
        "aliases": meta.aliases,
        "source": meta.source,
        "summary": summary,
        # computed once here, not in every listing that shows the article
        "summary_text": html.unescape(summary),
        "date_iso": f"{meta.date:%Y-%m-%d}",
        "date_label": f"{meta.date.year}年{meta.date.month}月{meta.date.day}日",
        # everything on the article's own page comes from this file
        "source_hash": prepared.source_hash,
    }
    if meta.modified:
        metadata["modified"] = meta.modified.isoformat(sep=" ")
    if meta.authors:
        metadata["authors"] = list(meta.authors)
    for key, value in meta.extra.items():
        metadata.setdefault(key, value)
    # for the site-wide checks (links, files), made again on every build
    checked = _plain_checked(prepared.checked, root)
    return {"stat": stat, "hash": prepared.source_hash, "metadata": metadata, "checked": checked,
            "warnings": [str(w) for w in prepared.warnings]}


@dataclasses.dataclass
class StoreHistory:
    """Which articles came into the store when, so a later stage can tell
    which articles are new or changed since the build that made an output.

    Every build that adds, changes, moves or removes a record makes a new
    *generation* of the store with a random token, and each record keeps the
    generation it was made in.  An output remembers :meth:`state` (the
    generation and token it was built from); :meth:`changed_since` gives the
    articles made after it.  The output remembers only builds that finished,
    so a build that failed after saving the store still counts as a change.
    """

    tokens: list[str]        # the token of generation i + 1 at index i
    moved_at: int            # the last generation that removed an article or changed its place in lists
    by_generation: dict[int, list] = dataclasses.field(default_factory=dict)  # articles by their record's

    def state(self) -> dict:
        return {"generation": len(self.tokens), "token": self.tokens[-1] if self.tokens else ""}

    def changed_since(self, state) -> frozenset[int] | None:
        """The ids of :meth:`changed_articles`."""
        changed = self.changed_articles(state)
        return None if changed is None else frozenset(map(id, changed))

    def changed_articles(self, state) -> list | None:
        """The articles whose records were made after the store was in
        ``state``; None when that is not known (another store, an older
        copy of this one, or an article removed or moved since)."""
        if not isinstance(state, dict):
            return None
        generation, token = state.get("generation"), state.get("token")
        if (not isinstance(generation, int) or not 0 < generation <= len(self.tokens)
                or self.tokens[generation - 1] != token or self.moved_at > generation):
            return None
        return [article for made, articles in self.by_generation.items() if made > generation
                for article in articles]


# Record fields that decide where an article is listed (which lists, in
# which order): a record changed in one of them moves the article.
PLACE_FIELDS = ("date", "status", "title", *[kind.plural for kind in TAXONOMY_KINDS])
HISTORY_FILE = "articles-history.pickle"
# The name of the store's state among the inputs an output records
# (ArchiveWriter.record_input).
STORE_INPUT = "articles"


class ArticleStore:
    """The records, in one bucket per content folder."""

    def __init__(self, cache_dir: str):
        self.cache_dir = cache_dir
        self.folder = os.path.join(cache_dir, RECORDS_DIR)
        self.contents_prefix = os.path.join(cache_dir, CONTENTS_DIR, "")
        self.records: dict[str, dict] = self._load()
        self.used: dict[str, dict] = {}
        self.updated: set[str] = set()  # records of used given a field (their URL) in place
        self.history = self._load_history()

    def _load_history(self) -> StoreHistory:
        kept = load_pickled(os.path.join(self.cache_dir, HISTORY_FILE))
        if (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], list)
                and isinstance(kept[1], int)):
            return StoreHistory(kept[0], kept[1])
        return StoreHistory([], 0)

    def next_generation(self, moved: bool) -> None:
        """This build changed the records: a new generation (``moved``: an
        article was removed or moved)."""
        self.history.tokens.append(os.urandom(8).hex())
        if moved:
            self.history.moved_at = len(self.history.tokens)

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def _bucket_of_folder(folder: str) -> str:
        return hashlib.sha1(folder.encode("utf-8")).hexdigest()[:16]

    def bucket_of(self, rel: str) -> str:
        # the folder as os.path.dirname gives it for a relative file path
        # (a path the store makes: no doubled or trailing separators), at
        # C speed: save() asks for every record's, twice
        return self._bucket_of_folder(rel.rpartition(os.sep)[0])

    def _load(self) -> dict[str, dict]:
        records = {}
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return records
        for name in names:
            bucket = load_pickled(os.path.join(self.folder, name)) if name.endswith(".pickle") else None
            if (isinstance(bucket, tuple) and len(bucket) == 2 and bucket[0] == RECORDS_FORMAT
                    and isinstance(bucket[1], dict)):
                records.update(bucket[1])
        return records

    def content_file(self, source_hash: str) -> str:
        return f"{self.contents_prefix}{source_hash[:2]}{os.sep}{source_hash}.html"

    def keep_content(self, source_hash: str, content: str) -> None:
        path = self.content_file(source_hash)
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            temporary = f"{path}.{os.getpid()}"
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.write(content)
            os.replace(temporary, path)

    def save(self) -> None:
        """Records of this build's articles only (a deleted file's goes),
        each bucket written again only when its records changed (pickling
        50,000 records took 1 s of a daily build that added ten)."""
        old, new = defaultdict(dict), defaultdict(dict)
        for rel, record in self.records.items():
            old[self.bucket_of(rel)][rel] = record
        for rel, record in self.used.items():
            new[self.bucket_of(rel)][rel] = record
        changed = {self.bucket_of(rel) for rel in self.updated}
        for bucket in old.keys() | new.keys():
            records, before = new.get(bucket, {}), old.get(bucket, {})
            path = os.path.join(self.folder, f"{bucket}.pickle")
            if (records and (bucket in changed or records.keys() != before.keys()
                             or any(records[rel] is not before[rel] for rel in records))):
                save_pickled(path, (RECORDS_FORMAT, records))
        # buckets of folders without articles now, and any of another format
        with contextlib.suppress(FileNotFoundError):
            for name in os.listdir(self.folder):
                if name.endswith(".pickle") and name[:-len(".pickle")] not in new:
                    os.unlink(os.path.join(self.folder, name))
        # after the records: a record is never older than the history says
        save_pickled(os.path.join(self.cache_dir, HISTORY_FILE),
                     (self.history.tokens, self.history.moved_at))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self.cache_dir, OLD_RECORDS_FILE))


def _stat(path: str) -> tuple[int, int, int]:
    """Size, mtime and inode: a copied or checked-out file is read again."""
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns, info.st_ino


# typecodes of a stat's size, mtime (ns, negative before 1970) and inode
_STAT_TYPES = ("q", "q", "Q")


def _packed_stats(base: str, files: list[str]) -> tuple[bytes, ...]:
    """:func:`_stat` of each file, as three arrays (a few bytes objects
    through the pipe instead of a tuple per file)."""
    columns = [array(code) for code in _STAT_TYPES]
    for rel in files:
        for column, value in zip(columns, _stat(os.path.join(base, rel)), strict=True):
            column.append(value)
    return tuple(column.tobytes() for column in columns)


def _file_stats(base: str, files: list[str], load_store):
    """(``load_store()``, each file's :func:`_stat`).  In a large archive
    the files are looked at in a forked process while the store is loaded:
    a stat is a system call, about 5 µs a file, and the other core is idle
    while the build reads (0.26 s of a daily build at 50,000 articles)."""
    if not worth_forking(len(files)):
        return load_store(), {rel: _stat(os.path.join(base, rel)) for rel in files}
    statting = ForkedCall("查看文章文件", _packed_stats, base, files)
    try:
        store = load_store()
    except BaseException:
        statting.stop()
        raise
    columns = [array(code) for code in _STAT_TYPES]
    for column, packed in zip(columns, statting.result(), strict=True):
        column.frombytes(packed)
    return store, dict(zip(files, zip(*columns, strict=True), strict=True))


_worker_reader = None


def _prepare_in_worker(path):
    return path, _worker_reader.prepare(path)


def _prepare_all(reader, paths: list[str]) -> dict[str, object]:
    """The archive reader's Prepared of each path, on all cores when there
    are enough (Markdown and sanitizing are most of a clean build's read
    time; workers are forked, so they share the loaded vocabulary)."""
    global _worker_reader
    workers = os.cpu_count() or 1
    if len(paths) < PARALLEL_MIN_FILES or workers < 2:
        return {path: reader.prepare(path) for path in paths}
    _worker_reader = reader
    try:
        with get_context("fork").Pool(workers) as pool:
            return dict(pool.imap_unordered(_prepare_in_worker, paths, chunksize=64))
    finally:
        _worker_reader = None


class _Converter:
    """Record metadata to what Pelican's readers would have made of it."""

    def __init__(self, reader, settings, root: str):
        self.reader = reader
        self.root = root
        self.timezone = ZoneInfo(settings.get("TIMEZONE", "UTC"))
        self.authors: dict[str, Author] = {}
        self.statuses: dict[str, object] = {}
        self.settings = settings

    def metadata(self, raw: dict) -> dict:
        metadata = dict(raw)
        # fromisoformat instead of Pelican's date parser (dateutil: 40 µs an article)
        metadata["date"] = datetime.datetime.fromisoformat(raw["date"]).replace(tzinfo=self.timezone)
        if "authors" in raw:
            metadata["authors"] = [self._author(name) for name in raw["authors"]]
        for key in PELICAN_PROCESSED:  # other fields Pelican's readers process
            if key in raw:
                value = self._processed(key, raw[key])
                if is_discarded(value):
                    del metadata[key]
                else:
                    metadata[key] = value
        return metadata

    def _processed(self, key: str, raw):
        """Pelican's processing of a field, once per value of a plain field
        (every article has a status, and nearly all the same one)."""
        if key != "status":  # the others may make objects of their own per article
            return self.reader.process_metadata(key, raw)
        if raw not in self.statuses:
            self.statuses[raw] = self.reader.process_metadata(key, raw)
        return self.statuses[raw]

    def _author(self, name: str) -> Author:
        if name not in self.authors:
            self.authors[name] = Author(name, self.settings)
        return self.authors[name]


def _add_urls(metadata: dict, record: dict, url_rules: tuple, format_urls) -> bool:
    """url/save_as from the record when they were made by the same rules
    (formatting them took 0.8 s of every build at 50,000 articles), else
    made by ``format_urls`` and kept in the record: True then."""
    kept = record.get("urls")
    if kept is not None and kept[0] == url_rules:
        metadata.update(kept[1])
        return False
    format_urls(metadata)
    record["urls"] = (url_rules, {k: metadata[k] for k in ("url", "save_as") if k in metadata
                                  and k not in record["metadata"]})
    return True


def article_files(base: str, paths, excludes, ignores) -> list[str]:
    """The Markdown files Pelican's ``Generator.get_files`` lists for the
    article paths, sorted: the same exclusions (a folder named by its path
    from ``base``), IGNORE_FILES patterns on folder and file names, links
    to folders followed.  One compiled pattern instead of an fnmatch per
    pattern and name, and no relpath per file: 0.3 s of every build at
    50,000 articles."""
    ignored = re.compile("|".join(fnmatch.translate(os.path.normcase(p)) for p in ignores)) if ignores else None

    def is_ignored(name: str) -> bool:
        return ignored is not None and ignored.match(os.path.normcase(name)) is not None

    excluded: dict[str, set[str]] = defaultdict(set)
    for exclude in excludes:
        parent, name = os.path.split(os.path.join(base, exclude))
        excluded[parent].add(name)
    found = set()
    for path in paths:
        root = os.path.join(base, path) if path else base
        if not os.path.isdir(root):
            if os.path.isfile(root) and not is_ignored(os.path.basename(root)) and root.endswith(SOURCE_SUFFIXES):
                found.add(os.path.relpath(root, base))
            continue
        for folder, subfolders, names in os.walk(root, topdown=True, followlinks=True):
            subfolders[:] = [d for d in subfolders if d not in excluded.get(folder, ()) and not is_ignored(d)]
            relative = os.path.relpath(folder, base)
            prefix = "" if relative == "." else relative + os.sep
            found.update(prefix + name for name in names
                         if name.endswith(SOURCE_SUFFIXES) and not is_ignored(name))
    return sorted(found)


def read_articles(generator, reader, format_urls) -> tuple[list, list[str], StoreHistory]:
    """Every article of the generator's paths, from the store or read now;
    the problems found; the store's history (which articles are new).
    ``format_urls(metadata)`` adds url/save_as."""
    settings = generator.settings
    base = generator.path
    files = article_files(base, settings["ARTICLE_PATHS"], settings["ARTICLE_EXCLUDES"], settings["IGNORE_FILES"])
    store, stats = _file_stats(base, files, lambda: ArticleStore(settings["CACHE_PATH"]))
    todo = []
    for rel in files:
        path = os.path.join(base, rel)
        record = store.records.get(rel)
        if record is not None and record["stat"] == stats[rel]:
            store.used[rel] = record
            continue
        if record is not None:
            with open(path, "rb") as handle:
                if hashlib.sha1(handle.read()).hexdigest() == record["hash"]:
                    store.used[rel] = {**record, "stat": stats[rel]}
                    continue
        todo.append(rel)
    problems = []
    generation = len(store.history.tokens) + 1  # of the records made now
    for rel, prepared in sorted(_prepare_all(reader, [os.path.join(base, r) for r in todo]).items()):
        rel = os.path.relpath(rel, base)
        if prepared.problems:
            problems += prepared.problems
            for warning in prepared.warnings:
                logger.warning("%s", warning)
            continue
        store.keep_content(prepared.source_hash, prepared.content)
        store.used[rel] = record_of(prepared, stats[rel], os.path.abspath(settings["PATH"]))
        store.used[rel]["generation"] = generation
    made = [rel for rel in todo if rel in store.used]
    moved = (any(rel not in store.used for rel in store.records)
             or any(_moves(store.records[rel], store.used[rel]) for rel in made if rel in store.records))
    if made or moved:
        store.next_generation(moved)
    converter = _Converter(reader, settings, os.path.abspath(settings["PATH"]))
    # what an article's URL is made from besides its own metadata
    url_rules = (settings["ARTICLE_URL"], settings["ARTICLE_SAVE_AS"], settings["DEFAULT_LANG"],
                 settings.get("TIMEZONE"))
    articles = []
    for rel in sorted(store.used):
        record = store.used[rel]
        for warning in record["warnings"]:
            logger.warning("%s", warning)
        metadata = converter.metadata(record["metadata"])
        if _add_urls(metadata, record, url_rules, format_urls):
            store.updated.add(rel)
        article = new_article(LazyArticle, metadata, os.path.join(base, rel), settings, generator.context,
                              rel.replace(os.sep, "/"))
        article.__dict__["_content_file"] = store.content_file(record["hash"])
        article.__dict__["_checked_fields"] = _checked_fields(record["checked"], converter.root)
        articles.append(article)
        store.history.by_generation.setdefault(record.get("generation", 0), []).append(article)
    store.save()
    return articles, problems, store.history


def _moves(old: dict, new: dict) -> bool:
    """Whether a changed record puts its article in other lists or at
    another place in them."""
    return any(old["metadata"].get(name) != new["metadata"].get(name) for name in PLACE_FIELDS)
