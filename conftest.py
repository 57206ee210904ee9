"""Fixtures for every test folder (tests/, plugins/)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def check_unnamed_article_pages(monkeypatch):
    """In every build of a test, the writer also makes the key of each
    article page that no plugin named as changing (article_pages_changing)
    and fails if it is not the last build's: a plugin that shows something
    new on article pages without answering fails the tests at once."""
    import plugins.archive_writer

    monkeypatch.setattr(plugins.archive_writer, "CHECK_UNNAMED_PAGES", True)
