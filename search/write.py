"""Writing the index files of a built site (``output/search/``).

The build calls :func:`write_search_index` on the freshly written site
folder: it reads the article pages (search/extract.py), makes the postings
(search/postings.py) and writes shard, positions, facet, document and
manifest files in the format of search/format.py.

* **Shards**: gzip files we compress ourselves (hosts serve ``.bin`` as is).
* **Beside them**: ``attrs.bin`` (facet values of every document, for
  facet counts of any result set without more downloads), one small
  ``doc/<yyyymm>-<k>.bin`` per article (title, URL, date, terms, original
  text for the excerpt) fetched only for displayed results, ``t2s.json``
  (traditional -> simplified, for the article page's highlighter) and its
  pieces ``t2s/`` (fetched by the search page only for a query's
  characters) and ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from fileutil import replace_if_changed
from yingkou_archive.kinds import KINDS, TAXONOMY_KINDS

from . import format as fmt
from . import tokens as st
from .arrays import varints
from .extract import ArticlePage, doc_bytes, read_site
from .format import (
    ATTRS_NAME,
    DOC_DIR,
    FORMAT_VERSION,
    MANIFEST_NAME,
    POS_DIR,
    SEARCH_DIR,
    SHARD_DIR,
    T2S_DIR,
    T2S_NAME,
    TAG3,
    doc_file_names,
    gzip_bytes,
    manifest_format,
)
from .postings import shard_bits_for, sized_blocks

# The facets, in the order of attrs.bin and of the manifest's list.
FACETS = KINDS


class IndexFiles:
    """The files of one index folder, each replaced only when its bytes
    change (the folder may share its files with the live site)."""

    def __init__(self, out: Path):
        self.out = out
        self.produced: set[str] = set()
        self.changed: set[str] = set()
        self._folders: set[str] = set()

    def write(self, rel: str, data: bytes) -> None:
        folder = os.path.dirname(rel)
        if folder not in self._folders:
            (self.out / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        if replace_if_changed(os.path.join(self.out, rel), data):
            self.changed.add(rel)
        self.produced.add(rel)

    def remove_others(self) -> None:
        """Index files of an earlier index in this folder that this one has not."""
        for folder in (SHARD_DIR, POS_DIR, DOC_DIR, T2S_DIR):
            for path in (self.out / folder).glob("*") if (self.out / folder).is_dir() else ():
                rel = f"{folder}/{path.name}"
                if rel not in self.produced:
                    path.unlink()
                    self.changed.add(rel)


def shard_bytes(keys: np.ndarray, lengths: np.ndarray, data: np.ndarray,
                extended: np.ndarray | None = None) -> bytes:
    """One shard file before gzip (little-endian; docs/search.md, "Shard files").

    u32 n, u32 L | u32 lo[n] | u32 hi[n] | L bytes: varint of each key's
    postings length * 2 + extended | the postings, key after key
    """
    flags = np.zeros(len(keys), np.uint64) if extended is None else extended.astype(np.uint64)
    lens, _ = varints((lengths.astype(np.uint64) << np.uint64(1)) | flags)
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
        (counts[three] >= fmt.POS_SPLIT_DOCS) & (lengths > 0)).tolist()
    split = [(int(keys[first + j]), data[bounds[j]:bounds[j + 1]].tobytes()) for j in own]
    if own:
        keep = np.ones(len(data), dtype=bool)
        for j in own:
            keep[bounds[j]:bounds[j + 1]] = False
        data = data[keep]
        lengths = lengths.copy()
        lengths[own] = 0
    lens, _ = varints(lengths)
    head = np.array([int(three.sum()), len(lens)], dtype="<u4").tobytes()
    return head + lens.tobytes() + data.tobytes(), split


def write_shards(pages: list[ArticlePage], files: IndexFiles, bits: int, workers: int) -> dict:
    """Write every shard and positions file; returns sizes for the stats
    and the shard count used (``bits``, or what the postings asked for)."""
    bits, blocks = sized_blocks(pages, bits, workers)
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
                pending.append((int(shard), zpool.submit(gzip_bytes, raw), zpool.submit(gzip_bytes, raw_pos),
                                [(key, zpool.submit(gzip_bytes, part)) for key, part in split]))
        for shard, packed, pos, split in pending:
            packed, pos = packed.result(), pos.result()
            files.write(f"{SHARD_DIR}/{shard:x}.bin", packed)
            files.write(f"{POS_DIR}/{shard:x}.bin", pos)
            written.add(shard)
            sizes.append(len(packed))
            pos_sizes.append(len(pos))
            digest.update(packed)
            digest.update(pos)
            for key, part in split:
                part = part.result()
                files.write(f"{POS_DIR}/{key:x}.bin", part)
                own_sizes.append(len(part))
                digest.update(part)
    none = np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.uint8)
    for shard in range(1 << bits):  # every shard exists, so no lookup ever 404s
        if shard not in written:
            files.write(f"{SHARD_DIR}/{shard:x}.bin", gzip_bytes(shard_bytes(*none)))
            files.write(f"{POS_DIR}/{shard:x}.bin", gzip_bytes(pos_bytes(*none)[0]))
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
            for value in page.terms.get(facet, []):
                counts[value] = counts.get(value, 0) + 1
        out[facet] = sorted(counts, key=lambda v: (-counts[v], v))
    return out


def attrs_bytes(pages: list[ArticlePage], values: dict[str, list[str]]) -> bytes:
    """Facet values of every document (docs/search.md, "attrs.bin").

    Per facet: u8 count[n] (values of each document), then the value ids of
    all documents in id order, u8 or u16 (manifest ``width``); each facet's
    part is padded to 4 bytes.
    """
    parts = []
    for facet in FACETS:
        index = {v: i for i, v in enumerate(values[facet])}
        counts = np.fromiter((min(255, len(p.terms.get(facet, []))) for p in pages), np.uint8,
                             len(pages))
        ids = [index[v] for p in pages for v in p.terms.get(facet, [])[:255]]
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


def write_docs(packed: list[bytes], names: list[str], files: IndexFiles) -> int:
    """Write the packed doc files (ids in order) under ``names``; returns
    their bytes.  One per article: an unchanged one keeps its file."""
    for name, data in zip(names, packed, strict=True):
        files.write(f"{DOC_DIR}/{name}", data)
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


def write_search_index(site_dir: Path, cache_dir: Path | None = None, workers: int | None = None,
                       pages: list[str] | None = None) -> dict:
    """Index the article pages of ``site_dir`` into ``site_dir/search/``:
    ``pages`` (paths relative to it), by default every one found there.

    ``cache_dir`` keeps what was read from each page between builds.
    Returns stats: records, seconds, bytes and files of the index, sizes,
    and the files it ``produced`` and ``changed`` (relative to ``site_dir``).
    ``workers`` (default: one per core) share the reading and the postings;
    the files do not depend on it.
    """
    started = time.perf_counter()
    site_dir = Path(site_dir)
    workers = workers or os.cpu_count() or 1
    pages, packed_docs = read_site(site_dir, workers, Path(cache_dir) if cache_dir else None, pages)
    read_seconds = time.perf_counter() - started
    stats = write_index(pages, site_dir / SEARCH_DIR, packed_docs, workers)
    stats.update(seconds=round(time.perf_counter() - started, 3), read_seconds=round(read_seconds, 3),
                 produced=[f"{SEARCH_DIR}/{p}" for p in stats["produced"]],
                 changed=[f"{SEARCH_DIR}/{p}" for p in stats["changed"]])
    return stats


def write_index(pages: list[ArticlePage], out: Path, packed_docs: list[bytes] | None = None,
                workers: int | None = None) -> dict:
    """Write the index of ``pages`` (in id order) into ``out`` (which may
    also hold the search page, search/index.html: only the index's own
    files are written or removed)."""
    files = IndexFiles(Path(out))
    if packed_docs is None:
        packed_docs = [gzip_bytes(doc_bytes(p)) for p in pages]
    chars = sum(len(p.title) + len(p.text) + 1 for p in pages)
    shards = write_shards(pages, files, shard_bits_for(chars), workers or os.cpu_count() or 1)
    bits = shards["bits"]
    values = facet_values(pages)
    attrs = gzip_bytes(attrs_bytes(pages, values))
    files.write(ATTRS_NAME, attrs)
    months = month_ranges(pages)
    doc_total = write_docs(packed_docs, doc_file_names(months), files)
    build = hashlib.sha256(shards["digest"].encode() + attrs).hexdigest()[:12]
    manifest = {
        "version": FORMAT_VERSION, "build": build, "docs": len(pages), "shardBits": bits,
        "format": manifest_format(),
        "facets": [{"name": kind.name, "label": kind.label, "values": values[kind.name],
                    "width": 1 if len(values[kind.name]) <= 256 else 2} for kind in TAXONOMY_KINDS],
        "years": year_ranges(pages), "months": months,
        "t2sFile": T2S_NAME, "t2sBlocks": sorted(t2s_blocks()),
        "tradBase": st.TRAD_BITMAP_RANGE[0], "tradBits": st.trad_bitmap(),
    }
    files.write(MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    files.write(T2S_NAME, st.t2s_json().encode("utf-8"))
    for block, pairs in t2s_blocks().items():
        files.write(f"{T2S_DIR}/{block:x}.json",
                    json.dumps({"pairs": pairs}, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    files.remove_others()
    return {
        "records": len(pages),
        "bytes": sum(os.path.getsize(os.path.join(out, p)) for p in files.produced),
        "files": len(files.produced),
        "produced": sorted(files.produced),
        "changed": sorted(files.changed),
        "shard_bits": bits,
        "chars": chars,
        "attrs_bytes": len(attrs),
        "doc_bytes": doc_total,
        **{k: v for k, v in shards.items() if k not in ("digest", "shards", "bits")},
    }
