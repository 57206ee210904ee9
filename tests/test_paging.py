"""Stable pages: numbered from the oldest, so a growing list changes few pages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as hs

from yingkou_archive.paging import page_url, stable_pages


@settings(max_examples=200, deadline=None)
@given(hs.integers(0, 400), hs.integers(1, 30))
def test_every_article_is_on_exactly_one_page_in_order(count, per_page):
    items = list(range(count, 0, -1))  # newest first
    pages = stable_pages(items, per_page)
    assert [i for page in pages for i in page.articles] == items
    front, numbered = pages[0], pages[1:]
    assert front.is_front
    if count > 2 * per_page:
        assert per_page < len(front.articles) <= 2 * per_page
        assert all(len(p.articles) == per_page for p in numbered)
        assert [p.number for p in numbered] == list(range(len(numbered), 0, -1))
        # each page links its neighbours: newer towards the front (0), older towards page 1
        assert front.older == len(numbered) and numbered[0].newer == 0
        assert numbered[-1].number == 1 and numbered[-1].older is None
    else:
        assert not numbered and front.older is None


@settings(max_examples=100, deadline=None)
@given(hs.integers(0, 300), hs.integers(1, 25))
def test_a_new_article_changes_the_front_page_and_at_most_one_other(count, per_page):
    before = {p.number: p for p in stable_pages(list(range(count, 0, -1)), per_page)}
    after = {p.number: p for p in stable_pages(list(range(count + 1, 0, -1)), per_page)}
    changed = [n for n in after if n is not None and after[n] != before.get(n)]
    gone = [n for n in before if n not in after]
    assert not gone
    # a chunk that filled up becomes a page, and the page before it links to it
    assert len(changed) <= 2
    assert all(n >= max(after[m].number for m in after if m is not None) - 1 for n in changed)


def test_page_urls():
    assert page_url("topics/gangkou/", None) == "topics/gangkou/"
    assert page_url("topics/gangkou/", 0) == "topics/gangkou/"
    assert page_url("topics/gangkou/", 3) == "topics/gangkou/page/3/"
