"""A reference reader of the static search index, in Python.

The browser reads the index with ``theme/static/js/search-engine.js``; this
module does the same thing the same way, so tests can check the index
writer against the truth without a browser, and the JS reader against this
one.  It is not used by the build.  It reads the pack files from disk,
checking every member as the browser does.
"""

from __future__ import annotations

import base64
import gzip
import json
import struct
import zlib
from pathlib import Path

import numpy as np

from . import format as si
from . import tokens as st
from .arrays import read_varints
from .pack import parse_doc_table, parse_shard_table, read_range

SORTS = ("relevance", "newest", "oldest")


def _inflate(data: bytes, where: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise si.DamagedIndexError(f"{where}: 不是完整的 gzip 数据（{error}）") from None


def _facet_values(raw: bytes, n: int, head: dict, where: str) -> dict[str, list[list[str]]]:
    """The values of each facet of ``n`` documents in a facet member's body
    (a chunk's, or all the segment's): per facet u8 counts, then value ids
    in the names member's width, padded to 4 bytes."""
    out, place = {}, 0
    for facet in head["widths"]:  # in the order of the member
        width, names = head["widths"][facet], head["values"][facet]
        counts = np.frombuffer(raw, np.uint8, n, place)
        total = int(counts.sum())
        values = np.frombuffer(raw, "<u1" if width == 1 else "<u2", total, place + n).tolist()
        place += n + total * width
        place += -place % 4
        ends = np.cumsum(counts).tolist()
        out[facet] = [[names[v] for v in values[e - c:e]] for c, e in zip(counts.tolist(), ends, strict=True)]
    if place != len(raw):
        raise si.DamagedIndexError(f"{where} 有 {len(raw)} 字节，应为 {place}")
    return out


class SegmentReader:
    """One segment's pack: lookups with ids local to the segment."""

    def __init__(self, folder: Path, entry: dict, posSplit: int):
        self.spec = entry
        self.name, self.start, self.docs = entry["name"], entry["start"], entry["docs"]
        self.bits, self.tag = entry["bits"], entry["tag"]
        self.split = posSplit
        self.parts = [(folder / si.part_name(self.name, p)).read_bytes() for p in range(entry["parts"])]
        magic, shards, docs, tag = struct.unpack_from("<4sIII", self.parts[0])
        if (magic, shards, docs, tag) != (si.PACK_MAGIC, 1 << self.bits, self.docs, self.tag):
            raise si.DamagedIndexError(f"{si.part_name(self.name, 0)}: 文件头与 manifest.json 不符")
        self.shard_dir = np.frombuffer(self.parts[0], "<u4", 3 * shards, si.PACK_HEAD).reshape(-1, 3)
        self.doc_dir = np.frombuffer(self.parts[0], "<u4", 2 * docs, si.PACK_HEAD + si.SHARD_ENTRY * shards
                                     ).reshape(-1, 2)
        self._shards: dict[int, dict] = {}
        self.owned: set[int] = set()  # keys whose positions were read from a member of their own
        self.attrs = self._read_attrs()
        self.doc_table = self._read_doc_table()
        self.shard_table = self._read_shard_table()

    def member(self, offset: int, size: int, kind: int, number: int) -> bytes:
        where = f"{si.part_name(self.name, offset >> si.PART_BITS)} @{offset & ((1 << si.PART_BITS) - 1)}"
        return si.unframe(_inflate(read_range(self.parts, offset, size), where), kind, number, self.tag, where)

    # ------------------------------------------------------------ postings --

    def _shard(self, shard: int) -> dict[int, tuple[list[int], list[list[int]], bool]]:
        """key -> (postings values, positions per posting or [] for grams
        without positions, extended); each shard read once."""
        if shard not in self._shards:
            self._shards[shard] = self._read_shard(shard)
        return self._shards[shard]

    def _read_shard(self, shard: int) -> dict[int, tuple[list[int], list[list[int]], bool]]:
        start, shard_len, pos_len = (int(v) for v in self.shard_dir[shard])
        if not shard_len:
            return {}
        raw = self.member(start, shard_len, si.MEMBER_SHARD, shard)
        n, lens_bytes = struct.unpack_from("<II", raw)
        lo = np.frombuffer(raw, "<u4", n, 8).astype(np.uint64)
        hi = np.frombuffer(raw, "<u4", n, 8 + 4 * n).astype(np.uint64)
        keys = ((hi << np.uint64(32)) | lo).tolist()
        at = 8 + 8 * n
        lengths = read_varints(raw[at:at + lens_bytes])  # postings bytes * 2 + extended
        at += lens_bytes
        postings = []
        for length in lengths:
            postings.append(np.cumsum(read_varints(raw[at:at + (length >> 1)])).tolist())
            at += length >> 1
        extended = [bool(length & 1) for length in lengths]
        self._check_counts(raw[at:], keys, postings, shard)
        own_start = start + shard_len + pos_len
        raw_pos = self.member(start + shard_len, pos_len, si.MEMBER_POSITIONS, shard)
        positions = self._positions(raw_pos, own_start, keys, postings, extended)
        return {k: (v, positions.get(k, []), e) for k, v, e in zip(keys, postings, extended, strict=True)}

    def _check_counts(self, section: bytes, keys: list[int], postings: list[list[int]], shard: int) -> None:
        """The facet counts at the end of a shard's body (search/segment.py
        counts_section) must be those of exactly its grams in
        si.FACET_COUNT_DOCS or more documents, and equal what their
        documents' values give: the browser counts from them instead."""
        where = f"seg/{self.name}: 分片 {shard} 的分面计数"
        numbers = read_varints(section)
        counted, at, index = [], 1, -1
        for _ in range(numbers[0] if numbers else 0):
            if at + 1 >= len(numbers):
                raise si.DamagedIndexError(f"{where}不完整")
            index += numbers[at] + (index < 0)
            size = numbers[at + 1]
            counted.append((index, numbers[at + 2:at + 2 + size]))
            at += 2 + size
        if not numbers or at != len(numbers):
            raise si.DamagedIndexError(f"{where}长度不符")
        wanted = [j for j, values in enumerate(postings) if len(values) >= si.FACET_COUNT_DOCS]
        if [j for j, _ in counted] != wanted:
            raise si.DamagedIndexError(f"{where}与出现在 {si.FACET_COUNT_DOCS} 篇以上文章中的字串不符")
        bits = si.POSTING_FLAG_BITS
        for j, body in counted:
            if body != self._counts_of([v >> bits for v in postings[j]]):
                raise si.DamagedIndexError(f"{where}与文章的分面值不符（字串 {keys[j]:x}）")

    def _counts_of(self, docs: list[int]) -> list[int]:
        """The counts' numbers (search/segment.py gram_counts_bodies) for these documents: per
        facet k, then the counts of value ids 0..k-1."""
        out = []
        for facet, names in self.facet_names.items():
            tally = [0] * len(names)
            index = {name: i for i, name in enumerate(names)}
            for doc in docs:
                for value in self.attrs[facet][doc]:
                    tally[index[value]] += 1
            while tally and not tally[-1]:
                tally.pop()
            out += [len(tally), *tally]
        return out

    def _positions(self, raw, own_start, keys, postings, extended) -> dict[int, list[list[int]]]:
        m, lens_bytes = struct.unpack_from("<II", raw)
        lengths = read_varints(raw[8:8 + lens_bytes])
        at = 8 + lens_bytes
        out = {}
        first = len(keys) - m
        for key, values, length, is_extended in zip(keys[first:], postings[first:], lengths,
                                                    extended[first:], strict=True):
            entry = raw[at:at + length]
            at += length
            if is_extended:  # no positions: a query uses its extensions instead
                continue
            if len(values) >= self.split:  # in a member of its own: the entry says where
                offset, size = read_varints(entry)
                entry = self.member(own_start + offset, size, si.MEMBER_OWN_POSITIONS, key)
                self.owned.add(key)
            numbers = read_varints(entry)
            lists, i = [], 0
            for _ in values:
                count = numbers[i]
                lists.append(np.cumsum(numbers[i + 1:i + 1 + count]).tolist())
                i += 1 + count
            out[key] = lists
        return out

    def entry(self, gram: str) -> tuple[list[int], list[list[int]], bool]:
        key = si.gram_key(gram)
        return self._shard(si.shard_of(key, self.bits)).get(key, ([], [], False))

    def cover(self, phrase: str) -> list[tuple[int, int]]:
        """The spans a run is finally looked up as here (si.first_cover, then
        si.next_cover while some span is extended); [] when a gram is absent."""
        cover = si.first_cover(len(phrase))
        while True:
            if any(not self.entry(phrase[a:b])[0] for a, b in cover):
                return []
            extended = {(a, b) for a, b in cover if self.entry(phrase[a:b])[2]}
            if not extended or cover == [(0, len(phrase))]:
                return cover
            cover = si.next_cover(cover, extended, len(phrase))

    def phrase(self, phrase: str) -> dict[int, int]:
        """Local ids of the documents matching one normalized run -> posting
        flags (in title if every gram is; the lowest body class of its grams)."""
        cover = self.cover(phrase)
        result: dict[int, int] | None = None
        bits = si.POSTING_FLAG_BITS
        for a, b in cover:
            found = {v >> bits: v & ((1 << bits) - 1) for v in self.entry(phrase[a:b])[0]}
            result = found if result is None else {
                d: min(f & ~1, found[d] & ~1) | (f & found[d] & 1) for d, f in result.items() if d in found}
        if len(cover) > 1:  # the grams must line up
            where = []
            for a, b in cover:
                values, lists, _ = self.entry(phrase[a:b])
                where.append((a, {v >> bits: p for v, p in zip(values, lists, strict=True)}))
            result = {d: f for d, f in result.items() if any(
                all(p + offset - where[0][0] in set(table[d]) for offset, table in where[1:])
                for p in where[0][1][d])}
        return result or {}

    # --------------------------------------------------------------- facets --

    def _read_attrs(self) -> dict[str, list[list[str]]]:
        """Facet values of every document: the names member, then every
        chunk; and the member of all documents, which must say the same."""
        at, names_size, chunk_sizes, whole_size = self.spec["facetData"]
        head = json.loads(self.member(at, names_size, si.MEMBER_FACET_NAMES, 0).decode("utf-8"))
        self.facet_names = {facet: head["values"][facet] for facet in head["widths"]}
        out = {facet: [] for facet in head["widths"]}
        place = at + names_size
        for number, size in enumerate(chunk_sizes):
            raw = self.member(place, size, si.MEMBER_ATTRS, number)
            n = min(si.FACET_CHUNK_DOCS, self.docs - number * si.FACET_CHUNK_DOCS)
            for facet, values in _facet_values(raw, n, head, f"seg/{self.name}: 分面数据块 {number}").items():
                out[facet] += values
            place += size
        if any(len(docs) != self.docs for docs in out.values()):
            raise si.DamagedIndexError(f"seg/{self.name}: 分面数据与 {self.docs} 个文档不符")
        if whole_size:
            raw = self.member(at - whole_size, whole_size, si.MEMBER_FACETS_ALL, 0)
            if _facet_values(raw, self.docs, head, f"seg/{self.name}: 全部文档的分面数据") != out:
                raise si.DamagedIndexError(f"seg/{self.name}: 全部文档的分面数据与各数据块不符")
        elif len(chunk_sizes) > 1:
            raise si.DamagedIndexError(f"seg/{self.name}: 缺少全部文档的分面数据")
        return out

    def _read_doc_table(self) -> np.ndarray:
        """The document table, which must say what the directory says (the
        browser may read either)."""
        offset, size = self.spec["docTable"]
        table = parse_doc_table(self.member(offset, size, si.MEMBER_DOC_TABLE, 0), self.docs, f"seg/{self.name}")
        if not np.array_equal(table, self.doc_dir):
            raise si.DamagedIndexError(f"seg/{self.name}: 文档表与文件头的文档目录不符")
        return table

    def _read_shard_table(self) -> np.ndarray:
        """The shard table, which must say what the directory says, and the
        copy in the manifest (if any) must be its bytes: the browser may
        read any of the three."""
        offset, size = self.spec["shardTable"]
        where = f"seg/{self.name}"
        body = self.member(offset, size, si.MEMBER_SHARD_TABLE, 0)
        table = parse_shard_table(body, 1 << self.bits, where)
        if not np.array_equal(table, self.shard_dir):
            raise si.DamagedIndexError(f"{where}: 分片表与文件头的分片目录不符")
        inline = self.spec.get("shardTableBody")
        if inline is not None and base64.b64decode(inline) != body:
            raise si.DamagedIndexError(f"{where}: manifest.json 中的分片表与文件中的不符")
        return table

    def doc(self, local: int) -> dict:
        offset, size = (int(v) for v in self.doc_table[local])
        return json.loads(self.member(offset, size, si.MEMBER_DOC, local).decode("utf-8"))


class SearchIndex:
    """The index in ``<site>/search/``: lookups, searches, documents (global ids, oldest first)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.manifest = json.loads((self.folder / si.MANIFEST_NAME).read_text(encoding="utf-8"))
        if self.manifest.get("version") != si.FORMAT_VERSION:
            raise si.FormatError(f"{self.folder}: 索引格式 {self.manifest.get('version')}，"
                                 f"本程序只读格式 {si.FORMAT_VERSION}")
        if self.manifest.get("format") != si.manifest_format():
            raise si.FormatError(f"{self.folder}: manifest.json 的 format 与本程序的索引格式不一致")
        self.docs = self.manifest["docs"]
        split = self.manifest["format"]["posSplit"]
        self.segments = [SegmentReader(self.folder, entry, split) for entry in self.manifest["segments"]]
        self._years = [0] * self.docs
        for year, start, end in self.manifest["years"]:
            self._years[start:end] = [year] * (end - start)

    def _segment(self, doc: int) -> SegmentReader:
        for segment in self.segments:
            if segment.start <= doc < segment.start + segment.docs:
                return segment
        raise IndexError(doc)

    # ------------------------------------------------- grams (all segments) --

    def postings(self, gram: str) -> list[int]:
        """Values ``id << POSTING_FLAG_BITS | flags`` (global ids) of a normalized gram, ascending."""
        return [v + (s.start << si.POSTING_FLAG_BITS) for s in self.segments for v in s.entry(gram)[0]]

    def extended(self, gram: str) -> bool:
        """Whether some segment indexes the gram's one-character extensions instead of its positions."""
        return any(s.entry(gram)[2] for s in self.segments)

    def positions(self, gram: str) -> dict[int, list[int]]:
        """doc -> positions of a normalized gram of 3+ characters in the
        document's searchable text (none where it is extended)."""
        out = {}
        for s in self.segments:
            values, lists, _ = s.entry(gram)
            out.update({s.start + (v >> si.POSTING_FLAG_BITS): p for v, p in zip(values, lists, strict=bool(lists))})
        return out

    def covers(self, phrase: str) -> list[list[tuple[int, int]]]:
        """The final lookups of a run, in each segment."""
        return [s.cover(phrase) for s in self.segments]

    def phrase(self, phrase: str) -> dict[int, int]:
        """Global ids of the documents matching one normalized run -> posting flags."""
        return {s.start + d: f for s in self.segments for d, f in s.phrase(phrase).items()}

    # -------------------------------------------------------------- search --

    def search(self, query: str, filters: dict[str, str] | None = None,
               sort: str = "relevance") -> list[int]:
        """Ordered ids of the documents matching ``query`` (as the page does):
        by relevance (the sum over phrases of si.phrase_weight times
        si.posting_weight), then newest first; or by date."""
        phrases = st.parse_query(query).phrases
        if not phrases:
            return []
        scores: dict[int, int] | None = None
        for phrase in phrases:
            found = self.phrase(phrase)
            weight = si.phrase_weight(self.docs, len(found))
            points = {d: weight * si.posting_weight(f) for d, f in found.items()}
            scores = points if scores is None else {d: v + points[d] for d, v in scores.items() if d in points}
        ids = [d for d in scores if self.passes(d, filters or {})]
        if sort == "relevance":
            return sorted(ids, key=lambda d: (-scores[d], -d))
        return sorted(ids, reverse=sort == "newest")

    def values_of(self, doc: int, facet: str) -> list[str]:
        if facet == "year":
            return [str(self._years[doc])] if self._years[doc] else []
        segment = self._segment(doc)
        return segment.attrs[facet][doc - segment.start]

    def passes(self, doc: int, filters: dict[str, str]) -> bool:
        return all(value in self.values_of(doc, facet) for facet, value in filters.items())

    # ------------------------------------------------------------ documents --

    def doc(self, doc_id: int) -> dict:
        segment = self._segment(doc_id)
        return segment.doc(doc_id - segment.start)

    def urls(self) -> dict[int, str]:
        """Every id -> the article's URL (relative to the site root)."""
        return {i: self.doc(i)["u"] for i in range(self.docs)}
