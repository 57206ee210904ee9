"""Time to first results on a phone-like connection, in Chromium.

Chromium's DevTools throttling: 150 ms round trip per request, 1.6 Mbit/s
down, 0.75 Mbit/s up, the CPU slowed 4 times (a mid-range phone on a
slow mobile network).  For each query, in a fresh browser context (empty
cache):

* **opened**: the search page is opened with ``?q=`` and the time is read
  from the navigation's start to the moment the first ten results are in
  the page (the ``search:results`` mark set by search.js): page, styles,
  scripts, manifest, index ranges and the shown documents;
* **opened, first result**: the same page load, to the moment the first
  result is in the page (``search:first``; results are added one by one as
  their documents arrive);
* **typed**: on the same page, loaded and idle, a second query is typed
  and Enter pressed; time from ``search:start`` to ``search:results``.

Facet counts arrive after the results and are not waited for.  The
harness must not take main-thread time from the page it measures: while
the opened page loads it polls every 250 ms through the DevTools protocol
(``Runtime.evaluate`` of one expression), not with Playwright's
``wait_for_function``, which first injects Playwright's own script into the
page (about 100 ms of the slowed CPU, before the page's first paint) and by
default polls every animation frame.  The times come from the page's own
marks.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

from tests.browser import launch_chromium, serve

THROTTLING = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
              "uploadThroughput": 750_000 / 8}
CPU_SLOWDOWN = 4

_RESULTS = """() => { const a = document.getElementById('search-app');
  return ['done', 'message', 'error'].includes(a.dataset.state); }"""
POLL_MS = 250
_MARKS = """() => {
  const start = performance.getEntriesByName('search:start').pop();
  const shown = performance.getEntriesByName('search:results').pop();
  const first = performance.getEntriesByName('search:first').pop();
  return shown ? { start: start ? start.startTime : 0, shown: shown.startTime,
                   first: first ? first.startTime : shown.startTime } : null;
}"""


def _evaluate(cdp, function: str):
    """The value of ``function()`` in the page, through the DevTools protocol."""
    reply = cdp.send("Runtime.evaluate", {"expression": f"({function})()", "returnByValue": True})
    return reply["result"].get("value")


def _wait_quietly(cdp, function: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not _evaluate(cdp, function):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the search page did not finish within {timeout_s:.0f} s")
        time.sleep(POLL_MS / 1000)


def measure_throttled(site_dir: Path, queries: list[str]) -> dict:
    """{"opened": [ms...], "opened_first": [ms...], "typed": [ms...]} for
    the queries (pairs: the second of each is typed after the first was
    opened)."""
    from playwright.sync_api import sync_playwright

    opened, opened_first, typed = [], [], []
    server = serve(site_dir)
    base = f"http://127.0.0.1:{server.server_address[1]}/search/"
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for first, second in zip(queries[::2], queries[1::2], strict=False):
                context = browser.new_context(viewport={"width": 390, "height": 844})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", THROTTLING)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
                page.goto(base + "?q=" + quote(first), wait_until="commit")
                _wait_quietly(cdp, _RESULTS)
                marks = _evaluate(cdp, _MARKS)
                if marks:
                    opened.append(marks["shown"])
                    opened_first.append(marks["first"])
                page.fill("#search-q", second)
                page.press("#search-q", "Enter")
                page.wait_for_function("() => performance.getEntriesByName('search:start').length"
                                       " && document.getElementById('search-app').dataset.state !== 'searching'",
                                       timeout=60_000, polling=POLL_MS)
                marks = page.evaluate(_MARKS)
                if marks:
                    typed.append(marks["shown"] - marks["start"])
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {"opened": opened, "opened_first": opened_first, "typed": typed}
