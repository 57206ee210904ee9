"""A daily build does not look again at list pages that show only older
articles (plugins/list_pages.py, plugins/archive_content/store.StoreHistory),
and still gives exactly the output of a clean build: after new articles,
after an edit deep in the archive, after a build that failed once the store
had kept a new article."""

from __future__ import annotations

import datetime as dt

import pytest

import plugins.list_pages as list_pages
from plugins.archive_content.store import StoreHistory
from plugins.list_pages import KnownChanges
from sitebuild.build import build_site
from tests.helpers import record_calls, tree_digest
from yingkou_archive.errors import ArchiveError
from yingkou_archive.synthetic import ArticleGenerator, generate_archive
from yingkou_archive.vocabulary import load_vocabulary


def _add_newest(content, first: int, count: int, day: dt.date) -> list:
    generator = ArticleGenerator(load_vocabulary(content / "taxonomy.yml"), seed=first)
    paths = []
    for index in range(first, first + count):
        rel, text = generator.article(index, day)
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
        paths.append(content / rel)
    return paths


def _same_as_clean(content, output, tmp_path, name):
    clean = tmp_path / f"clean-{name}"
    build_site(content, clean, search=False, overrides={"CACHE_PATH": str(tmp_path / f"cache-{name}")})
    assert tree_digest(output) == tree_digest(clean)


@pytest.fixture
def counted(monkeypatch):
    """How many list pages had the briefs of their articles made."""
    return record_calls(monkeypatch, list_pages, "briefs_key", len)


def test_new_articles_leave_older_list_pages_unread_and_equal_a_clean_build(tmp_path, counted):
    content, output = tmp_path / "content", tmp_path / "output"
    paths = generate_archive(content, 400, seed=3)
    build_site(content, output, search=False)
    full = len(counted)
    counted.clear()
    _add_newest(content, 400, 5, dt.date(2026, 2, 1))
    build_site(content, output, search=False)
    # the fronts of the lists the new articles are in, and the pages of their new day/month/year
    assert 0 < len(counted) < full / 4, (len(counted), full)
    _same_as_clean(content, output, tmp_path, "new")

    # an old article's first paragraph (its summary in every list) edited
    # in place: the pages from it to the newest are made again, the older not
    old = sorted(paths)[40]
    text = old.read_text(encoding="utf-8")
    head, body = text.split("\n\n", 1)
    old.write_text(f"{head}\n\n补记：本文首段有更正。{body}", encoding="utf-8")
    counted.clear()
    build_site(content, output, search=False)
    assert 0 < len(counted) < full
    _same_as_clean(content, output, tmp_path, "edit")


def test_a_build_that_failed_after_the_store_kept_a_new_article(tmp_path):
    """The store keeps the records of a build that then fails (a site-wide
    problem); the output does not have the new article yet, so the next
    build must still count it as new."""
    content, output = tmp_path / "content", tmp_path / "output"
    generate_archive(content, 300, seed=4, per_day=4)  # months of 120: numbered pages
    build_site(content, output, search=False)
    # an old page imported late: the article lands on numbered pages of its lists
    days = sorted(path.name[:10] for path in (content / "articles").rglob("*.md"))
    new = _add_newest(content, 300, 1, dt.date.fromisoformat(days[len(days) // 3]))[0]
    broken = _add_newest(content, 301, 1, dt.date(2026, 3, 2))[0]
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good + "\n见[此前报道](/2001/01/01/no-such-story/)。\n", encoding="utf-8")
    with pytest.raises(ArchiveError):
        build_site(content, output, search=False)
    # the link mended (not the file removed: a removal makes every list page looked at again)
    broken.write_text(good + "\n另见本报此前报道。\n", encoding="utf-8")
    build_site(content, output, search=False)
    _same_as_clean(content, output, tmp_path, "after-failure")
    title = next(line for line in new.read_text(encoding="utf-8").splitlines() if line.startswith("Title:"))
    listed = [p for p in output.rglob("page/*/index.html") if title[len("Title: "):] in p.read_text(encoding="utf-8")]
    assert listed, "the late article is on no numbered list page"


class _Article:
    pass


def test_the_history_names_what_came_after_an_output_and_refuses_what_it_cannot_vouch_for():
    a, b, c = _Article(), _Article(), _Article()
    history = StoreHistory(["t1", "t2", "t3"], moved_at=1, by_generation={1: [a], 2: [b], 3: [c]})
    assert history.state() == {"generation": 3, "token": "t3"}
    assert history.changed_since({"generation": 3, "token": "t3"}) == frozenset()
    assert history.changed_since({"generation": 1, "token": "t1"}) == {id(b), id(c)}
    # another store, a copy older than the output, no state, a damaged one
    assert history.changed_since({"generation": 2, "token": "other"}) is None
    assert history.changed_since({"generation": 4, "token": "t4"}) is None
    assert history.changed_since(None) is None
    assert history.changed_since({"generation": "2", "token": "t2"}) is None
    # an article removed or moved after the output: its old lists may have any page changed
    moved = StoreHistory(["t1", "t2", "t3"], moved_at=3, by_generation={})
    assert moved.changed_since({"generation": 2, "token": "t2"}) is None
    assert moved.changed_since({"generation": 3, "token": "t3"}) == frozenset()


def test_the_first_changed_position_counts_from_the_oldest():
    articles = [_Article() for _ in range(6)]  # newest first
    known = KnownChanges(frozenset({id(articles[1]), id(articles[3])}), lambda name: None, "v")
    assert known.first_changed(articles) == 2  # articles[3] is the third oldest
    assert KnownChanges(frozenset(), lambda name: None, "v").first_changed(articles) == 6
    assert KnownChanges(None, lambda name: None, "v").first_changed(articles) == 0
