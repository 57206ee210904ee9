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
harness polls the page every 250 ms, not every animation frame (Playwright's
default): the times come from the page's own marks, and a poll per frame
took main-thread time from the page under the CPU slowdown.
"""

from __future__ import annotations

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
                page.wait_for_function(_RESULTS, timeout=60_000, polling=POLL_MS)
                marks = page.evaluate(_MARKS)
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
