"""Write the static search index of a built site (``output/search/``).

The build calls :func:`write_search_index` on the freshly written site
folder.  The index answers "which articles contain this run of characters"
exactly, for Chinese without a word segmenter, and is read in the browser by
``theme/static/js/search-engine.js`` (docs/search.md has the format and the
measurements behind it).

* **Text**: each article page (``YYYY/MM/<slug>/index.html``) gives a title
  and the text of its ``<article>`` element, read with regular expressions
  from our own template's markup (ten times faster than an HTML parser).
  Searchable text = title + article text, normalized by
  :mod:`yingkou_archive.search_tokens` (the same rule as the browser).
* **Documents** are numbered in date order, newest first (id 0 = newest,
  ties by URL), so "newest first" is ascending id and a year is an id range.
* **Grams**: every substring of length 1, 2 and 3 of every run of token
  characters, keyed exactly: code points packed 21 bits each into a uint64
  with a length tag in the top bits (:func:`gram_key`).  A gram of 3+
  characters found EXTEND_OCCURRENCES times or more is *extended*: no
  positions, and its one-character extensions at either end are indexed
  too (hashed keys), chained up to LONGEST_GRAM characters.
  A query run of up to 3 characters is one lookup; a longer run is looked up
  as 3-grams tiling it, extended ones grown round by round
  (:func:`next_cover`), which must occur at the right distances from each
  other (positions, in separate files fetched only for such runs; a gram
  in POS_SPLIT_DOCS or more documents has a positions file of its own).
* **Postings**: per gram, the ascending doc ids, each stored as
  ``id * 2 + in_title``, delta-encoded as LEB128 varints.
* **Shards**: a gram lives in shard ``(key * FIB) mod 2**64 >> (64 - bits)``
  (Fibonacci hashing, recomputed in the browser with BigInt); ``bits`` is
  chosen from the corpus size so a shard is ~5-8 KB gzipped.  Shards are
  gzip files we compress ourselves (hosts serve ``.bin`` as is).
* **Beside them**: ``attrs.bin`` (facet values of every document, for
  facet counts of any result set without more downloads), one small
  ``doc/<yyyymm>-<k>.bin`` per article (title, URL, date, terms, original text for the
  excerpt) fetched only for displayed results, ``t2s.json`` (traditional ->
  simplified, for the article page's highlighter) and its pieces ``t2s/``
  (fetched by the search page only for a query's characters) and
  ``manifest.json``.

Building is vectorised with numpy: one UTF-32 array of the whole corpus per
batch of documents, table lookups for normalization, windows for grams, one
sort per batch and gram length (3 characters and longer: level by level,
with occurrences counted per hash bucket first) and one merge per block of
shards.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import itertools
import json
import math
import os
import pickle
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sitebuild.unchanged import write_or_link
from yingkou_archive import search_tokens as st

SEARCH_DIR = "search"
MANIFEST_NAME = "manifest.json"
T2S_NAME = "t2s.json"
ATTRS_NAME = "attrs.bin"
SHARD_DIR = "shard"
POS_DIR = "pos"
DOC_DIR = "doc"
T2S_DIR = "t2s"  # the t2s map in pieces of 256 code points, for the search page
FORMAT_VERSION = 4
# A 3-gram in at least this many documents keeps its positions in a file of
# its own (pos/<key hex>.bin) instead of its shard's positions file, so a
# query pays for a common 3-gram's positions only when it needs them and its
# shard-mates never do (docs/search.md, "The index", positions file).
POS_SPLIT_DOCS = 400

# Fibonacci hashing multiplier (2**64 / golden ratio, odd): a bijection on
# uint64 that spreads neighbouring keys over all shards.
FIB = 0x9E3779B97F4A7C15
MASK64 = (1 << 64) - 1
# Length tags: 1-grams are bare code points (< 2**21), 2-grams have bit 62,
# 3-grams bit 63 (their 63 packed bits never reach bit 63 themselves since
# code points are < 2**21, so they stay below 2**63 + 2**60).  Longer grams
# (extensions, below) are hashed into [3 * 2**62, 2**64).  No two ranges
# overlap, and the grams with positions (3 characters and more) sort last.
TAG2 = 1 << 62
TAG3 = 1 << 63
TAG_LONG = 3 << 62
BASE_GRAM = 3  # every 1-, 2- and 3-gram is indexed
# Extensions: a gram of BASE_GRAM or more characters that occurs at least
# EXTEND_OCCURRENCES times is "extended": every gram one character longer
# that contains it at either end is indexed too, up to LONGEST_GRAM
# characters, and it keeps no positions (a query always replaces it by an
# extension).  So no query needs the positions of a very common gram: they
# were most of the first-query bytes at 50,000 articles (营口市: 550 KB).
EXTEND_OCCURRENCES = 20_000
LONGEST_GRAM = 6
# Occurrences are counted per hash bucket before any positions are made, so
# a gram is extended when its bucket reaches EXTEND_OCCURRENCES; a rare gram
# sharing a bucket with a common one is extended too (harmless: a little
# more index, never a wrong answer).
BUCKET_BITS = 22
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
# A shard aims at this many bytes before gzip; gzip shrinks shards about
# 1.8 times, so they end near 5-8 KB on the wire (docs/search.md).  A long
# run may look up ten grams over its rounds, so small shards pay: at 50,000
# articles 22,000 gave the worst first query 290 KB, 11,000 gave 252 KB.
SHARD_TARGET_RAW = 11_000
# Raw shard bytes per searchable character, measured on the synthetic
# corpus (docs/search.md); used to pick the shard count before building.
RAW_BYTES_PER_CHAR = 1.3
MAX_SHARD_BITS = 16
# Documents per batch: bounds memory (about 40 bytes per character in
# flight) without making numpy calls too small.
BATCH_CHARS = 1_500_000
FACETS = ("topic", "district", "agency")
# Level 6: shards 0.7 % larger than level 9 but gzip five times faster.
GZIP_LEVEL = 6
ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/[^/]+/index\.html$")


class SearchIndexError(RuntimeError):
    pass


# ------------------------------------------------------------------ pages --

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

    @property
    def searchable(self) -> str:
        """Title, a boundary, then the article text: what a query must match."""
        return f"{self.title}\n{self.text}"


# Elements whose edges separate text (a phrase never spans them); the same
# list as highlight.js uses on the article page.
_BLOCK_TAGS = (
    "address|article|aside|blockquote|br|dd|details|div|dl|dt|figcaption|figure|footer|"
    "h1|h2|h3|h4|h5|h6|header|hr|li|main|nav|ol|p|pre|section|summary|table|td|th|tr|ul|img|time")
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""  # a tag's attributes, quotes respected
_ARTICLE_TAG = re.compile(r"<(/?)article\b" + _ATTRS + ">", re.I)
_DROP = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_H1 = re.compile(r"<h1\b" + _ATTRS + r">(.*?)</h1\s*>", re.S | re.I)
_BLOCK_TAG = re.compile(r"</?(?:" + _BLOCK_TAGS + r")\b" + _ATTRS + ">", re.I)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^\s/>]*" + _ATTRS + ">")
_BODY_TAG = re.compile(r"<[a-zA-Z][^\s/>]*\s[^>]*\bclass=\"[^\"]*\barticle-body\b")
_ATTR = re.compile(r'([a-zA-Z_:][-\w:.]*)\s*=\s*"([^"]*)"')
_NEWLINES = re.compile(r"[ \t\r\f\v]*\n\s*")
_SPACES = re.compile(r"\s+")


def _text_of(fragment: str) -> str:
    """Text of an HTML fragment: block edges become new lines, tags go."""
    text = html.unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub("\n", fragment)))
    return _NEWLINES.sub("\n", text).strip()


def _split_terms(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def read_article_page(page_html: str, url: str) -> ArticlePage | None:
    """The first <article> of a built page, or None when there is none."""
    opening = _ARTICLE_TAG.search(page_html)
    if opening is None or opening.group(1):
        return None
    depth, end = 0, len(page_html)
    for tag in _ARTICLE_TAG.finditer(page_html, opening.start()):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = tag.start()
            break
    inner = _DROP.sub("", page_html[opening.end():end])
    attrs = {k: html.unescape(v) for k, v in _ATTR.findall(opening.group(0))}
    title = ""
    heading = _H1.search(inner)
    if heading:
        title = _SPACES.sub(" ", html.unescape(_ANY_TAG.sub("", heading.group(1)))).strip()
        inner = inner[:heading.start()] + "\n" + inner[heading.end():]
    body_tag = _BODY_TAG.search(inner)
    cut = body_tag.start() if body_tag else 0
    head, body = _text_of(inner[:cut]), _text_of(inner[cut:])
    return ArticlePage(
        url=(attrs.get("data-url") or url).lstrip("/"),
        title=title,
        text=f"{head}\n{body}" if head and body else head or body,
        body_start=len(head) + 1 if head and body else 0,
        date=attrs.get("data-date", ""),
        topics=_split_terms(attrs.get("data-topics", "")),
        districts=_split_terms(attrs.get("data-districts", "")),
        agencies=_split_terms(attrs.get("data-agencies", "")),
    )


def _read_chunk(chunk: list[tuple[str, str, bytes]]) -> list[tuple[bytes, tuple[ArticlePage, bytes]]]:
    """Read pages and pack their doc files (runs in a worker process)."""
    out = []
    for path, rel, digest in chunk:
        page = read_article_page(Path(path).read_text(encoding="utf-8"), rel[: -len("index.html")])
        if page is not None:
            out.append((digest, (page, _gzip(doc_bytes(page)))))
    return out


PAGE_CACHE_NAME = "search-pages.pickle"


def _code_version() -> str:
    """Cached pages hold what this module extracted: new code, new cache."""
    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()


def _load_page_cache(cache_dir: Path | None) -> dict:
    if cache_dir is None:
        return {}
    try:
        with open(cache_dir / PAGE_CACHE_NAME, "rb") as handle:
            version, entries = pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, ValueError):
        return {}
    return entries if version == _code_version() else {}


def _save_page_cache(cache_dir: Path | None, entries: dict) -> None:
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = cache_dir / f".{PAGE_CACHE_NAME}.{os.getpid()}"
    with open(temporary, "wb") as handle:
        pickle.dump((_code_version(), entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, cache_dir / PAGE_CACHE_NAME)


def read_site(site_dir: Path, workers: int = 2, cache_dir: Path | None = None,
              carried: tuple[Path, list[str]] | None = None,
              ) -> tuple[list[ArticlePage], list[bytes]]:
    """Every article page of the site in id order, and its packed doc file.

    ``carried`` = (previous output, page names): unchanged pages the build
    moves over from the previous output after indexing, read from there.

    Reading (regular expressions) and gzip are CPU-bound Python, so the
    pages are shared between worker processes; the result does not depend
    on how they are split.  With a ``cache_dir``, a page whose bytes are
    unchanged since the last build is not parsed again.
    """
    found = []
    for path in site_dir.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html"):
        rel = path.relative_to(site_dir).as_posix()
        if ARTICLE_PAGE.match(rel):
            found.append((str(path), rel))
    if carried:
        previous, names = carried
        found += [(os.path.join(previous, rel), rel) for rel in names if ARTICLE_PAGE.match(rel)]
    found.sort(key=lambda item: item[1])
    cached = _load_page_cache(cache_dir)
    entries, read, todo = {}, [], []
    for path, rel in found:
        digest = hashlib.sha1(Path(path).read_bytes()).digest()
        hit = cached.get(digest)
        if hit is not None:
            read.append(hit)
            entries[digest] = hit
        else:
            todo.append((path, rel, digest))
    if workers > 1 and len(todo) >= 500:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        size = -(-len(todo) // (workers * 4))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        # fork: the children only run _read_chunk (regex, gzip, file reads),
        # and unlike spawn/forkserver it never re-imports the caller's __main__
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            fresh = [item for part in pool.map(_read_chunk, chunks) for item in part]
    else:
        fresh = _read_chunk(todo)
    for digest, item in fresh:
        read.append(item)
        entries[digest] = item
    _save_page_cache(cache_dir, entries)
    read = order_items(read)
    return [page for page, _ in read], [doc for _, doc in read]


def order_items(items: list[tuple[ArticlePage, bytes]]) -> list[tuple[ArticlePage, bytes]]:
    """Newest first, ties by URL: a document's id is its place in this list."""
    items = sorted(items, key=lambda item: item[0].url)
    return sorted(items, key=lambda item: item[0].date, reverse=True)  # stable: URL order kept


