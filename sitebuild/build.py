"""Build the site so that a failed build never touches the live output.

Pelican writes into the standby generation of the output folder, which
holds the live generation's files (sitebuild/generations.py); the search
index is written into it too; only when every step succeeded do the two
folders swap places in one atomic rename.  Pages whose inputs did not
change are not rendered (plugins/archive_writer); files that did not change
keep their identity.  Any error Pelican merely logs (a plugin that failed to
load, a file it skipped) fails the build as well.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from search.page_manifest import embed_manifest
from sitebuild.generations import OutputGenerations
from sitebuild.precompress import precompress_files
from yingkou_archive.errors import ArchiveError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What the reader cache's entries depend on besides the article file itself:
# a change to any of these starts a fresh cache.
READER_CODE = (
    "plugins/archive_content/__init__.py",
    "plugins/archive_content/store.py",
    "yingkou_archive/article.py",
    "yingkou_archive/body.py",
    "yingkou_archive/content_check.py",
    "yingkou_archive/fields.py",
    "yingkou_archive/figures.py",
    "yingkou_archive/links.py",
    "yingkou_archive/sanitize.py",
    "yingkou_archive/vocabulary.py",
)


class BuildError(ArchiveError):
    pass


@dataclass
class BuildResult:
    output_dir: Path
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    search: dict | None = None
    changed: int = 0  # output files this build wrote or removed


class _Recorder(logging.Handler):
    """Keeps what Pelican logs at WARNING and above during one build."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message}: {record.exc_info[1]}"
        if record.levelno >= logging.ERROR:
            self.errors.append(message)
        else:
            self.warnings.append(message)


def _cache_dir(settings_file: Path, content_dir: Path) -> Path:
    """One reader cache per content folder, vocabulary and reader code.

    Cached articles hold terms resolved with the vocabulary and HTML made by
    the reader code, so a change to either must not reuse them.
    """
    digest = hashlib.sha256()
    vocabulary = content_dir / "taxonomy.yml"
    digest.update(vocabulary.read_bytes() if vocabulary.exists() else b"")
    for name in READER_CODE:
        digest.update((PROJECT_ROOT / name).read_bytes())
    base = hashlib.sha256(str(content_dir).encode()).hexdigest()[:8]
    return settings_file.parent / "cache" / f"{base}-{digest.hexdigest()[:16]}"


def build_site(
    content_dir: str | Path | None = None,
    output_dir: str | Path | None = None,
    settings_file: str | Path | None = None,
    search: bool = True,
    overrides: dict | None = None,
) -> BuildResult:
    from plugins.archive_writer import article_pages_written, output_files, writing_started
    from plugins.pelican_run import read_build_settings, run_pelican

    settings_file = Path(settings_file or PROJECT_ROOT / "pelicanconf.py").resolve()
    base = read_build_settings(str(settings_file))
    content_dir = Path(content_dir or base["PATH"]).resolve()
    output_dir = Path(output_dir or base["OUTPUT_PATH"]).resolve()
    if not content_dir.is_dir():
        raise BuildError(f"{content_dir}: 内容目录不存在")
    if output_dir == content_dir or output_dir in content_dir.parents:
        raise BuildError(f"{output_dir}: 输出目录不能包含内容目录")

    result = BuildResult(output_dir=output_dir)
    started = time.perf_counter()
    generations = OutputGenerations(output_dir)
    generations.acquire()
    try:
        work_dir = generations.prepare()
        result.phases["prepare"] = time.perf_counter() - started
        settings = read_build_settings(str(settings_file), {
            "PATH": str(content_dir),
            "OUTPUT_PATH": str(work_dir),
            "CACHE_PATH": str(_cache_dir(settings_file, content_dir)),
            **(overrides or {}),
        })
        produced_paths: set[str] = set()
        changed_paths: set[str] = set()
        indexer = _SearchIndexer(work_dir)

        def on_output_files(_sender, produced=(), changed=(), **_):
            produced_paths.update(produced)
            changed_paths.update(changed)

        def on_article_pages(_writer, pages=(), **_):
            if search:  # made in a child process while the list pages are rendered
                indexer.start(pages)

        def on_writing(writer, **_):
            generations.mark_dirty()
            # the writer keeps a page only if its files are there: the
            # record says so without 120,000 stats (3.6 s on a cold cache)
            if hasattr(writer, "known_files"):
                writer.known_files = generations.known_files()

        connections = [(output_files, on_output_files), (article_pages_written, on_article_pages),
                       (writing_started, on_writing)]
        recorder = _Recorder()
        root = logging.getLogger()
        root.addHandler(recorder)
        # Python's cycle collector walks every live object again and again while
        # a build allocates hundreds of thousands of them (articles, pages,
        # templates); off for the build, it cost 14 % of a full 10,000-article
        # build's time for 60 MB of uncollected cycles (docs/benchmarks.md).
        collecting = gc.isenabled()
        gc.disable()
        for sig, receiver in connections:
            sig.connect(receiver)
        try:
            phase = time.perf_counter()
            run_pelican(settings)
            result.phases["pelican"] = time.perf_counter() - phase
            if recorder.errors:
                raise BuildError("构建时出现错误：\n" + "\n".join(f"  {e}" for e in recorder.errors))
            if search:
                phase = time.perf_counter()
                result.search = indexer.result()
                produced_paths.update(result.search["produced"])
                changed_paths.update(result.search["changed"])
                search_page = settings.get("SEARCH_SAVE_AS", "search.html")
                if embed_manifest(work_dir, search_page):
                    changed_paths.add(search_page)
                # the wait for the index after Pelican, not its whole time
                result.phases["search"] = time.perf_counter() - phase
            if settings.get("PRECOMPRESS"):
                phase = time.perf_counter()
                siblings = precompress_files(work_dir, produced_paths, changed_paths, settings["PRECOMPRESS"],
                                             generations.previous.produced if generations.previous else set())
                produced_paths.update(siblings.produced)
                changed_paths.update(siblings.changed)
                result.phases["precompress"] = time.perf_counter() - phase
            phase = time.perf_counter()
            changed_paths.update(generations.remove_unproduced(produced_paths))
            generations.commit(produced_paths, changed_paths)
            result.phases["swap"] = time.perf_counter() - phase
        except BaseException:
            indexer.stop()
            generations.abandon()
            raise
        finally:
            for sig, receiver in connections:
                sig.disconnect(receiver)
            root.removeHandler(recorder)
            if collecting:
                gc.enable()
        result.warnings = recorder.warnings
        result.changed = len(changed_paths)
    finally:
        generations.release()
    result.seconds = time.perf_counter() - started
    return result


