"""Shared fixtures: the demo archive built once into a temporary folder, and
a Chromium page for running the browser-side search modules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitebuild.build import build_site
from tests.browser import chromium, launch_chromium, serve, site_url

ROOT = Path(__file__).resolve().parent.parent
JS_DIR = ROOT / "theme" / "static" / "js"

DEMO_CONTENT = ROOT / "content"


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo content, built with search index, as a reader would get it."""
    output = tmp_path_factory.mktemp("demo") / "output"
    build_site(DEMO_CONTENT, output)
    return output


@pytest.fixture(scope="session")
def demo_url(demo_site) -> str:
    """The built demo archive served on a free port: its base URL."""
    with site_url(demo_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module."""
    with chromium() as instance:
        yield instance


@pytest.fixture()
def content_copy(tmp_path) -> Path:
    """A private copy of the demo content that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(DEMO_CONTENT, target)
    return target


# ``js_page`` is a Chromium page served from a folder that holds a copy of
# theme/static/js/ (as ``js/``) and whatever a test writes into
# ``js_page.folder``; module code is run with ``page.evaluate`` and
# ``import("./js/...")``.  No node needed.
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


# Tests that drive Chromium, marked so `invoke test --quick` can leave them
# out (pyproject.toml declares the markers).
BROWSER_FIXTURES = {"js_page", "browser", "page"}


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
