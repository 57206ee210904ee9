"""A reference reader of the static search index, in Python.

The browser reads the index with ``theme/static/js/search-engine.js``; this
module does the same thing the same way, so tests can check the index
writer against the truth without a browser, and the JS reader against this
one.  It is not used by the build.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from . import format as si
from . import tokens as st

SORTS = ("relevance", "newest", "oldest")


def _unpack(data: bytes) -> bytes:
    """Our files are gzip; a host that already decompressed them is fine too."""
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _varints(data: bytes) -> list[int]:
    out, value, shift = [], 0, 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            out.append(value)
            value, shift = 0, 0
    return out


class SearchIndex:
    """The index in ``<site>/search/``: lookups, searches, documents."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.manifest = json.loads((self.folder / si.MANIFEST_NAME).read_text(encoding="utf-8"))
        if self.manifest.get("version") != si.FORMAT_VERSION:
            raise si.FormatError(f"{self.folder}: 索引格式 {self.manifest.get('version')}，"
                                 f"本程序只读格式 {si.FORMAT_VERSION}")
        if self.manifest.get("format") != si.manifest_format():
            raise si.FormatError(f"{self.folder}: manifest.json 的 format 与本程序的索引格式不一致")
        self.facets = {facet["name"]: facet for facet in self.manifest["facets"]}
        self.docs = self.manifest["docs"]
        self.bits = self.manifest["shardBits"]
        self._attrs = self._read_attrs()
        self._doc_names: list[str] | None = None
        self._shards: dict[int, dict] = {}

    # ------------------------------------------------------------ postings --

    def _shard(self, shard: int) -> dict[int, tuple[list[int], list[list[int]], bool]]:
        """key -> (postings values, positions per posting or [] for grams
        without positions, extended); each shard read once."""
        if shard not in self._shards:
            self._shards[shard] = self._read_shard(shard)
        return self._shards[shard]

    def _read_shard(self, shard: int) -> dict[int, tuple[list[int], list[list[int]], bool]]:
        raw = _unpack((self.folder / si.SHARD_DIR / f"{shard:x}.bin").read_bytes())
        n, lens_bytes = np.frombuffer(raw, "<u4", 2)
        lo = np.frombuffer(raw, "<u4", n, 8).astype(np.uint64)
        hi = np.frombuffer(raw, "<u4", n, 8 + 4 * n).astype(np.uint64)
        keys = ((hi << np.uint64(32)) | lo).tolist()
        at = 8 + 8 * n
        lengths = _varints(raw[at:at + lens_bytes])  # postings bytes * 2 + extended
        at += lens_bytes
        postings = []
        for length in lengths:
            postings.append(np.cumsum(_varints(raw[at:at + (length >> 1)])).tolist())
            at += length >> 1
        extended = [bool(length & 1) for length in lengths]
        positions = self._positions(shard, keys, postings, extended)
        return {k: (v, positions.get(k, []), e) for k, v, e in zip(keys, postings, extended, strict=True)}

    def _positions(self, shard, keys, postings, extended) -> dict[int, list[list[int]]]:
        raw = _unpack((self.folder / si.POS_DIR / f"{shard:x}.bin").read_bytes())
        m, lens_bytes = np.frombuffer(raw, "<u4", 2)
        lengths = _varints(raw[8:8 + lens_bytes])
        at = 8 + lens_bytes
        out = {}
        split = self.manifest["format"]["posSplit"]
        first = len(keys) - m
        for key, values, length, is_extended in zip(keys[first:], postings[first:], lengths,
                                                    extended[first:], strict=True):
            entry = raw[at:at + length]
            at += length
            if is_extended:  # no positions: a query uses its extensions instead
                continue
            if len(values) >= split:  # in a file of its own
                entry = _unpack((self.folder / si.POS_DIR / f"{key:x}.bin").read_bytes())
            numbers = _varints(entry)
            lists, i = [], 0
            for _ in values:
                count = numbers[i]
                lists.append(np.cumsum(numbers[i + 1:i + 1 + count]).tolist())
                i += 1 + count
            out[key] = lists
        return out

    def _entry(self, gram: str) -> tuple[list[int], list[list[int]], bool]:
        key = si.gram_key(gram)
        return self._shard(si.shard_of(key, self.bits)).get(key, ([], [], False))

    def postings(self, gram: str) -> list[int]:
        """Values ``id * 2 + in_title`` of a normalized gram, ascending."""
        return self._entry(gram)[0]

    def extended(self, gram: str) -> bool:
        """Whether the gram's one-character extensions are indexed (it has no positions)."""
        return self._entry(gram)[2]

    def positions(self, gram: str) -> dict[int, list[int]]:
        """doc -> positions of a normalized gram of 3+ characters in the
        document's searchable text (none for an extended gram)."""
        values, lists, _ = self._entry(gram)
        return {v >> 1: p for v, p in zip(values, lists, strict=bool(lists))}

    def cover(self, phrase: str) -> list[tuple[int, int]]:
        """The spans a run is finally looked up as (si.first_cover, then
        si.next_cover while some span is extended); [] when a gram is absent."""
        cover = si.first_cover(len(phrase))
        while True:
            if any(not self.postings(phrase[a:b]) for a, b in cover):
                return []
            extended = {(a, b) for a, b in cover if self.extended(phrase[a:b])}
            if not extended or cover == [(0, len(phrase))]:
                return cover
            cover = si.next_cover(cover, extended, len(phrase))

    def phrase(self, phrase: str) -> dict[int, bool]:
        """Documents matching one normalized run -> whether it is in the title."""
        cover = self.cover(phrase)
        result: dict[int, bool] | None = None
        for a, b in cover:
            found = {v >> 1: bool(v & 1) for v in self.postings(phrase[a:b])}
            result = found if result is None else {
                d: t and found[d] for d, t in result.items() if d in found}
        if len(cover) > 1:  # the grams must line up
            where = [(a, self.positions(phrase[a:b])) for a, b in cover]
            result = {d: t for d, t in result.items() if any(
                all(p + offset in set(table[d]) for offset, table in where[1:])
                for p in where[0][1][d])}
        return result or {}

    # -------------------------------------------------------------- search --

    def search(self, query: str, filters: dict[str, str] | None = None,
               sort: str = "relevance") -> list[int]:
        """Ordered ids of the documents matching ``query`` (as the page does)."""
        phrases = st.parse_query(query).phrases
        if not phrases:
            return []
        hits: dict[int, int] | None = None
        for phrase in phrases:
            found = self.phrase(phrase)
            hits = {d: int(t) for d, t in found.items()} if hits is None else {
                d: h + found[d] for d, h in hits.items() if d in found}
        ids = [d for d in hits if self.passes(d, filters or {})]
        if sort == "relevance":
            return sorted(ids, key=lambda d: (-hits[d], d))
        return sorted(ids, reverse=sort == "oldest")

    # --------------------------------------------------------------- facets --

    def _read_attrs(self) -> dict[str, list[list[int]]]:
        raw = _unpack((self.folder / si.ATTRS_NAME).read_bytes())
        out, at, n = {}, 0, self.docs
        for facet, spec in self.facets.items():  # in the order of attrs.bin
            width = spec["width"]
            counts = np.frombuffer(raw, np.uint8, n, at)
            total = int(counts.sum())
            values = np.frombuffer(raw, "<u1" if width == 1 else "<u2", total, at + n)
            at += n + total * width
            at += -at % 4
            ends = np.cumsum(counts)
            out[facet] = [values[e - c:e].tolist() for c, e in zip(counts.tolist(), ends.tolist(), strict=True)]
        years = [0] * n
        for year, start, end in self.manifest["years"]:
            years[start:end] = [year] * (end - start)
        out["year"] = [[y] if y else [] for y in years]
        return out

    def values_of(self, doc: int, facet: str) -> list[str]:
        if facet == "year":
            return [str(y) for y in self._attrs["year"][doc]]
        names = self.facets[facet]["values"]
        return [names[i] for i in self._attrs[facet][doc]]

    def passes(self, doc: int, filters: dict[str, str]) -> bool:
        return all(value in self.values_of(doc, facet) for facet, value in filters.items())

    # ------------------------------------------------------------ documents --

    def doc(self, doc_id: int) -> dict:
        if self._doc_names is None:
            self._doc_names = si.doc_file_names(self.manifest["months"])
        name = self._doc_names[doc_id]
        return json.loads(_unpack((self.folder / si.DOC_DIR / name).read_bytes()))

    def urls(self) -> dict[int, str]:
        """Every id -> the article's URL (relative to the site root)."""
        return {i: self.doc(i)["u"] for i in range(self.docs)}
