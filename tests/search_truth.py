"""The truth a search must return, found without the index.

A page is relevant when the text of its <article> element (read with
BeautifulSoup, independently of the indexer's regular expressions) holds
every phrase of the query, normalized as search normalizes.  Used by the
browser tests and by the search benchmark.
"""

from __future__ import annotations

from pathlib import Path

from search import tokens as st


def article_texts(site_dir: Path) -> dict[str, str]:
    """URL -> text of the page's <article> element, for every article page."""
    from bs4 import BeautifulSoup

    texts = {}
    for path in sorted(site_dir.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article")
        if article is None:
            continue
        for tag in article.find_all(["script", "style"]):
            tag.decompose()
        url = path.parent.relative_to(site_dir).as_posix() + "/"
        texts[url] = article.get_text("\n")
    return texts


def doc_urls(site_dir: Path) -> dict[int, str]:
    """Search document id -> page URL, read from the index (search/doc/)."""
    from search.reader import SearchIndex

    return SearchIndex(site_dir / "search").urls()


def relevant(query: str, texts: dict[str, str], runs_cache: dict) -> set[str]:
    parsed = st.parse_query(query)
    found = set()
    for url, text in texts.items():
        haystack = runs_cache.get(url)
        if haystack is None:
            haystack = runs_cache[url] = "\x00".join(st.runs(text))
        if parsed.phrases and all(p in haystack for p in parsed.phrases):
            found.add(url)
    return found
