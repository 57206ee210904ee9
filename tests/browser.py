"""Debian's Chromium and the site server, for the browser tests and the
search benchmark (no browser downloads: playwright drives /usr/bin/chromium).
"""

from __future__ import annotations

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