def build_once_then_exit() -> None:
    """For a process that exits right after its build (``invoke build``, the
    benchmark), called before it: no cycle collection from here on.

    ``build_site`` turns the collector off while it runs and back on at the
    end, when it was on; the next allocation then starts a full collection
    of every object the build left (after a daily build of 50,000 articles
    the process ran 0.85–0.97 s past the build, 0.36–0.41 s without that
    collection; docs/benchmarks.md), and Python's final collection at exit
    walks and frees them one by one again (0.7 s after a 10,000-article
    build).  With the collector off before the build it stays off, and at
    exit the objects are frozen, left to the operating system.  A process
    that builds again (livereload, tests) must not call this: nothing it
    made would ever be collected.
    """
    gc.disable()
    atexit.register(gc.freeze)


class _SearchIndexer:
    """The search index of the work folder, made in a forked child process.

    Started when the writer plugin says every article page is in place
    (``article_pages_written``; the index reads only those), it runs while
    Pelican renders list pages, feeds and the sitemap; :meth:`result` waits
    for it.  Not started (a plugin setup without the writer), it runs in
    this process when the result is asked for.
    """

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.pages: dict[str, str | None] | None = None  # None: every article page in the folder
        self.process = None
        self.pipe = None

    def start(self, pages) -> None:
        if self.process is not None:
            return
        self.pages = dict(pages)
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.pipe, child_end = context.Pipe(duplex=False)
        self.process = context.Process(target=self._run_in_child, args=(child_end,))
        self.process.start()
        child_end.close()

    def _run_in_child(self, pipe) -> None:
        try:
            pipe.send(("ok", self._write()))
        except BaseException as error:  # reported to the parent, which fails the build
            pipe.send(("error", f"{type(error).__name__}: {error}"))
        finally:
            pipe.close()
            os._exit(0)  # a forked copy of the build: nothing of it to clean up

    def _write(self) -> dict:
        from search.write import write_search_index

        return write_search_index(self.site_dir, pages=self.pages)

    def result(self) -> dict:
        if self.process is None:
            return self._write()
        try:
            status, value = self.pipe.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            status, value = "error", None
        self.process.join()
        exitcode, self.process = self.process.exitcode, None
        if status != "ok":
            raise BuildError("搜索索引生成失败："
                             + (value or f"进程意外结束（退出码 {exitcode}）"))
        return value

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process = None
