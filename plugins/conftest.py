"""Each plugin's tests build a tiny site with just that plugin.

Pelican's signals are module globals, and every plugin a full build loaded
(in an earlier test of the same process) stays connected to them.  The
fixture below disconnects every receiver for the duration of a plugin test
and puts them back afterwards, so a plugin test sees only its own plugin,
as in a fresh process.
"""

from __future__ import annotations

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
