"""The truth a search must return, found without the index.

A page is relevant when the text of its <article> element (read with
BeautifulSoup, independently of the indexer's regular expressions) holds
every phrase of the query, normalized as search normalizes.  Used by the
browser tests and by the search benchmark.
"""

from __future__ import annotations

from pathlib import Path

from search import tokens as st


def _article_text(path: Path) -> str | None:
    """The text of a page's first <article> element, read with BeautifulSoup.

    Only the part of the page from the first ``<article`` to the last
    ``</article>`` is parsed: the element and everything in it are there,
    and parsing the rest of the page was most of the time at 100,000 pages.
    """
    from bs4 import BeautifulSoup

    html = path.read_text(encoding="utf-8")
    start, end = html.find("<article"), html.rfind("</article>")
    if start < 0 or end < start:
        return None
    article = BeautifulSoup(html[start:end + len("</article>")], "html.parser").find("article")
    if article is None:
        return None
    for tag in article.find_all(["script", "style"]):
        tag.decompose()
    return article.get_text("\n")


def article_texts(site_dir: Path) -> dict[str, str]:
    """URL -> text of the page's <article> element, for every article page
    (on every core when there are many: a benchmark reads 100,000)."""
    paths = sorted(site_dir.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html"))
    if len(paths) < 2000:
        texts = map(_article_text, paths)
    else:
        from multiprocessing import get_context

        with get_context("fork").Pool() as pool:
            texts = pool.map(_article_text, paths, chunksize=500)
    return {path.parent.relative_to(site_dir).as_posix() + "/": text
            for path, text in zip(paths, texts, strict=True) if text is not None}


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