def order_pages(pages: list[ArticlePage]) -> list[ArticlePage]:
    """:func:`order_items` for pages without their doc files."""
    return [page for page, _ in order_items([(page, b"") for page in pages])]


# ------------------------------------------------------------------- keys --

def gram_key(gram: str) -> int:
    """The uint64 key of a normalized gram: exact for 1 to 3 token
    characters, a 62-bit FNV-1a hash of the code points for longer grams
    (a collision among the few hundred thousand extensions is about as
    likely as 1 in 10**7 for a whole archive)."""
    cps = [ord(c) for c in gram]
    if len(cps) == 1:
        return cps[0]
    if len(cps) == 2:
        return TAG2 | cps[0] << 21 | cps[1]
    if len(cps) == 3:
        return TAG3 | cps[0] << 42 | cps[1] << 21 | cps[2]
    if len(cps) <= LONGEST_GRAM:
        h = FNV_OFFSET
        for cp in cps:
            h = ((h ^ cp) * FNV_PRIME) & MASK64
        return TAG_LONG | h >> 2
    raise ValueError(f"a gram has 1 to {LONGEST_GRAM} characters: {gram!r}")


def _long_keys(cps: np.ndarray) -> np.ndarray:
    """gram_key of many grams of one length (rows of code points), vectorised."""
    h = np.full(len(cps), FNV_OFFSET, dtype=np.uint64)
    for column in cps.T:
        h = (h ^ column.astype(np.uint64)) * np.uint64(FNV_PRIME)  # wraps mod 2**64
    return np.uint64(TAG_LONG) | (h >> np.uint64(2))


