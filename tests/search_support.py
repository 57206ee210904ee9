"""Running the browser-side search modules in Chromium for tests.

``js_page`` is a Chromium page served from a folder that holds a copy of
theme/static/js/ (as ``js/``) and whatever a test writes into
``js_page.folder``; module code is run with ``page.evaluate`` and
``import("./js/...")``.  No node needed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser import launch_chromium, serve

ROOT = Path(__file__).resolve().parent.parent
JS_DIR = ROOT / "theme" / "static" / "js"


@pytest.fixture(scope="module")
def js_page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("js")
    shutil.copytree(JS_DIR, folder / "js")
    (folder / "index.html").write_text("<!doctype html><meta charset=utf-8><title>t</title>",
                                       encoding="utf-8")
    server = serve(folder)
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            page.folder = folder
            yield page
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
