"""The search package's error: a build step that fails names its cause."""

from __future__ import annotations

from yingkou_archive.errors import ArchiveError


class SearchIndexError(ArchiveError):
    pass