def shard_of(key: int, bits: int) -> int:
    """Which shard file holds a gram key (Fibonacci hashing)."""
    return ((key * FIB) & MASK64) >> (64 - bits) if bits else 0


def first_cover(length: int) -> list[tuple[int, int]]:
    """The first lookups of a run of ``length`` characters, as [start, end)
    spans: the run itself up to 3 characters, else 3-grams tiling it
    (starts 0, 3, 6, ... and length - 3)."""
    if length <= BASE_GRAM:
        return [(0, length)]
    starts = list(range(0, length - BASE_GRAM + 1, BASE_GRAM))
    if starts[-1] != length - BASE_GRAM:
        starts.append(length - BASE_GRAM)
    return [(a, a + BASE_GRAM) for a in starts]


def next_cover(cover: list[tuple[int, int]], extended: set[tuple[int, int]],
               length: int) -> list[tuple[int, int]]:
    """The next lookups after a round: each extended span grows by one
    character (to the right while it can, else to the left; its extension is
    indexed), then spans whose characters the others cover are dropped
    (the newest, growing ones first, then from the right).  The same in
    search-engine.js; docs/search.md, "Queries"."""
    grown = []
    for a, b in cover:
        if (a, b) in extended:
            a, b = (a, b + 1) if b < length else (a - 1, b)
        if (a, b) not in grown:
            grown.append((a, b))
    if (0, length) in grown:
        return [(0, length)]
    settled = [s for s in grown if s in cover]
    for span in sorted(grown, key=lambda s: (s in settled, -s[0], -s[1])):
        others = [s for s in grown if s != span]
        if all(any(a <= i < b for a, b in others) for i in range(*span)):
            grown.remove(span)
    return sorted(grown)


def shard_bits_for(chars: int) -> int:
    """Shard count (as a power of two) for a corpus of ``chars`` characters."""
    shards = chars * RAW_BYTES_PER_CHAR / SHARD_TARGET_RAW
    return max(0, min(MAX_SHARD_BITS, round(math.log2(shards)) if shards > 1 else 0))


# ---------------------------------------------------------- normalization --

TABLE_SIZE = 0x30000  # above this no character is a token (HAN_RANGES end at 0x2FA1F)


def normalization_table() -> np.ndarray:
    """Code point -> normalized code point, or 0 for a boundary character.

    The vectorised form of search_tokens.normalize_char + is_token_char
    (tests check every code point against them).
    """
    table = np.arange(TABLE_SIZE, dtype=np.uint32)
    for lo, hi in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)):
        table[lo:hi + 1] -= 0xFEE0
    pairs = [(ord(a), ord(b)) for a, b in st.t2s_map().items() if ord(a) < TABLE_SIZE]
    if pairs:
        src, dst = np.array(pairs, dtype=np.uint32).T
        table[src] = dst
    upper = (table >= ord("A")) & (table <= ord("Z"))
    table[upper] += 32
    token = ((table >= ord("a")) & (table <= ord("z"))) | ((table >= ord("0")) & (table <= ord("9")))
    for lo, hi in st.HAN_RANGES:
        token |= (table >= lo) & (table <= hi)
    table[~token] = 0
    return table


# --------------------------------------------------------------- postings --

@dataclass
class Postings:
    """Grams of one block of shards, in shard order (then key order)."""

    keys: np.ndarray      # uint64, one per gram
    shards: np.ndarray    # shard of each gram
    lengths: np.ndarray   # postings bytes per gram
    data: np.ndarray      # uint8, varint postings of all grams, gram after gram
    pos_lengths: np.ndarray  # position bytes per gram (0 unless 3+ characters, not extended)
    pos_data: np.ndarray     # uint8, positions of all grams, gram after gram
    extended: np.ndarray     # bool per gram: its one-character extensions are indexed


def _batches(pages: list[ArticlePage]):
    """(first id, pages) groups of about BATCH_CHARS characters."""
    start, size = 0, 0
    for i, page in enumerate(pages):
        size += len(page.title) + len(page.text) + 2
        if size >= BATCH_CHARS:
            yield start, pages[start:i + 1]
            start, size = i + 1, 0
    if start < len(pages):
        yield start, pages[start:]


