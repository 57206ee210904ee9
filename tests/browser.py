"""Debian's Chromium and the site server, for the browser tests and the
search benchmark (no browser downloads: playwright drives /usr/bin/chromium).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sitebuild.serve import serve_in_background

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying Google's
# hosts, which this closed network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def serve(root: Path, use_gzip: bool = True, ranges: bool = True):
    """The site server of ``invoke serve``, on a free port in a thread."""
    return serve_in_background(root, use_gzip, ranges)


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextmanager
def site_url(root: Path, use_gzip: bool = True, ranges: bool = True):
    """Serve ``root`` while the block runs; yields the site's base URL."""
    server = serve(root, use_gzip, ranges)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium():
    """Debian's Chromium through playwright while the block runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()
