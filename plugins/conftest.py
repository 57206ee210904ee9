"""Each plugin's tests build a tiny site with just that plugin.

Pelican's signals are module globals, and every plugin a full build loaded
(in an earlier test of the same process) stays connected to them.  The
fixture below disconnects every receiver for the duration of a plugin test
and puts them back afterwards, so a plugin test sees only its own plugin,
as in a fresh process.
"""

from __future__ import annotations

from pathlib import Path

import blinker
import pytest
from pelican.plugins import signals


def _pelican_signals() -> list[blinker.Signal]:
    return [value for value in vars(signals).values() if isinstance(value, blinker.Signal)]


@pytest.fixture(autouse=True)
def only_the_plugin_under_test():
    saved = []
    for signal in _pelican_signals():
        for receiver in list(signal.receivers_for(blinker.ANY)):
            signal.disconnect(receiver)
            saved.append((signal, receiver))
    yield
    for signal in _pelican_signals():
        for receiver in list(signal.receivers_for(blinker.ANY)):
            signal.disconnect(receiver)
    for signal, receiver in saved:
        signal.connect(receiver, weak=False)


def tiny_settings(content, output, plugins, theme=None, **extra) -> dict:
    """Pelican settings for a plugin test: just ``plugins``, no cache, no feeds
    but the ones a test asks for, Pelican's own theme unless given one."""
    from pelican.settings import read_settings

    override = {
        "PATH": str(content), "OUTPUT_PATH": str(output), "CACHE_CONTENT": False,
        "CACHE_PATH": str(Path(output).parent / f"{Path(output).name}-cache"),
        "LOAD_CONTENT_CACHE": False, "PLUGINS": list(plugins), "PLUGIN_PATHS": [],
        "TIMEZONE": "Asia/Shanghai", "FEED_ALL_ATOM": None, "CATEGORY_FEED_ATOM": None,
        "AUTHOR_FEED_ATOM": None, "AUTHOR_FEED_RSS": None, "TRANSLATION_FEED_ATOM": None,
        "DELETE_OUTPUT_DIRECTORY": False, "ARTICLE_PATHS": ["articles"], "PAGE_PATHS": ["pages"],
        **extra}
    if theme:
        override["THEME"] = str(theme)
    return read_settings(override=override)


@pytest.fixture()
def build_tiny_site():
    """Build a tiny site with the given plugins (see tiny_settings)."""
    from pelican import Pelican

    def build(content, output, plugins, theme=None, **extra):
        Pelican(tiny_settings(content, output, plugins, theme, **extra)).run()
        return output

    return build