class _Corpus:
    """What every batch needs: the normalization table and dense char ids.

    Code points become dense ids (1..D, in code point order, 0 = boundary)
    so that a gram, its doc id and its title flag fit in one uint64 and one
    numpy sort orders (gram, doc) pairs.  The dense order equals the code
    point order, so the final keys stay sorted.
    """

    def __init__(self, pages: list[ArticlePage]):
        self.table = normalization_table()
        seen = np.zeros(TABLE_SIZE, dtype=bool)
        for _, batch in _batches(pages):
            seen[self._normalized(batch)[0]] = True
        seen[0] = False
        self.cp_of_dense = np.concatenate([[0], np.flatnonzero(seen)]).astype(np.uint64)
        self.dense_of_cp = np.cumsum(seen, dtype=np.uint32)
        self.width = max(1, int(len(self.cp_of_dense) - 1).bit_length())
        self.char_dtype = np.uint16 if self.width <= 16 else np.uint32
        self.doc_bits = max(1, (len(pages) - 1).bit_length())
        # composite = tagged gram | doc | not-in-title flag in one uint64;
        # tagged gram = (length - 1) << gram_bits | digits: three dense chars,
        # or an extension's (parent, side, char) id (_extension_windows),
        # given every bit the doc id and the 3-bit length tag leave
        self.gram_bits = 64 - 3 - self.doc_bits - 1
        if self.gram_bits < BASE_GRAM * self.width:
            raise SearchIndexError(
                f"搜索索引：字符种类（{len(self.cp_of_dense) - 1}）和文章数（{len(pages)}）"
                "超出单个 64 位排序键的容量")
        # filled level by level by build_postings (settle_level)
        self.long_tagged: dict[int, np.ndarray] = {}  # length -> sorted tagged grams
        self.long_keys: dict[int, np.ndarray] = {}    # their keys
        self.extended_at: dict[int, np.ndarray] = {}  # length -> sorted tagged extended grams
        self.extended_cps: dict[int, np.ndarray] = {}  # their code points (rows)
        self.extended = np.zeros(0, dtype=np.uint64)  # all extended grams, sorted

    def _normalized(self, batch: list[ArticlePage]):
        """Normalized code points of a batch (docs joined by a boundary), and lengths."""
        texts = [p.searchable + "\n" for p in batch]
        cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        return self.table[np.minimum(cps, TABLE_SIZE - 1)], texts

    def short_grams(self, first_id: int, batch: list[ArticlePage]) -> tuple["Pieces", "_BatchText"]:
        """Sorted, distinct composites (tagged dense gram, doc, not-in-title)
        of a batch's 1- and 2-grams, and the batch's text (kept for the
        longer grams, level by level)."""
        norm, texts = self._normalized(batch)
        text = _BatchText(first_id, self.dense_of_cp[norm].astype(self.char_dtype),
                          np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts)),
                          np.fromiter((len(p.title) for p in batch), dtype=np.int64, count=len(batch)))
        dense = text.dense.astype(np.uint64)
        doc, not_title, _ = text.layout()
        shift = np.uint64(self.doc_bits + 1)
        unigrams = self._unigrams(dense, doc, not_title, first_id, len(batch), shift)
        tagged, valid = self._windows(dense, 2)
        low = (doc[:len(valid)][valid] << np.uint64(1)) | not_title[:len(valid)][valid]
        bigrams = _distinct(np.sort((tagged[valid] << shift) | low))
        # the length tag is the top field: 1-grams then 2-grams are sorted overall
        head = np.concatenate([unigrams, bigrams])
        return Pieces(head, np.zeros(len(head), np.int64), np.zeros(0, np.uint8)), text

    def grams_at(self, text: "_BatchText", n: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, tagged grams) of a batch's indexed n-grams, n >= 3:
        every 3-gram; longer, the extensions of extended (n-1)-grams."""
        if n == BASE_GRAM:
            tagged, valid = self._windows(text.dense.astype(np.uint64), n)
            where = np.flatnonzero(valid)
            return where, tagged[where]
        return self._extension_windows(text, n)

    def count_buckets(self, text: "_BatchText", n: int) -> np.ndarray:
        """Occurrences of the batch's n-grams per hash bucket."""
        return np.bincount(_bucket(self.grams_at(text, n)[1]), minlength=1 << BUCKET_BITS)

    def level_pieces(self, text: "_BatchText", n: int, heavy: np.ndarray
                     ) -> tuple[list["Pieces"], np.ndarray, np.ndarray]:
        """A batch's n-grams (n >= 3) as pieces: composites with positions,
        except the extended grams (in a heavy bucket, shorter than
        LONGEST_GRAM), which have none.  Also the distinct extended grams
        and the distinct tagged grams (with repeats between the two)."""
        where, tagged = self.grams_at(text, n)
        doc, not_title, in_doc = text.layout_at(where)
        shift = np.uint64(self.doc_bits + 1)
        composite = (tagged << shift) | (doc << np.uint64(1)) | not_title
        extended = heavy[_bucket(tagged)] if n < LONGEST_GRAM else np.zeros(len(tagged), bool)
        # stable: positions stay ascending inside each (gram, doc)
        order = np.argsort(composite[~extended], kind="stable")
        rare = _positions(composite[~extended][order], in_doc[~extended][order])
        common = _distinct(np.sort(composite[extended]))
        extended_grams = _sorted_distinct(common >> shift)
        return ([rare, Pieces(common, np.zeros(len(common), np.int64), np.zeros(0, np.uint8))],
                extended_grams, np.concatenate([_sorted_distinct(rare.composites >> shift), extended_grams]))

    def _windows(self, dense: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Tagged n-gram (n <= 3) at every position, and which are all token characters."""
        count = len(dense) - n + 1
        gram = dense[:count].copy()
        valid = gram > 0
        for k in range(1, n):
            nxt = dense[k:k + count]
            valid &= nxt > 0
            gram = (gram << np.uint64(self.width)) | nxt
        return gram | (np.uint64(n - 1) << np.uint64(self.gram_bits)), valid

    # ------------------------------------------------------- extensions --

    def check_parents(self, n: int) -> None:
        """Extensions of n characters are keyed (parent, side, char): the
        extended (n-1)-grams must fit the parent field (2**30 and more in
        practice; a failure here would be a bug, not bad content)."""
        if len(self.extended_at[n - 1]) >= 1 << (self.gram_bits - self.width - 1):
            raise SearchIndexError(f"搜索索引：{n - 1} 字的扩展词过多（{len(self.extended_at[n - 1])}）")

    def _extension_windows(self, text: "_BatchText", n: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions where an n-gram extends an extended (n-1)-gram, and its tagged id.

        The id is (parent, side, char): the extended gram at the same start
        plus the next character (side 0), else the extended gram one further
        plus the character before (side 1); one id per gram either way."""
        dense = text.dense
        count = len(dense) - n + 1
        if count <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
        parent_here, parent_next = text.extended_ids[:count], text.extended_ids[1:count + 1]
        right = (parent_here >= 0) & (dense[n - 1:n - 1 + count] > 0)
        left = ~right & (parent_next >= 0) & (dense[:count] > 0)
        where = np.flatnonzero(right | left)
        is_right = right[where]
        parent = np.where(is_right, parent_here[where], parent_next[where]).astype(np.uint64)
        char = np.where(is_right, dense[where + n - 1], dense[where]).astype(np.uint64)
        w = np.uint64(self.width)
        ident = (parent << (w + np.uint64(1))) | ((~is_right).astype(np.uint64) << w) | char
        return where, ident | (np.uint64(n - 1) << np.uint64(self.gram_bits))

    def settle_level(self, n: int, extended: list[np.ndarray], grams: list[np.ndarray]) -> None:
        """After every batch: the extended grams of n characters with their
        code points (to key the next level), and the keys of all n-grams."""
        self.extended_at[n] = np.unique(np.concatenate(extended)) if extended else np.zeros(0, np.uint64)
        if n == BASE_GRAM:
            self.extended_cps[n] = self._code_points(self.extended_at[n], n)
            return
        every = np.unique(np.concatenate(grams)) if grams else np.zeros(0, np.uint64)
        cps = self._extension_code_points(every, n)
        self.long_tagged[n], self.long_keys[n] = every, _long_keys(cps)
        self.extended_cps[n] = cps[_index_in(every, self.extended_at[n])]

    def _extension_code_points(self, tagged: np.ndarray, n: int) -> np.ndarray:
        """Rows of code points of tagged extensions (parent, side, char)."""
        w = self.width
        ident = tagged & np.uint64((1 << self.gram_bits) - 1)
        parent = (ident >> np.uint64(w + 1)).astype(np.int64)
        left = ((ident >> np.uint64(w)) & np.uint64(1)).astype(bool)
        char = self.cp_of_dense[(ident & np.uint64((1 << w) - 1)).astype(np.int64)]
        base = self.extended_cps[n - 1][parent]
        return np.where(left[:, None], np.column_stack([char, base]), np.column_stack([base, char]))

    def _code_points(self, tagged: np.ndarray, n: int) -> np.ndarray:
        """Rows of code points of tagged grams of n <= 3 characters."""
        mask = np.uint64((1 << self.width) - 1)
        digits = [(tagged >> np.uint64(self.width * (n - 1 - k))) & mask for k in range(n)]
        return np.column_stack([self.cp_of_dense[d.astype(np.int64)] for d in digits])

    def mark_extended(self, text: "_BatchText", n: int) -> None:
        """Each position's index among the extended n-grams (-1: none), for
        the next level."""
        where, tagged = self.grams_at(text, n)
        ids = np.full(len(text.dense), -1, dtype=np.int32)
        ids[where] = _index_in(self.extended_at[n], tagged)
        text.extended_ids = ids

    def _unigrams(self, dense, doc, not_title, first_id, docs, shift) -> np.ndarray:
        """1-gram composites without a sort: marks in a (char, doc, not-in-title)
        table read back in order.  A sort when the table would be too big."""
        valid = dense > 0
        size = len(self.cp_of_dense) * docs * 2
        if size > 64_000_000:
            return _distinct(np.sort(((dense[valid]) << shift) | (doc[valid] << np.uint64(1))
                                     | not_title[valid]))
        local = (doc[valid] - np.uint64(first_id)).astype(np.int64)
        marks = np.zeros(size, dtype=bool)
        marks[(dense[valid].astype(np.int64) * docs + local) * 2 + not_title[valid].astype(np.int64)] = True
        hits = np.flatnonzero(marks)
        char = (hits // (2 * docs)).astype(np.uint64)
        doc_id = ((hits // 2) % docs + first_id).astype(np.uint64)
        return _distinct((char << shift) | (doc_id << np.uint64(1)) | (hits & 1).astype(np.uint64))

    def keys_of(self, tagged: np.ndarray) -> np.ndarray:
        """Tagged dense grams -> code point keys (gram_key)."""
        length = (tagged >> np.uint64(self.gram_bits)) + np.uint64(1)
        keys = np.zeros(len(tagged), dtype=np.uint64)
        for n, tag in ((1, 0), (2, TAG2), (3, TAG3)):
            sel = length == n
            cps = self._code_points(tagged[sel], n)
            key = np.full(len(cps), tag, dtype=np.uint64)
            for k in range(n):
                key |= cps[:, k] << np.uint64(21 * (n - 1 - k))
            keys[sel] = key
        for n, known in self.long_tagged.items():
            sel = length == n
            keys[sel] = self.long_keys[n][np.searchsorted(known, tagged[sel])]
        return keys


@dataclass
class _BatchText:
    """A batch's normalized text as dense char ids (0 = boundary), kept
    between the levels of extensions."""

    first_id: int
    dense: np.ndarray
    lengths: np.ndarray      # characters of each document (with its final boundary)
    title_lengths: np.ndarray
    extended_ids: np.ndarray | None = None  # per position: index among the extended grams

    def layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per position: doc id, not-in-title flag, position in the document."""
        starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]])
        doc = np.repeat(np.arange(self.first_id, self.first_id + len(self.lengths), dtype=np.uint64),
                        self.lengths)
        position = np.arange(len(self.dense), dtype=np.int64)
        not_title = (position >= np.repeat(starts + self.title_lengths, self.lengths)).astype(np.uint64)
        return doc, not_title, position - np.repeat(starts, self.lengths)

    def layout_at(self, where: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`layout` at some positions only (the extensions are sparse)."""
        if len(where) * 4 > len(self.dense):
            doc, not_title, in_doc = self.layout()
            return doc[where], not_title[where], in_doc[where]
        ends = np.cumsum(self.lengths)
        index = np.searchsorted(ends, where, side="right")
        in_doc = where - (ends - self.lengths)[index]
        not_title = (in_doc >= self.title_lengths[index]).astype(np.uint64)
        return (index + self.first_id).astype(np.uint64), not_title, in_doc


def _sorted_distinct(values: np.ndarray) -> np.ndarray:
    """Distinct values of a sorted array."""
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _bucket(tagged: np.ndarray) -> np.ndarray:
    """Hash bucket of tagged grams (Fibonacci hashing into 2**BUCKET_BITS)."""
    return ((tagged * np.uint64(FIB)) >> np.uint64(64 - BUCKET_BITS)).astype(np.int64)


def _index_in(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of each value in a sorted array, or -1 when it is not there."""
    if not len(sorted_values):
        return np.full(len(values), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return np.where(sorted_values[at] == values, at, -1)


@dataclass
class Pieces:
    """Composites with a byte payload each (3-gram positions; empty otherwise)."""

    composites: np.ndarray  # uint64, sorted
    lengths: np.ndarray     # payload bytes of each composite
    data: np.ndarray        # uint8, payloads one after another


def _positions(composites: np.ndarray, positions: np.ndarray) -> Pieces:
    """Distinct (gram, doc) composites of sorted occurrences, each with its
    positions as varints: count, first position, then gaps."""
    pair = composites >> np.uint64(1)
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(pair)))
    group = np.cumsum(first) - 1
    gaps = positions.copy()
    gaps[1:] -= positions[:-1]
    gaps[starts] = positions[starts]
    values = np.empty(len(positions) + len(starts), dtype=np.uint64)
    values[starts + np.arange(len(starts))] = counts
    values[np.arange(len(positions)) + group + 1] = gaps
    data, nbytes = _varints(values)
    value_starts = starts + np.arange(len(starts))
    lengths = np.add.reduceat(nbytes, value_starts) if len(starts) else nbytes[:0]
    return Pieces(composites[starts], lengths.astype(np.int64), data)


def _take_segments(lengths: np.ndarray, data: np.ndarray, index: np.ndarray):
    """Byte segments ``index`` (in that order) of segments laid end to end."""
    starts = np.cumsum(lengths) - lengths
    taken = lengths[index]
    if not taken.sum():
        return taken, data[:0]
    new_starts = np.cumsum(taken) - taken
    perm = np.repeat(starts[index] - new_starts, taken) + np.arange(int(taken.sum()))
    return taken, data[perm]


def _distinct(composites: np.ndarray) -> np.ndarray:
    """Sorted composites, one per (gram, doc): the first, i.e. the in-title one."""
    pair = composites >> np.uint64(1)
    keep = np.ones(len(composites), dtype=bool)
    keep[1:] = pair[1:] != pair[:-1]
    return composites[keep]


def _varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LEB128 bytes of uint64 values (< 2**35), and the byte count of each."""
    nbytes = np.ones(len(values), dtype=np.int64)
    for k in range(1, 5):
        nbytes += values >= np.uint64(1 << (7 * k))
    ends = np.cumsum(nbytes)
    out = np.zeros(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    # byte k of every value with more than k bytes; the values still going
    # shrink at each step (most postings and positions need one or two bytes)
    rest, left, at = values, nbytes, ends - nbytes
    while len(rest):
        more = left > 1
        out[at] = (rest & np.uint64(0x7F)).astype(np.uint8) | (more.astype(np.uint8) << np.uint8(7))
        if not more.any():
            break
        rest, left, at = rest[more] >> np.uint64(7), left[more] - 1, at[more] + 1
    return out, nbytes


def _block_postings(corpus: _Corpus, pieces: list[Pieces], bits: int) -> Postings:
    """Merge one block's sorted batch pieces into grams and postings."""
    concat = np.concatenate([p.composites for p in pieces])
    order = np.argsort(concat, kind="stable")  # timsort: merges the sorted runs
    merged = concat[order]
    pay_lengths, pay_data = _take_segments(
        np.concatenate([p.lengths for p in pieces]), np.concatenate([p.data for p in pieces]), order)
    shift = np.uint64(corpus.doc_bits + 1)
    tagged = merged >> shift
    value = merged & np.uint64((1 << (corpus.doc_bits + 1)) - 1)
    # stored value: id * 2 + in_title (the composite had not-in-title)
    value = (value & ~np.uint64(1)) | (~value & np.uint64(1))
    first = np.ones(len(merged), dtype=bool)
    first[1:] = tagged[1:] != tagged[:-1]
    starts = np.flatnonzero(first)
    keys = corpus.keys_of(tagged[starts])
    extended = _index_in(corpus.extended, tagged[starts]) >= 0
    delta = value.copy()
    delta[1:] -= value[:-1]
    delta[starts] = value[starts]
    data, nbytes = _varints(delta)
    lengths = np.add.reduceat(nbytes, starts)
    pos_lengths = np.add.reduceat(pay_lengths, starts)
    shards = _shards(keys, bits)
    order = np.lexsort((keys, shards))  # hashed long keys: sort them inside the shard
    lengths, data = _take_segments(lengths, data, order)
    pos_lengths, pos_data = _take_segments(pos_lengths, pay_data, order)
    return Postings(keys[order], shards[order], lengths, data, pos_lengths, pos_data,
                    extended[order])


def _shards(keys: np.ndarray, bits: int) -> np.ndarray:
    if not bits:
        return np.zeros(len(keys), dtype=np.uint32)
    return ((keys * np.uint64(FIB)) >> np.uint64(64 - bits)).astype(np.uint32)


def build_postings(pages: list[ArticlePage], bits: int, workers: int = 2):
    """Postings of all grams, yielded per block of shards (block order = shard order).

    The 1- and 2-grams of every batch, then level by level from 3
    characters to LONGEST_GRAM: one pass counts the level's grams per hash
    bucket, a second makes their postings (positions only for grams that
    are not extended), and the next level looks only at the positions where
    an extended gram starts or ends.
    """
    corpus = _Corpus(pages)
    block_bits = min(bits, 4)
    blocks: list[list[Pieces]] = [[] for _ in range(1 << block_bits)]

    def route(pieces: Pieces) -> None:
        if not len(pieces.composites):
            return
        which = _block_of(corpus, pieces.composites, bits, block_bits)
        order = np.argsort(which, kind="stable")
        bounds = np.searchsorted(which[order], np.arange(len(blocks) + 1))
        for b in range(len(blocks)):
            if bounds[b + 1] > bounds[b]:
                part = order[bounds[b]:bounds[b + 1]]
                lengths, data = _take_segments(pieces.lengths, pieces.data, part)
                blocks[b].append(Pieces(pieces.composites[part], lengths, data))

    pool = ThreadPoolExecutor(workers)  # numpy sorts and zlib release the GIL
    try:
        texts = []
        for pieces, text in pool.map(lambda b: corpus.short_grams(*b), list(_batches(pages))):
            route(pieces)
            texts.append(text)
            del pieces
        for n in range(BASE_GRAM, LONGEST_GRAM + 1):
            if n > BASE_GRAM:
                if not len(corpus.extended_at[n - 1]):
                    break
                corpus.check_parents(n)
                list(pool.map(lambda text: corpus.mark_extended(text, n - 1), texts))
            # a gram is extended when its bucket holds EXTEND_OCCURRENCES
            # occurrences: counted before the positions, which it then skips
            heavy = sum(pool.map(lambda text: corpus.count_buckets(text, n), texts)) >= EXTEND_OCCURRENCES
            level = list(pool.map(lambda text: corpus.level_pieces(text, n, heavy), texts))
            corpus.settle_level(n, [extended for _, extended, _ in level], [grams for _, _, grams in level])
            for pieces, _, _ in level:
                for part in pieces:
                    route(part)
            del level, heavy
        del texts
        corpus.extended = np.sort(np.concatenate(list(corpus.extended_at.values())))
        work = [pieces for pieces in blocks if pieces]
        yield from pool.map(lambda pieces: _block_postings(corpus, pieces, bits), work)
    finally:
        pool.shutdown()


def _block_of(corpus: _Corpus, pairs: np.ndarray, bits: int, block_bits: int) -> np.ndarray:
    if not block_bits:
        return np.zeros(len(pairs), dtype=np.uint8)
    # pairs are sorted by gram: compute each distinct gram's shard once
    tagged = pairs >> np.uint64(corpus.doc_bits + 1)
    first = np.ones(len(tagged), dtype=bool)
    first[1:] = tagged[1:] != tagged[:-1]
    starts = np.flatnonzero(first)
    shards = _shards(corpus.keys_of(tagged[starts]), bits)
    runs = np.diff(np.append(starts, len(tagged)))
    return np.repeat((shards >> np.uint32(bits - block_bits)).astype(np.uint8), runs)


# ------------------------------------------------------------------ files --

def _gzip(data: bytes) -> bytes:
    """Deterministic gzip (no timestamp): same input, same bytes."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def shard_bytes(keys: np.ndarray, lengths: np.ndarray, data: np.ndarray,
                extended: np.ndarray | None = None) -> bytes:
    """One shard file before gzip (little-endian; docs/search.md, "Shard files").

    u32 n, u32 L | u32 lo[n] | u32 hi[n] | L bytes: varint of each key's
    postings length * 2 + extended | the postings, key after key
    """
    flags = np.zeros(len(keys), np.uint64) if extended is None else extended.astype(np.uint64)
    lens, _ = _varints((lengths.astype(np.uint64) << np.uint64(1)) | flags)
    head = np.array([len(keys), len(lens)], dtype="<u4").tobytes()
    lo = (keys & np.uint64(0xFFFFFFFF)).astype("<u4").tobytes()
    hi = (keys >> np.uint64(32)).astype("<u4").tobytes()
    return head + lo + hi + lens.tobytes() + data.tobytes()


def pos_bytes(keys: np.ndarray, lengths: np.ndarray, data: np.ndarray,
              counts: np.ndarray | None = None) -> tuple[bytes, list[tuple[int, bytes]]]:
    """One shard's positions before gzip: its shared file and split-off grams.

    Shared file: u32 m, u32 L | L bytes: varint bytes of each of the last m
    keys of the shard (its 3-grams) | per key, per posting (same order):
    varint count, first position, gaps.  A 3-gram with ``counts`` (its
    postings) >= POS_SPLIT_DOCS has length 0 there; its entry, the same
    bytes, is returned as (key, bytes) for ``pos/<key hex>.bin``.  Longer
    grams count as 3-grams here; extended grams have no entry (length 0).
    """
    three = keys >= np.uint64(TAG3)
    lengths = lengths[three].astype(np.uint64)
    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    first = len(keys) - int(three.sum())
    own = [] if counts is None else np.flatnonzero(
        (counts[three] >= POS_SPLIT_DOCS) & (lengths > 0)).tolist()
    split = [(int(keys[first + j]), data[bounds[j]:bounds[j + 1]].tobytes()) for j in own]
    if own:
        keep = np.ones(len(data), dtype=bool)
        for j in own:
            keep[bounds[j]:bounds[j + 1]] = False
        data = data[keep]
        lengths = lengths.copy()
        lengths[own] = 0
    lens, _ = _varints(lengths)
    head = np.array([int(three.sum()), len(lens)], dtype="<u4").tobytes()
    return head + lens.tobytes() + data.tobytes(), split


def _raw_size(block: Postings) -> int:
    """Shard bytes of a block before gzip (headers and varint lengths approximate)."""
    return int(8 * len(block.keys) + len(block.keys) + block.lengths.sum())


def _reshard(block: Postings, bits: int) -> Postings:
    """The same grams ordered for ``bits`` shards: by shard, then key."""
    shards = _shards(block.keys, bits)
    order = np.lexsort((block.keys, shards))
    lengths, data = _take_segments(block.lengths, block.data, order)
    pos_lengths, pos_data = _take_segments(block.pos_lengths, block.pos_data, order)
    return Postings(block.keys[order], shards[order], lengths, data, pos_lengths, pos_data,
                    block.extended[order])


def _concatenate(blocks: list[Postings]) -> Postings:
    return Postings(*(np.concatenate([getattr(b, f) for b in blocks]) for f in
                      ("keys", "shards", "lengths", "data", "pos_lengths", "pos_data", "extended")))


def sized_blocks(pages: list[ArticlePage], bits: int, workers: int = 2):
    """(final bits, blocks): postings per block of shards, with the shard
    count checked against the real postings.

    ``bits`` comes from a bytes-per-character constant measured on synthetic
    text; real prose has several times more distinct grams per character.
    Blocks split the grams by hash, so the first one is a fair sample of
    the whole: when it says the shards would be off by more than a factor
    of two, the grams are regrouped for the shard count the data asks for.
    """
    blocks = build_postings(pages, bits, workers)
    first = next(blocks, None)
    if first is None:
        return bits, iter(())
    sampled = 1 << min(bits, 4)  # the first block holds 1/sampled of the grams
    wanted = math.log2(max(1.0, _raw_size(first) * sampled / SHARD_TARGET_RAW))
    if abs(wanted - bits) <= 1:
        return bits, itertools.chain([first], blocks)
    final = max(0, min(MAX_SHARD_BITS, round(wanted)))
    if min(final, 4) == min(bits, 4):  # blocks still hold whole shards
        return final, (_reshard(b, final) for b in itertools.chain([first], blocks))
    return final, iter([_reshard(_concatenate([first, *blocks]), final)])


def write_shards(pages: list[ArticlePage], out: Path, bits: int, workers: int = 2) -> dict:
    """Write every shard and positions file; returns sizes for the stats
    and the shard count used (``bits``, or what the postings asked for)."""
    bits, blocks = sized_blocks(pages, bits, workers)
    for name in (SHARD_DIR, POS_DIR):
        (out / name).mkdir(parents=True, exist_ok=True)
    written = set()
    sizes, pos_sizes, own_sizes = [], [], []
    grams = 0
    digest = hashlib.sha256()
    # zlib releases the GIL: shards are compressed on every core while the
    # next blocks are built; results are taken in shard order (the digest)
    with ThreadPoolExecutor(workers) as zpool:
        pending = []
        for block in blocks:
            grams += len(block.keys)
            bounds = np.searchsorted(block.shards, np.arange((1 << bits) + 1))
            byte_bounds = np.concatenate([[0], np.cumsum(block.lengths)])
            pos_bounds = np.concatenate([[0], np.cumsum(block.pos_lengths)])
            for shard in np.flatnonzero(bounds[1:] > bounds[:-1]):
                a, b = bounds[shard], bounds[shard + 1]
                keys = block.keys[a:b]
                shard_data = block.data[byte_bounds[a]:byte_bounds[b]]
                raw = shard_bytes(keys, block.lengths[a:b], shard_data, block.extended[a:b])
                # postings per key: varint bytes without the continuation bit
                ends = (shard_data < 0x80).astype(np.int64)
                counts = np.add.reduceat(ends, byte_bounds[a:b] - byte_bounds[a])
                raw_pos, split = pos_bytes(keys, block.pos_lengths[a:b],
                                           block.pos_data[pos_bounds[a]:pos_bounds[b]], counts)
                pending.append((int(shard), zpool.submit(_gzip, raw), zpool.submit(_gzip, raw_pos),
                                [(key, zpool.submit(_gzip, part)) for key, part in split]))
        for shard, packed, pos, split in pending:
            packed, pos = packed.result(), pos.result()
            (out / SHARD_DIR / f"{shard:x}.bin").write_bytes(packed)
            (out / POS_DIR / f"{shard:x}.bin").write_bytes(pos)
            written.add(shard)
            sizes.append(len(packed))
            pos_sizes.append(len(pos))
            digest.update(packed)
            digest.update(pos)
            for key, part in split:
                part = part.result()
                (out / POS_DIR / f"{key:x}.bin").write_bytes(part)
                own_sizes.append(len(part))
                digest.update(part)
    none = np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.uint8)
    for shard in range(1 << bits):  # every shard exists, so no lookup ever 404s
        if shard not in written:
            (out / SHARD_DIR / f"{shard:x}.bin").write_bytes(_gzip(shard_bytes(*none)))
            (out / POS_DIR / f"{shard:x}.bin").write_bytes(_gzip(pos_bytes(*none)[0]))
    sizes.sort()
    pos_sizes.sort()
    own_sizes.sort()
    return {"grams": grams, "shards": 1 << bits, "bits": bits, "digest": digest.hexdigest(),
            "shard_bytes": sum(sizes),
            "shard_median": sizes[len(sizes) // 2] if sizes else 0,
            "shard_max": sizes[-1] if sizes else 0,
            "pos_bytes": sum(pos_sizes),
            "pos_median": pos_sizes[len(pos_sizes) // 2] if pos_sizes else 0,
            "pos_max": pos_sizes[-1] if pos_sizes else 0,
            "pos_own_files": len(own_sizes),
            "pos_own_max": own_sizes[-1] if own_sizes else 0}


def facet_values(pages: list[ArticlePage]) -> dict[str, list[str]]:
    """Every value of each facet, most frequent first (then by name)."""
    out = {}
    for facet in FACETS:
        counts: dict[str, int] = {}
        for page in pages:
            for value in _page_facet(page, facet):
                counts[value] = counts.get(value, 0) + 1
        out[facet] = sorted(counts, key=lambda v: (-counts[v], v))
    return out


def _page_facet(page: ArticlePage, facet: str) -> list[str]:
    return {"topic": page.topics, "district": page.districts, "agency": page.agencies}[facet]


def attrs_bytes(pages: list[ArticlePage], values: dict[str, list[str]]) -> bytes:
    """Facet values of every document (docs/search.md, "attrs.bin").

    Per facet: u8 count[n] (values of each document), then the value ids of
    all documents in id order, u8 or u16 (manifest ``width``); each facet's
    part is padded to 4 bytes.
    """
    parts = []
    for facet in FACETS:
        index = {v: i for i, v in enumerate(values[facet])}
        counts = np.fromiter((min(255, len(_page_facet(p, facet))) for p in pages), np.uint8, len(pages))
        ids = [index[v] for p in pages for v in _page_facet(p, facet)[:255]]
        dtype = "<u1" if len(index) <= 256 else "<u2"
        part = counts.tobytes() + np.array(ids, dtype=dtype).tobytes()
        parts.append(part + b"\0" * (-len(part) % 4))
    return b"".join(parts)


def year_ranges(pages: list[ArticlePage]) -> list[list[int]]:
    """[year, first id, end id) for each year: ids are in date order."""
    ranges: list[list[int]] = []
    for i, page in enumerate(pages):
        year = int(page.date[:4]) if page.date[:4].isdigit() else 0
        if ranges and ranges[-1][0] == year:
            ranges[-1][2] = i + 1
        else:
            ranges.append([year, i, i + 1])
    return [r for r in ranges if r[0]]


def doc_bytes(page: ArticlePage) -> bytes:
    """A document's display data: everything a result line shows."""
    head, body = page.text[:page.body_start], page.text[page.body_start:]
    data = {"u": page.url, "t": page.title, "d": page.date,
            "p": "、".join(page.topics), "r": "、".join(page.districts),
            "h": head.strip(), "b": body.strip()}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def month_ranges(pages: list[ArticlePage]) -> list[list[int]]:
    """[yyyymm, first id, end id) for each month, 0 for an undated page
    (ids are in date order, so each month is one id range)."""
    ranges: list[list[int]] = []
    for i, page in enumerate(pages):
        digits = page.date[:4] + page.date[5:7]
        month = int(digits) if len(digits) == 6 and digits.isdigit() else 0
        if ranges and ranges[-1][0] == month:
            ranges[-1][2] = i + 1
        else:
            ranges.append([month, i, i + 1])
    return ranges


def doc_file_names(months: list[list[int]]) -> list[str]:
    """Doc file name of every id: ``<yyyymm>-<k>.bin``, k counted from the
    month's oldest document.  A new article renames only the documents of
    its own month that are newer than it (none when it is the newest), so
    the other doc files keep their bytes and are linked, not rewritten;
    numbering across the whole archive shifted every newer file."""
    names = []
    for month, start, end in months:
        names += [f"{month}-{end - 1 - i}.bin" for i in range(start, end)]
    return names


def write_docs(packed: list[bytes], names: list[str], out: Path,
               previous: Path | None = None) -> int:
    """Write the packed doc files (ids in order) under ``names``; returns their bytes.

    A doc file equal to the one in ``previous`` (the last build's index
    folder) is hard-linked from it: one per article, creating them is most
    of an incremental index's time, and unchanged files keep their identity.
    """
    doc_dir = out / DOC_DIR
    doc_dir.mkdir(parents=True, exist_ok=True)
    # plain string paths: pathlib's overhead was most of this loop's time
    new_dir = str(doc_dir)
    old_dir = str(previous / DOC_DIR) if previous else None
    for name, data in zip(names, packed, strict=True):
        previous_file = os.path.join(old_dir, name) if old_dir is not None else None
        write_or_link(os.path.join(new_dir, name), data, previous_file)
    return sum(map(len, packed))


def t2s_blocks() -> dict[int, str]:
    """The t2s map cut by code point >> 8: block -> pairs string (as t2s.json).

    The search page fetches only the blocks of a query's characters
    (t2s/<block hex>.json, ~0.3 KB each) instead of the whole map (29 KB).
    """
    blocks: dict[int, str] = {}
    for a, b in sorted(st.t2s_map().items()):
        blocks[ord(a) >> 8] = blocks.get(ord(a) >> 8, "") + a + b
    return blocks


def _index_files(out: Path) -> list[Path]:
    names = [out / n for n in (MANIFEST_NAME, ATTRS_NAME, T2S_NAME)]
    return names + [p for d in (SHARD_DIR, POS_DIR, DOC_DIR, T2S_DIR) for p in (out / d).iterdir()]


def write_search_index(site_dir: Path, cache_dir: Path | None = None,
                       previous_site: Path | None = None, carried: list[str] = ()) -> dict:
    """Index the article pages of ``site_dir`` into ``site_dir/search/``.

    ``cache_dir`` keeps what was read from each page between builds;
    unchanged doc files are linked from ``previous_site`` (the last output),
    where the ``carried`` pages (not yet in ``site_dir``) are read.
    Returns stats: records, seconds, bytes and files of the index, sizes.
    """
    started = time.perf_counter()
    site_dir = Path(site_dir)
    pages, packed_docs = read_site(site_dir, cache_dir=Path(cache_dir) if cache_dir else None,
                                   carried=(Path(previous_site), list(carried)) if carried else None)
    read_seconds = time.perf_counter() - started
    previous = Path(previous_site) / SEARCH_DIR if previous_site else None
    stats = write_index(pages, site_dir / SEARCH_DIR, packed_docs, previous)
    stats.update(seconds=round(time.perf_counter() - started, 3), read_seconds=round(read_seconds, 3))
    return stats


def write_index(pages: list[ArticlePage], out: Path, packed_docs: list[bytes] | None = None,
                previous: Path | None = None) -> dict:
    """Write the index of ``pages`` (in id order) into ``out``."""
    # out may also hold the search page (search/index.html): replace only
    # the index's own files
    out.mkdir(parents=True, exist_ok=True)
    for name in (SHARD_DIR, POS_DIR, DOC_DIR, T2S_DIR):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in (MANIFEST_NAME, ATTRS_NAME, T2S_NAME):
        (out / name).unlink(missing_ok=True)
    if packed_docs is None:
        packed_docs = [_gzip(doc_bytes(p)) for p in pages]
    chars = sum(len(p.title) + len(p.text) + 1 for p in pages)
    shards = write_shards(pages, out, shard_bits_for(chars))
    bits = shards["bits"]
    values = facet_values(pages)
    attrs = _gzip(attrs_bytes(pages, values))
    (out / ATTRS_NAME).write_bytes(attrs)
    months = month_ranges(pages)
    doc_total = write_docs(packed_docs, doc_file_names(months), out, previous)
    build = hashlib.sha256(shards["digest"].encode() + attrs).hexdigest()[:12]
    manifest = {
        "version": FORMAT_VERSION, "build": build, "docs": len(pages),
        "shardBits": bits, "longestGram": LONGEST_GRAM, "posSplit": POS_SPLIT_DOCS,
        "facets": {f: {"values": values[f], "width": 1 if len(values[f]) <= 256 else 2}
                   for f in FACETS},
        "years": year_ranges(pages), "months": months,
        "t2sFile": T2S_NAME, "t2sBlocks": sorted(t2s_blocks()), "tradBase": st.TRAD_BITMAP_RANGE[0], "tradBits": st.trad_bitmap(),
    }
    (out / MANIFEST_NAME).write_text(
        json.dumps(manifest, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    (out / T2S_NAME).write_text(st.t2s_json(), encoding="utf-8")
    (out / T2S_DIR).mkdir()
    for block, pairs in t2s_blocks().items():
        (out / T2S_DIR / f"{block:x}.json").write_text(
            json.dumps({"pairs": pairs}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    files = _index_files(out)
    return {
        "records": len(pages),
        "bytes": sum(p.stat().st_size for p in files),
        "files": len(files),
        "shard_bits": bits,
        "chars": chars,
        "attrs_bytes": len(attrs),
        "doc_bytes": doc_total,
        **{k: v for k, v in shards.items() if k not in ("digest", "shards", "bits")},
    }
