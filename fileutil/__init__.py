"""Keeping unchanged output files: link the previous build's copy.

A build writes into a fresh folder.  A file whose bytes equal the previous
build's is hard-linked from it instead of written, so it keeps its identity
and modification time and an incremental deploy sends only what changed.
Used by the page writer (plugins/archive_writer), the search index and the
build's final pass over everything else.
"""

from __future__ import annotations

import os


def same_bytes(path: str | os.PathLike, data: bytes) -> bool:
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def write_or_link(path: str | os.PathLike, data: bytes,
                  previous: str | os.PathLike | None) -> None:
    """Write ``data`` to ``path``, or link ``previous`` if it holds the same bytes."""
    if os.path.lexists(path):
        os.unlink(path)  # a second write of one file: never edit a linked inode
    if previous is not None and same_bytes(previous, data):
        os.link(previous, path)
        return
    with open(path, "wb") as handle:
        handle.write(data)
