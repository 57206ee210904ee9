"""Build the site so that a failed build never replaces good output.

Pelican writes into a fresh temporary folder beside the output folder; the
search index is written into it too; only when every step succeeded is the
old output swapped out for the new one.  Just before the swap, the folders
of article pages that did not change are moved over from the old output
(the writer plugin lists them instead of linking them one by one).  Any
error Pelican merely logs (a plugin that failed to load, a file it skipped)
fails the build as well.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import shutil
import stat
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from fileutil import same_bytes
from plugins.pelican_internals import forget_unfinished_sitemap
from sitebuild.precompress import precompress_tree
from yingkou_archive.errors import ArchiveError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What the reader cache's entries depend on besides the article file itself:
# a change to any of these starts a fresh cache.
READER_CODE = (
    "plugins/archive_content/__init__.py",
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


def _swap_into_place(new_dir: Path, output_dir: Path) -> None:
    old_dir = output_dir.with_name(f".{output_dir.name}.old-{os.getpid()}")
    if output_dir.exists():
        output_dir.rename(old_dir)
    new_dir.rename(output_dir)
    if old_dir.exists():
        _remove_in_background(old_dir)


def _keep_unchanged_files(new_dir: Path, old_dir: Path) -> None:
    """Replace each newly written file that equals the previous build's by a
    hard link to it, so unchanged files keep their identity and mtime and an
    incremental deploy sends only what changed.

    Rendered pages are already linked by the writer plugin; this catches the
    rest (static files, images, the search index).
    """
    # os.walk and plain strings: pathlib's rglob was most of this pass's time
    for folder, _subfolders, files in os.walk(new_dir):
        old_folder = os.path.join(old_dir, os.path.relpath(folder, new_dir))
        for name in files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
                continue  # a symlink, or already a link to the previous output
            old = os.path.join(old_folder, name)
            if not os.path.isfile(old) or os.path.getsize(old) != info.st_size:
                continue
            with open(path, "rb") as handle:
                data = handle.read()
            if same_bytes(old, data):
                os.unlink(path)
                os.link(old, path)


def _carry_over(names: list[str], old_dir: Path, new_dir: Path) -> None:
    """Move the folders of unchanged pages ``names`` from the old output
    into the new one.

    A folder moves when it holds just that page and the new output has no
    such folder yet; otherwise the page alone is hard-linked.  If a move
    fails, the folders already moved go back, so the old output stays whole.
    """
    old, new = str(old_dir), str(new_dir)
    moved: list[str] = []
    parents: set[str] = set()
    try:
        for name in names:
            folder, page = os.path.split(name)
            source, target = os.path.join(old, folder), os.path.join(new, folder)
            parent = os.path.dirname(target)
            if parent not in parents:
                os.makedirs(parent, exist_ok=True)
                parents.add(parent)
            if folder and os.listdir(source) == [page] and not os.path.lexists(target):
                os.rename(source, target)
                moved.append(folder)
            else:
                os.makedirs(target, exist_ok=True)
                os.link(os.path.join(old, name), os.path.join(new, name))
    except OSError:
        for folder in reversed(moved):
            os.rename(os.path.join(new, folder), os.path.join(old, folder))
        raise


def _remove_in_background(folder: Path) -> None:
    """Delete the replaced output without making the build wait for it.

    Unlinking tens of thousands of files takes seconds; the new output is
    already in place, so a detached ``rm`` can do it after we exit.
    """
    rm = shutil.which("rm")
    if rm and os.name == "posix":
        subprocess.Popen([rm, "-rf", str(folder)], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        shutil.rmtree(folder, ignore_errors=True)


def build_site(
    content_dir: str | Path | None = None,
    output_dir: str | Path | None = None,
    settings_file: str | Path | None = None,
    search: bool = True,
    overrides: dict | None = None,
) -> BuildResult:
    from plugins.archive_writer import CARRY_OVER_SETTING, article_pages_written
    from plugins.pelican_run import read_build_settings, run_pelican

    settings_file = Path(settings_file or PROJECT_ROOT / "pelicanconf.py").resolve()
    base = read_build_settings(str(settings_file))
    content_dir = Path(content_dir or base["PATH"]).resolve()
    output_dir = Path(output_dir or base["OUTPUT_PATH"]).resolve()
    if not content_dir.is_dir():
        raise BuildError(f"{content_dir}: 内容目录不存在")
    if output_dir == content_dir or output_dir in content_dir.parents:
        raise BuildError(f"{output_dir}: 输出目录不能包含内容目录")

    output_dir.parent.mkdir(parents=True, exist_ok=True)
    previous = output_dir if output_dir.is_dir() else None
    work_dir = output_dir.with_name(f".{output_dir.name}.build-{os.getpid()}")
    if work_dir.exists():
        shutil.rmtree(work_dir)
    override = {
        "PATH": str(content_dir),
        "OUTPUT_PATH": str(work_dir),
        "CACHE_PATH": str(_cache_dir(settings_file, content_dir)),
        # unchanged files are hard-linked from here (plugins/archive_writer)
        "ARCHIVE_PREVIOUS_OUTPUT": str(previous) if previous else None,
        **(overrides or {}),
    }
    settings = read_build_settings(str(settings_file), override)
    # Unchanged article pages the writer leaves for _carry_over.  Not with
    # precompression: their .gz/.br siblings would have to be carried too.
    settings[CARRY_OVER_SETTING] = bool(previous and not settings.get("PRECOMPRESS"))
    carried_pages: list[str] = []
    indexer = _SearchIndexer(work_dir, Path(settings["CACHE_PATH"]), previous, carried_pages)

    def on_article_pages(_writer, carried=(), **_):
        carried_pages.extend(carried)
        if search:  # made in a child process while the list pages are rendered
            indexer.start()

    recorder = _Recorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    result = BuildResult(output_dir=output_dir)
    started = time.perf_counter()
    # Python's cycle collector walks every live object again and again while
    # a build allocates hundreds of thousands of them (articles, pages,
    # templates); off for the build, it cost 14 % of a full 10,000-article
    # build's time for 60 MB of uncollected cycles (docs/benchmarks.md).
    collecting = gc.isenabled()
    gc.disable()
    article_pages_written.connect(on_article_pages)
    try:
        run_pelican(settings)
        result.phases["pelican"] = time.perf_counter() - started
        if recorder.errors:
            raise BuildError("构建时出现错误：\n" + "\n".join(f"  {e}" for e in recorder.errors))
        if search:
            phase = time.perf_counter()
            result.search = indexer.result()
            # the wait for the index after Pelican, not its whole time
            result.phases["search"] = time.perf_counter() - phase
        if settings.get("PRECOMPRESS"):
            phase = time.perf_counter()
            precompress_tree(work_dir, settings["PRECOMPRESS"])
            result.phases["precompress"] = time.perf_counter() - phase
        if previous:
            phase = time.perf_counter()
            _keep_unchanged_files(work_dir, previous)
            _carry_over(carried_pages, previous, work_dir)
            result.phases["keep-unchanged"] = time.perf_counter() - phase
        _swap_into_place(work_dir, output_dir)
    except BaseException:
        indexer.stop()
        shutil.rmtree(work_dir, ignore_errors=True)
        forget_unfinished_sitemap()
        raise
    finally:
        article_pages_written.disconnect(on_article_pages)
        root.removeHandler(recorder)
        if collecting:
            gc.enable()
    result.warnings = recorder.warnings
    result.seconds = time.perf_counter() - started
    return result


def skip_cleanup_at_exit() -> None:
    """For a process that exits right after its build (``invoke build``, the
    benchmark): leave the build's objects to the operating system.

    They hold reference cycles, so Python's final collection at exit walks
    and frees them one by one: 0.7 s after a 10,000-article build.  A
    process that builds again (livereload, tests) must not call this: the
    frozen objects would never be freed.
    """
    gc.freeze()


class _SearchIndexer:
    """The search index of the work folder, made in a forked child process.

    Started when the writer plugin says every article page is in place
    (``article_pages_written``; the index reads only those), it runs while
    Pelican renders list pages, feeds and the sitemap; :meth:`result` waits
    for it.  Not started (a plugin setup without the writer), it runs in
    this process when the result is asked for.
    """

    def __init__(self, site_dir: Path, cache_dir: Path, previous: Path | None,
                 carried: list[str]):
        self.args = (site_dir, cache_dir, previous, carried)
        self.process = None
        self.pipe = None

    def start(self) -> None:
        if self.process is not None:
            return
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

        site_dir, cache_dir, previous, carried = self.args
        return write_search_index(site_dir, cache_dir, previous, list(carried))

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
