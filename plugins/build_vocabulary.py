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


def build_vocabulary(settings) -> Vocabulary:
    loaded = settings.get(LOADED_KEY)
    if loaded is None:
        path = settings.get("ARCHIVE_VOCABULARY") or os.path.join(settings["PATH"], "taxonomy.yml")
        loaded = settings[LOADED_KEY] = load_vocabulary(path)
    return loaded
