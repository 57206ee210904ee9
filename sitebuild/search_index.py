"""Write the Pagefind search bundle for a built site.

The build calls :func:`write_search_index` on the freshly written site
folder.  Each article page (``YYYY/MM/<slug>/index.html``) becomes one
Pagefind *custom record* whose content is already tokenized by
:mod:`yingkou_archive.search_tokens` (one Han character, letter or digit per
word; punctuation kept as boundary words).  Pagefind's own segmentation
therefore has nothing left to cut, and the browser searches each query run
as an exact phrase of the same tokens.

Record content layout (positions are Pagefind word positions)::

    [0, zone)   the title's words, padded with SPACE_MARK to `zone` words
    [zone, …)   the text of the <article> element without its <h1>

``zone`` is one more than the longest title (capped), the same for every
page, and written to ``pagefind/yingkou-search.json``.  An exact-phrase
search reports where a page's *first* match starts, so the search page sees
"title match" as ``words[0] < zone`` without loading anything else: title
matches rank first, then newest first.

Beside it, ``yingkou-t2s.json`` holds the traditional->simplified character
map the browser needs to normalize queries the way the build normalizes text.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from yingkou_archive import search_tokens as st

BUNDLE_DIR = "pagefind"
CONFIG_NAME = "yingkou-search.json"
T2S_NAME = "yingkou-t2s.json"
LANGUAGE = "zh"
# Titles longer than this many words still index fully, but only their
# first MAX_ZONE - 1 words count as a "title match" for ranking.
MAX_ZONE = 160
# Pagefind writes UI bundles the site does not use; leaving them out keeps
# the output small (the search page has its own UI).
UNUSED_FILES = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
    "pagefind-modular-ui.css", "pagefind-component-ui.js",
    "pagefind-component-ui.css", "pagefind-highlight.js",
    # the search page runs Pagefind with noWorker (one 41 KB download less)
    "pagefind-worker.js",
)
ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/[^/]+/index\.html$")

# Elements whose edges separate text (a phrase never spans them).
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div",
    "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "table", "td", "th", "tr", "ul", "img", "time",
}
_SKIP_TAGS = {"script", "style", "template", "noscript"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
              "meta", "source", "track", "wbr"}


class SearchIndexError(RuntimeError):
    pass


@dataclass
class ArticlePage:
    """What the index needs from one built article page."""

    url: str
    title: str
    text: str  # the <article> text without the title, blocks on new lines
    body_start: int = 0  # where the article body (after the metadata line) starts in text
    date: str = ""
    topics: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)


class _ArticleExtractor(HTMLParser):
    """Collects the first <article> element's attributes, <h1> and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] | None = None
        self.depth = 0          # open elements inside <article>
        self.done = False
        self.skip = 0           # inside <script>/<style>
        self.in_title = 0
        self.title: list[str] = []
        self.text: list[str] = []
        self.body_start: int | None = None  # len(text parts) at .article-body

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        if self.attrs is None:
            if tag == "article":
                self.attrs = {k: v or "" for k, v in attrs}
                self.depth = 1
            return
        if tag not in _VOID_TAGS:
            self.depth += 1
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "h1" and not self.title and not self.in_title:
            self.in_title = self.depth
        if tag in _BLOCK_TAGS:
            self.text.append("\n")
        if self.body_start is None and "article-body" in (dict(attrs).get("class") or "").split():
            self.body_start = len(self.text)

    def handle_endtag(self, tag):
        if self.done or self.attrs is None or tag in _VOID_TAGS:
            return
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        if self.in_title and self.depth == self.in_title and tag == "h1":
            self.in_title = 0
        if tag in _BLOCK_TAGS:
            self.text.append("\n")
        self.depth -= 1
        if self.depth == 0:
            self.done = True

    def handle_data(self, data):
        if self.done or self.attrs is None or self.skip:
            return
        (self.title if self.in_title else self.text).append(data)


def _clean_text(text: str) -> str:
    """Whitespace around line breaks collapsed; blocks stay on their own lines."""
    return re.sub(r"[ \t\r\f\v]*\n\s*", "\n", text).strip()


