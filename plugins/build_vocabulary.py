"""The vocabulary of one Pelican run, shared by the plugins that need it.

Loaded from ``ARCHIVE_VOCABULARY`` (default: ``PATH/taxonomy.yml``) the
first time a plugin asks, and kept in the run's settings, so every plugin
of one build sees the same terms (including unlisted agencies added while
reading) and the next build starts from the file again.
"""

from __future__ import annotations

import os

from yingkou_archive.vocabulary import Vocabulary, load_vocabulary

LOADED_KEY = "ARCHIVE_VOCABULARY_LOADED"


def _vocabulary_path(settings) -> str:
    return settings.get("ARCHIVE_VOCABULARY") or os.path.join(settings["PATH"], "taxonomy.yml")


def build_vocabulary(settings) -> Vocabulary:
    loaded = settings.get(LOADED_KEY)
    if loaded is None:
        loaded = settings[LOADED_KEY] = load_vocabulary(_vocabulary_path(settings))
    return loaded


def vocabulary_digest(settings) -> str:
    """A digest of the vocabulary file: term names, slugs and aliases show
    on every page that lists an article (unlisted agencies get theirs from
    their names)."""
    import hashlib

    try:
        with open(_vocabulary_path(settings), "rb") as handle:
            return hashlib.sha1(handle.read()).hexdigest()
    except OSError:
        return ""
