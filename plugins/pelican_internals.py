"""Every use of Pelican's and pelican-sitemap's private internals, in one place.

Checked against pelican 4.12.0 and pelican-sitemap 1.2.2 (requirements.txt).
After an upgrade, read the code named in each docstring again; the
plugins' own tests (``plugins/*/test_*.py``) show which adapter broke.
Everything else in the plugins uses Pelican's public API: signals,
``Writer.write_file``, ``Readers.reader_classes``, ``URLWrapper``,
``MarkdownReader``, generator attributes and settings.
"""

from __future__ import annotations

import datetime

# -- pelican/writers.py: Writer ------------------------------------------------

def written_files(writer) -> set[str]:
    """``Writer._written_files``: the paths written so far by this writer
    (Pelican's overwrite guard in ``Writer._open_w`` reads it)."""
    return writer._written_files


def overridden_files(writer) -> set[str]:
    """``Writer._overridden_files``: paths written with ``override=True``,
    which later writes skip instead of failing (``Writer._open_w``)."""
    return writer._overridden_files


def open_through_guard(writer, path: str, source: str):
    """``Writer._open_w``: open an output file through the writer's
    overwrite guard, for a file written without a template (no
    ``content_written`` signal, so no sitemap entry).  ``source`` names what
    the file is made from; plugins.archive_writer reports it on a clash."""
    previous = getattr(writer, "current_source", None)
    if previous is not None:
        writer.current_source = source
    try:
        return writer._open_w(path, "utf-8")
    finally:
        if previous is not None:
            writer.current_source = previous


# -- pelican/cache.py: FileStampDataCacher -------------------------------------

def wrap_file_stamps(cacher, wrap) -> None:
    """Replace the stamp function a cacher (an ArticlesGenerator, or its
    Readers) hashes files with: ``FileStampDataCacher._filestamp_func``,
    set in ``__init__`` from CHECK_MODIFIED_METHOD.  ``wrap(stamp_of)``
    returns the replacement; a cacher without one is left alone."""
    stamp_of = getattr(cacher, "_filestamp_func", None)
    if stamp_of is not None:
        cacher._filestamp_func = wrap(stamp_of)


# -- pelican-sitemap: pelican/plugins/sitemap/sitemap.py -----------------------

def _sitemap_generator():
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:  # the sitemap plugin is not installed
        return None
    return sitemap.generator


def date_undated_sitemap_pages(moment: datetime.datetime) -> None:
    """The lastmod pelican-sitemap gives pages without a date: its module
    global ``generator.now``, set once at import time."""
    generator = _sitemap_generator()
    if generator is not None:
        generator.now = moment


def forget_unfinished_sitemap() -> None:
    """pelican-sitemap remembers the Pelican instance of the run in progress
    (``generator._main_pelican``) and its queued pages (``page_queue``), and
    resets them only on the ``finalized`` signal, which a failed run never
    sends: the next build in the same process would write no sitemap."""
    generator = _sitemap_generator()
    if generator is not None:
        generator._main_pelican = None
        generator.page_queue = []