def _split_terms(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def read_article_page(html: str, url: str) -> ArticlePage | None:
    """The article in a built page, or None when the page has no <article>."""
    parser = _ArticleExtractor()
    parser.feed(html)
    parser.close()
    if parser.attrs is None:
        return None
    attrs = parser.attrs
    title = re.sub(r"\s+", " ", "".join(parser.title)).strip()
    cut = parser.body_start if parser.body_start is not None else 0
    head = _clean_text("".join(parser.text[:cut]))
    body = _clean_text("".join(parser.text[cut:]))
    text = f"{head}\n{body}" if head and body else head or body
    return ArticlePage(
        url=(attrs.get("data-url") or url).lstrip("/"),
        title=title,
        text=text,
        body_start=len(head) + 1 if head and body else 0,
        date=attrs.get("data-date", ""),
        topics=_split_terms(attrs.get("data-topics", "")),
        districts=_split_terms(attrs.get("data-districts", "")),
        agencies=_split_terms(attrs.get("data-agencies", "")),
    )


def find_article_pages(site_dir: Path) -> list[ArticlePage]:
    pages = []
    for path in sorted(site_dir.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html")):
        rel = path.relative_to(site_dir).as_posix()
        if not ARTICLE_PAGE.match(rel):
            continue
        page = read_article_page(path.read_text(encoding="utf-8"), rel[: -len("index.html")])
        if page is not None:
            pages.append(page)
    return pages


def title_zone(pages: list[ArticlePage]) -> int:
    """Words reserved for the title at the start of every record."""
    longest = max((len(st.index_tokens(p.title)) for p in pages), default=0)
    return min(longest + 1, MAX_ZONE)


def record_words(page: ArticlePage, zone: int) -> list[str]:
    """The record's words: title zone (padded), then the article text."""
    title = st.index_tokens(page.title)
    head, rest = title[: zone - 1], title[zone - 1:]
    words = head + [st.SPACE_MARK] * (zone - len(head))
    if rest:  # an over-long title: its tail is still searchable, as body
        words += rest + [st.SPACE_MARK]
    return words + st.index_tokens(page.text)


def record_for(page: ArticlePage, zone: int) -> dict:
    """Arguments of Pagefind's add_custom_record for one page."""
    words = record_words(page, zone)
    filters = {"topic": page.topics, "district": page.districts,
               "agency": page.agencies,
               "year": [page.date[:4]] if page.date[:4].isdigit() else []}
    return {
        "url": page.url,
        "content": " ".join(words),
        "language": LANGUAGE,
        "meta": {
            "title": page.title,
            "date": page.date,
            "topic": "、".join(page.topics),
            "district": "、".join(page.districts),
            # word where the article body starts: excerpts prefer matches there
            "body": str(zone + len(st.index_tokens(page.text[: page.body_start]))),
        },
        "filters": {k: v for k, v in filters.items() if v},
        "sort": {"date": page.date or "0000-00-00"},
        "_words": len(words),
    }


def _fast_service_class():
    """Pagefind's service client, minus a 0.1 s sleep before every reply.

    ``PagefindService._wait_for_responses`` (pagefind 1.5.2) sleeps 100 ms
    before reading each response, so 10,000 records would take over 16
    minutes.  This subclass reads replies as soon as they arrive and resolves
    the waiting futures the same way.
    """
    import base64

    from pagefind.service import PagefindService

    class FastPagefindService(PagefindService):
        async def _wait_for_responses(self) -> None:
            while True:
                output = await self._backend.stdout.readuntil(b",")
                response = json.loads(base64.b64decode(output[:-1]))
                if not response:
                    continue
                message_id = response.get("message_id")
                payload = response.get("payload") or {}
                if message_id is None and payload.get("original_message"):
                    message_id = json.loads(payload["original_message"]).get("message_id")
                future = self._responses.get(message_id)
                if future is None or future.done():
                    continue
                if payload.get("type") == "Error":
                    future.set_exception(SearchIndexError(
                        f"Pagefind: {payload.get('message')}"))
                else:
                    future.set_result(payload)

    return FastPagefindService


async def _index(records: list[dict], bundle: Path) -> None:
    service = await _fast_service_class()().launch()
    try:
        index = await service.create_index({"force_language": LANGUAGE})
        # Requests are pipelined: Pagefind answers them in order.
        batch = 500
        for start in range(0, len(records), batch):
            chunk = records[start: start + batch]
            answers = await asyncio.gather(*(
                index.add_custom_record(**{k: v for k, v in r.items() if not k.startswith("_")})
                for r in chunk))
            for record, answer in zip(chunk, answers):
                _check_positions(record, answer)
        await index.write_files(output_path=str(bundle))
    finally:
        await service.close()


def _check_positions(record: dict, answer: dict) -> None:
    """Pagefind must count exactly one position per word we gave it.

    Title ranking and phrase boundaries both rely on it; a Pagefind upgrade
    that segments differently must fail the build, not degrade search.
    """
    counted = answer.get("page_word_count")
    if counted != record["_words"]:
        raise SearchIndexError(
            f"搜索索引：{record['url']} 的词数不一致（Pagefind {counted}，预期 {record['_words']}）；"
            "Pagefind 的分词方式可能已改变，请检查 yingkou_archive/search_tokens.py"
        )


def _run_async(coroutine) -> None:
    """asyncio.run, also when the caller already runs an event loop.

    (Playwright's sync API, for one, keeps a loop running in the thread.)
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine)
        return
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def _bundle_bytes(bundle: Path) -> int:
    return sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())


def write_search_index(site_dir: Path) -> dict:
    """Index the article pages of ``site_dir`` into ``site_dir/pagefind/``.

    Returns stats: records, seconds, bytes (of the whole bundle), zone.
    """
    started = time.perf_counter()
    site_dir = Path(site_dir)
    bundle = site_dir / BUNDLE_DIR
    if bundle.exists():
        shutil.rmtree(bundle)
    pages = find_article_pages(site_dir)
    zone = title_zone(pages)
    records = [record_for(page, zone) for page in pages]
    if records:
        _run_async(_index(records, bundle))
    else:
        bundle.mkdir(parents=True)
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)
    # Small config read on every search; the t2s map (about 29 KB) is a
    # separate file the page fetches only for a query with a character the
    # map changes (tradBits says which).
    config = {"version": 1, "zone": zone, "records": len(records),
              "t2sFile": T2S_NAME, "tradBase": st.TRAD_BITMAP_RANGE[0],
              "tradBits": st.trad_bitmap()}
    (bundle / CONFIG_NAME).write_text(
        json.dumps(config, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    (bundle / T2S_NAME).write_text(st.t2s_json(), encoding="utf-8")
    return {
        "records": len(records),
        "seconds": round(time.perf_counter() - started, 3),
        "bytes": _bundle_bytes(bundle),
        "zone": zone,
    }
