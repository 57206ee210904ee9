"""Every use of Pelican's private internals, in one place.

Checked against pelican 4.12.0 (requirements.txt).
After an upgrade, read the code named in each docstring again; the
plugins' own tests (``plugins/*/test_*.py``) show which adapter broke.
Everything else in the plugins uses Pelican's public API: signals,
``Writer.write_file``, ``Readers.reader_classes``, ``URLWrapper``,
``MarkdownReader``, generator attributes and settings.
"""

from __future__ import annotations

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
