"""The grams of a corpus, batch by batch and level by level.

Every substring of length 1, 2 and 3 of every run of token characters is
indexed.  A gram of 3+ characters found often enough (postings.EXTEND_OCCURRENCES)
is *extended*: it keeps no positions, and its one-character extensions at
either end are indexed too, chained up to LONGEST_GRAM characters.

Building is vectorised with numpy: one UTF-32 array of the whole corpus per
batch of documents, table lookups for normalization, windows for grams, one
sort per batch and gram length (3 characters and longer: level by level,
with occurrences counted per hash bucket first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import tokens as st
from .arrays import (
    FLAG_BITS,
    ZONE_BODY,
    ZONE_META,
    ZONE_TITLE,
    Pieces,
    collapse,
    index_in,
    positions_pieces,
    sorted_distinct,
)
from .errors import SearchIndexError
from .extract import ArticlePage
from .format import BASE_GRAM, FIB, FNV_OFFSET, FNV_PRIME, LONGEST_GRAM, TAG2, TAG3, TAG_LONG

# Occurrences are counted per hash bucket before any positions are made, so
# a gram is extended when its bucket reaches EXTEND_OCCURRENCES; a rare gram
# sharing a bucket with a common one is extended too (harmless: a little
# more index, never a wrong answer).
BUCKET_BITS = 22
# Documents per batch: bounds memory (about 40 bytes per character in
# flight) without making numpy calls too small.
BATCH_CHARS = 1_500_000

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


def batches(pages: list[ArticlePage]):
    """(first id, pages) groups of about BATCH_CHARS characters."""
    start, size = 0, 0
    for i, page in enumerate(pages):
        size += len(page.title) + len(page.text) + 2
        if size >= BATCH_CHARS:
            yield start, pages[start:i + 1]
            start, size = i + 1, 0
    if start < len(pages):
        yield start, pages[start:]


def _long_keys(cps: np.ndarray) -> np.ndarray:
    """gram_key of many grams of one length (rows of code points), vectorised."""
    h = np.full(len(cps), FNV_OFFSET, dtype=np.uint64)
    for column in cps.T:
        h = (h ^ column.astype(np.uint64)) * np.uint64(FNV_PRIME)  # wraps mod 2**64
    return np.uint64(TAG_LONG) | (h >> np.uint64(2))


def _bucket(tagged: np.ndarray) -> np.ndarray:
    """Hash bucket of tagged grams (Fibonacci hashing into 2**BUCKET_BITS)."""
    return ((tagged * np.uint64(FIB)) >> np.uint64(64 - BUCKET_BITS)).astype(np.int64)


class Corpus:
    """What every batch needs: the normalization table and dense char ids.

    Code points become dense ids (1..D, in code point order, 0 = boundary)
    so that a gram, its doc id and its title flag fit in one uint64 and one
    numpy sort orders (gram, doc) pairs.  The dense order equals the code
    point order, so the final keys stay sorted.
    """

    def __init__(self, pages: list[ArticlePage]):
        self.table = normalization_table()
        seen = np.zeros(TABLE_SIZE, dtype=bool)
        for _, batch in batches(pages):
            seen[self._normalized(batch)[0]] = True
        seen[0] = False
        self.cp_of_dense = np.concatenate([[0], np.flatnonzero(seen)]).astype(np.uint64)
        self.dense_of_cp = np.cumsum(seen, dtype=np.uint32)
        self.width = max(1, int(len(self.cp_of_dense) - 1).bit_length())
        self.char_dtype = np.uint16 if self.width <= 16 else np.uint32
        self.doc_bits = max(1, (len(pages) - 1).bit_length())
        # composite = tagged gram | doc | low bits in one uint64 (the low
        # bits: an occurrence's zone, then a posting's flags; arrays.py);
        # tagged gram = (length - 1) << gram_bits | digits: three dense chars,
        # or an extension's (parent, side, char) id (_extension_windows),
        # given every bit the doc id and the 3-bit length tag leave
        self.shift = np.uint64(self.doc_bits + FLAG_BITS)
        self.gram_bits = 64 - 3 - self.doc_bits - FLAG_BITS
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

    def short_grams(self, first_id: int, batch: list[ArticlePage]) -> tuple[Pieces, BatchText]:
        """Sorted, distinct composites (tagged dense gram, doc, posting
        flags) of a batch's 1- and 2-grams, and the batch's text (kept for
        the longer grams, level by level)."""
        norm, texts = self._normalized(batch)
        text = BatchText(first_id, self.dense_of_cp[norm].astype(self.char_dtype),
                          np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts)),
                          np.fromiter((len(p.title) for p in batch), dtype=np.int64, count=len(batch)),
                          np.fromiter((len(p.title) + 1 + p.body_start for p in batch), dtype=np.int64,
                                      count=len(batch)))
        dense = text.dense.astype(np.uint64)
        doc, zone, _ = text.layout()
        low = (doc << np.uint64(FLAG_BITS)) | zone
        valid = dense > 0
        unigrams = collapse(np.sort((dense[valid] << self.shift) | low[valid]))
        tagged, valid = self._windows(dense, 2)
        bigrams = collapse(np.sort((tagged[valid] << self.shift) | low[:len(valid)][valid]))
        # the length tag is the top field: 1-grams then 2-grams are sorted overall
        head = np.concatenate([unigrams, bigrams])
        return Pieces(head, np.zeros(len(head), np.uint32), np.zeros(0, np.uint8)), text

    def grams_at(self, text: BatchText, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, tagged grams) of a batch's indexed n-grams, n >= 3:
        every 3-gram; longer, the extensions of extended (n-1)-grams."""
        if n == BASE_GRAM:
            tagged, valid = self._windows(text.dense.astype(np.uint64), n)
            where = np.flatnonzero(valid)
            return where, tagged[where]
        return self._extension_windows(text, n)

    def count_buckets(self, text: BatchText, n: int) -> np.ndarray:
        """Occurrences of the batch's n-grams per hash bucket."""
        return np.bincount(_bucket(self.grams_at(text, n)[1]), minlength=1 << BUCKET_BITS)

    def level_pieces(self, text: BatchText, n: int, heavy: np.ndarray
                     ) -> tuple[list[Pieces], np.ndarray, np.ndarray]:
        """A batch's n-grams (n >= 3) as pieces: composites with positions,
        except the extended grams (in a heavy bucket, shorter than
        LONGEST_GRAM), which have none.  Also the distinct extended grams
        and the distinct tagged grams (with repeats between the two)."""
        where, tagged = self.grams_at(text, n)
        doc, zone, in_doc = text.layout_at(where)
        shift = self.shift
        composite = (tagged << shift) | (doc << np.uint64(FLAG_BITS)) | zone
        extended = heavy[_bucket(tagged)] if n < LONGEST_GRAM else np.zeros(len(tagged), bool)
        # stable: positions stay ascending inside each (gram, doc)
        order = np.argsort(composite[~extended], kind="stable")
        rare = positions_pieces(composite[~extended][order], in_doc[~extended][order])
        common = collapse(np.sort(composite[extended]))
        extended_grams = sorted_distinct(common >> shift)
        return ([rare, Pieces(common, np.zeros(len(common), np.uint32), np.zeros(0, np.uint8))],
                extended_grams, np.concatenate([sorted_distinct(rare.composites >> shift), extended_grams]))

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

    def _extension_windows(self, text: BatchText, n: int) -> tuple[np.ndarray, np.ndarray]:
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
        self.extended_cps[n] = cps[index_in(every, self.extended_at[n])]

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

    def mark_extended(self, text: BatchText, n: int) -> None:
        """Each position's index among the extended n-grams (-1: none), for
        the next level."""
        where, tagged = self.grams_at(text, n)
        ids = np.full(len(text.dense), -1, dtype=np.int32)
        ids[where] = index_in(self.extended_at[n], tagged)
        text.extended_ids = ids

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
class BatchText:
    """A batch's normalized text as dense char ids (0 = boundary), kept
    between the levels of extensions."""

    first_id: int
    dense: np.ndarray
    lengths: np.ndarray      # characters of each document (with its final boundary)
    title_lengths: np.ndarray
    body_starts: np.ndarray  # where each document's body starts (after title and metadata line)
    extended_ids: np.ndarray | None = None  # per position: index among the extended grams

    @staticmethod
    def _zone(in_doc: np.ndarray, title: np.ndarray, body: np.ndarray) -> np.ndarray:
        zone = np.where(in_doc < title, ZONE_TITLE, np.where(in_doc < body, ZONE_META, ZONE_BODY))
        return zone.astype(np.uint64)

    def layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per position: doc id, zone (title, metadata line, body), position in the document."""
        starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]])
        doc = np.repeat(np.arange(self.first_id, self.first_id + len(self.lengths), dtype=np.uint64),
                        self.lengths)
        in_doc = np.arange(len(self.dense), dtype=np.int64) - np.repeat(starts, self.lengths)
        zone = self._zone(in_doc, np.repeat(self.title_lengths, self.lengths),
                          np.repeat(self.body_starts, self.lengths))
        return doc, zone, in_doc

    def layout_at(self, where: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`layout` at some positions only (the extensions are sparse)."""
        if len(where) * 4 > len(self.dense):
            doc, zone, in_doc = self.layout()
            return doc[where], zone[where], in_doc[where]
        ends = np.cumsum(self.lengths)
        index = np.searchsorted(ends, where, side="right")
        in_doc = where - (ends - self.lengths)[index]
        zone = self._zone(in_doc, self.title_lengths[index], self.body_starts[index])
        return (index + self.first_id).astype(np.uint64), zone, in_doc
