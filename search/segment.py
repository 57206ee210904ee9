"""One segment of the index: its shards, positions, documents and facet
values, as the members of a pack (search/pack.py).

A segment is a self-contained index of a range of documents (ids local to
the segment, 0 = its oldest): its own shard count, its own extended grams,
its own facet value lists.  So it depends on its documents only, and a
build keeps every segment whose documents it did not change.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from yingkou_archive.kinds import KINDS

from . import format as fmt
from .arrays import decode_varints, take_segments, varints
from .extract import ArticlePage, doc_bytes
from .format import TAG3, frame, gzip_bytes
from .pack import PackWriter, doc_table_body, shard_table_body
from .postings import shard_bits_for, sized_blocks

# The facets, in the order of a segment's facet member.
FACETS = KINDS


def shard_bytes(keys: np.ndarray, lengths: np.ndarray, data: np.ndarray,
                extended: np.ndarray | None = None) -> bytes:
    """One shard before framing (little-endian; docs/search.md, "Shards").

    u32 n, u32 L | u32 lo[n] | u32 hi[n] | L bytes: varint of each key's
    postings length * 2 + extended | the postings, key after key
    """
    flags = np.zeros(len(keys), np.uint64) if extended is None else extended.astype(np.uint64)
    lens, _ = varints((lengths.astype(np.uint64) << np.uint64(1)) | flags)
    head = np.array([len(keys), len(lens)], dtype="<u4").tobytes()
    lo = (keys & np.uint64(0xFFFFFFFF)).astype("<u4").tobytes()
    hi = (keys >> np.uint64(32)).astype("<u4").tobytes()
    return head + lo + hi + lens.tobytes() + data.tobytes()


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


class FacetIds:
    """Per facet (FACETS order) the value ids (in the names member's lists)
    of each of a segment's documents: ``offsets[f][d]:offsets[f][d + 1]``
    into ``ids[f]``; ``sizes[f]`` values in all."""

    def __init__(self, pages: list[ArticlePage], values: dict[str, list[str]]):
        self.docs = len(pages)
        self.offsets, self.ids, self.sizes = [], [], []
        for facet in FACETS:
            index = {v: i for i, v in enumerate(values[facet])}
            lists = [page.terms.get(facet, [])[:255] for page in pages]
            self.offsets.append(np.concatenate([[0], np.cumsum([len(v) for v in lists])]).astype(np.int64))
            self.ids.append(np.fromiter((index[v] for values_ in lists for v in values_), np.int64))
            self.sizes.append(len(values[facet]))

    def chunk_body(self, start: int, end: int) -> bytes:
        """The facet values of documents start..end-1 (a MEMBER_ATTRS chunk,
        or MEMBER_FACETS_ALL): per facet (FACETS order) u8 count[n], then
        their value ids in id order, in the names member's width, padded to
        4 bytes."""
        parts = []
        for offsets, ids, size in zip(self.offsets, self.ids, self.sizes, strict=True):
            counts = np.diff(offsets[start:end + 1]).astype(np.uint8)  # at most 255 each
            taken = ids[offsets[start]:offsets[end]].astype("<u1" if _value_id_bytes(size) == 1 else "<u2")
            part = counts.tobytes() + taken.tobytes()
            parts.append(part + b"\0" * (-len(part) % 4))
        return b"".join(parts)

    def counts(self, grams: int, gram_of: np.ndarray, docs: np.ndarray) -> list[np.ndarray]:
        """Per facet a (grams, values) array: how many of each gram's
        documents (``docs``, with ``gram_of`` the gram of each) have each
        value."""
        out = []
        for offsets, ids, size in zip(self.offsets, self.ids, self.sizes, strict=True):
            starts, lens = offsets[docs], offsets[docs + 1] - offsets[docs]
            total = int(lens.sum())
            at = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total)
            cells = np.repeat(gram_of, lens) * size + ids[at]
            out.append(np.bincount(cells, minlength=grams * size).reshape(grams, size))
        return out


def gram_counts_bodies(tables: list[np.ndarray]) -> list[tuple[int, bytes]]:
    """Each gram's facet counts (a row of each facet's (grams, values)
    table, FacetIds.counts) as (how many numbers, their varint bytes): per
    facet k, then the counts of its values 0..k-1 (k: one past the last
    value any document has)."""
    columns, kept = [], []
    for table in tables:
        present = table != 0
        k = np.zeros(len(table), np.int64)  # a facet no document here has: k = 0
        if table.shape[1]:
            k = np.where(present.any(axis=1), table.shape[1] - np.argmax(present[:, ::-1], axis=1), 0)
        columns += [k[:, None], table]
        kept += [np.ones((len(table), 1), bool), np.arange(table.shape[1])[None, :] < k[:, None]]
    numbers, keep = np.hstack(columns), np.hstack(kept)
    data, nbytes = varints(numbers[keep].astype(np.uint64))
    # the bytes of each gram's numbers (rows are grams, in order)
    per_gram = keep.sum(axis=1)
    firsts = np.concatenate([[0], np.cumsum(per_gram)[:-1]])
    ends = np.cumsum(np.add.reduceat(nbytes, firsts)).tolist()
    raw = data.tobytes()
    return [(n, raw[start:end]) for n, start, end in zip(per_gram.tolist(), [0, *ends[:-1]], ends, strict=True)]


def block_gram_counts(keys_count: int, lengths: np.ndarray, data: np.ndarray,
                      facets: FacetIds) -> tuple[np.ndarray, list[tuple[int, bytes]]]:
    """The grams (indexes among ``keys_count`` keys whose varint postings
    are ``data``, ``lengths`` bytes each) in fmt.FACET_COUNT_DOCS or more
    documents, and the facet counts of each (gram_counts_bodies)."""
    ends = (data < 0x80).astype(np.int64)  # varints end where the top bit is clear
    byte_bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    counts = np.add.reduceat(ends, byte_bounds[:-1]) if keys_count else np.zeros(0, np.int64)
    counted = np.flatnonzero(counts >= fmt.FACET_COUNT_DOCS)
    if not len(counted):
        return counted, []
    _, taken = take_segments(lengths.astype(np.int64), data, counted)
    per_gram = counts[counted]
    gram_of = np.repeat(np.arange(len(counted)), per_gram)
    # postings are gaps: a running sum per gram
    running = np.cumsum(decode_varints(taken))
    firsts = np.concatenate([[0], np.cumsum(per_gram)[:-1]])
    before = np.concatenate([np.zeros(1, np.uint64), running[firsts[1:] - 1]])
    docs = ((running - before[gram_of]) >> np.uint64(fmt.POSTING_FLAG_BITS)).astype(np.int64)
    return counted, gram_counts_bodies(facets.counts(len(counted), gram_of, docs))


def counts_section(counted: list[int], bodies: list[tuple[int, bytes]]) -> bytes:
    """The end of a shard's body, all varints: c, then per gram with facet
    counts its index - the previous one's (the first: its index), how many
    numbers its counts are, its counts (gram_counts_bodies)."""
    out, previous = [_varint(len(counted))], 0
    for j, (numbers, body) in zip(counted, bodies, strict=True):
        out += [_varint(j - previous), _varint(numbers), body]
        previous = j
    return b"".join(out)


def shard_members(shard: int, tag: int, keys: np.ndarray, lengths: np.ndarray, extended: np.ndarray,
                  data: np.ndarray, pos_lengths: np.ndarray, pos_data: np.ndarray,
                  counted: list[int], count_bodies: list[tuple[int, bytes]]) -> tuple[bytes, bytes, bytes]:
    """A shard's members, gzipped: the shard, its positions, and the own
    positions of its common grams (run in a thread: zlib releases the GIL).

    The shard's body ends with the facet counts of its grams in
    fmt.FACET_COUNT_DOCS or more documents (counts_section: ``counted``,
    their indexes in the shard, and ``count_bodies``): a lookup has them
    with the postings, without a request of their own.

    Positions member: u32 m, u32 L | L bytes: varint bytes of the entry of
    each of the shard's last m keys (its grams of 3+ characters, which sort
    last) | the entries: per posting, varint count, first position, gaps.
    A gram in POS_SPLIT_DOCS or more documents has its entry in a member of
    its own, right after the positions member; its entry here is where:
    varint offset from the end of the positions member, varint bytes.  An
    extended gram has an empty entry (it keeps no positions).
    """
    ends = (data < 0x80).astype(np.int64)  # postings per key: varints end where the top bit is clear
    byte_bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    counts = np.add.reduceat(ends, byte_bounds[:-1]) if len(keys) else np.zeros(0, np.int64)
    raw_shard = shard_bytes(keys, lengths, data, extended) + counts_section(counted, count_bodies)
    three = keys >= np.uint64(TAG3)
    first = len(keys) - int(three.sum())
    entry_lengths = pos_lengths[three].astype(np.int64)
    bounds = np.concatenate([[0], np.cumsum(entry_lengths)]).astype(np.int64)
    own = np.flatnonzero((counts[three] >= fmt.POS_SPLIT_DOCS) & (entry_lengths > 0)).tolist()
    entries, owned, offset, at = [], [], 0, 0
    for j in own:  # few: the grams in hundreds of documents
        entries.append(pos_data[bounds[at]:bounds[j]].tobytes())
        member = gzip_bytes(frame(fmt.MEMBER_OWN_POSITIONS, int(keys[first + j]), tag,
                                  pos_data[bounds[j]:bounds[j + 1]].tobytes()))
        pointer = _varint(offset) + _varint(len(member))
        entries.append(pointer)
        entry_lengths[j] = len(pointer)
        owned.append(member)
        offset += len(member)
        at = j + 1
    entries.append(pos_data[bounds[at]:].tobytes())
    lens, _ = varints(entry_lengths.astype(np.uint64))
    raw_pos = np.array([len(entry_lengths), len(lens)], dtype="<u4").tobytes() + lens.tobytes() + b"".join(entries)
    return (gzip_bytes(frame(fmt.MEMBER_SHARD, shard, tag, raw_shard)),
            gzip_bytes(frame(fmt.MEMBER_POSITIONS, shard, tag, raw_pos)), b"".join(owned))


def facet_values(pages: list[ArticlePage]) -> dict[str, list[str]]:
    """Every value of each facet in these pages, most frequent first (then by name)."""
    out = {}
    for facet in FACETS:
        counts: dict[str, int] = {}
        for page in pages:
            for value in page.terms.get(facet, []):
                counts[value] = counts.get(value, 0) + 1
        out[facet] = sorted(counts, key=lambda v: (-counts[v], v))
    return out


def _value_id_bytes(values: int) -> int:
    """Bytes of a facet's value ids in a segment with this many values."""
    return 1 if values <= 256 else 2


def facet_names_body(values: dict[str, list[str]]) -> bytes:
    """The facet names member: JSON {"values": {facet: [names]}, "widths":
    {facet: 1 or 2}} (bytes per value id: 2 when the facet has more than 256
    values here)."""
    widths = {facet: _value_id_bytes(len(values[facet])) for facet in FACETS}
    return json.dumps({"values": values, "widths": widths}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def facet_members(facets: FacetIds, values: dict[str, list[str]],
                  tag: int) -> tuple[bytes, list[bytes], bytes]:
    """The names member, the chunk members and the member of all the
    segment's documents (empty when there is only one chunk) of a
    segment's facet values (``values``: facet_values), gzipped."""
    names = gzip_bytes(frame(fmt.MEMBER_FACET_NAMES, 0, tag, facet_names_body(values)))
    docs = facets.docs
    chunks = [gzip_bytes(frame(fmt.MEMBER_ATTRS, number, tag,
                               facets.chunk_body(start, min(docs, start + fmt.FACET_CHUNK_DOCS))))
              for number, start in enumerate(range(0, docs, fmt.FACET_CHUNK_DOCS))]
    whole = gzip_bytes(frame(fmt.MEMBER_FACETS_ALL, 0, tag, facets.chunk_body(0, docs))) \
        if len(chunks) > 1 else b""
    return names, chunks, whole


DOCS_PER_TASK = 64


def _block_members(block, bits: int, tag: int, facets: FacetIds) -> list[tuple[int, tuple[bytes, bytes, bytes]]]:
    """(shard, its members) of each shard of a block that has grams."""
    bounds = np.searchsorted(block.shards, np.arange((1 << bits) + 1))
    counted, bodies = block_gram_counts(len(block.keys), block.lengths, block.data, facets)
    counted_bounds = np.searchsorted(counted, bounds)
    byte_bounds = np.concatenate([[0], np.cumsum(block.lengths)])
    pos_bounds = np.concatenate([[0], np.cumsum(block.pos_lengths)])
    made = []
    for shard in np.flatnonzero(bounds[1:] > bounds[:-1]):
        a, b = bounds[shard], bounds[shard + 1]
        made.append((int(shard), shard_members(
            int(shard), tag, block.keys[a:b], block.lengths[a:b], block.extended[a:b],
            block.data[byte_bounds[a]:byte_bounds[b]], block.pos_lengths[a:b],
            block.pos_data[pos_bounds[a]:pos_bounds[b]],
            (counted[counted_bounds[shard]:counted_bounds[shard + 1]] - a).tolist(),
            bodies[counted_bounds[shard]:counted_bounds[shard + 1]])))
    return made


def _doc_members(pages: list[ArticlePage], first: int, tag: int) -> list[bytes]:
    return [gzip_bytes(frame(fmt.MEMBER_DOC, first + i, tag, doc_bytes(page))) for i, page in enumerate(pages)]


def write_segment(pages: list[ArticlePage], tag: int, workers: int) -> tuple[list[bytes], dict]:
    """The pack parts of a segment of ``pages`` (in id order) and its
    manifest entry's numbers (shard bits, where the facet data is) and
    stats."""
    chars = sum(len(p.title) + len(p.text) + 1 for p in pages)
    bits, blocks = sized_blocks(pages, shard_bits_for(chars), workers)
    pack = PackWriter(1 << bits, len(pages), tag)
    values = facet_values(pages)
    facets = FacetIds(pages, values)
    grams = own = 0
    sizes = []
    # shards are made and gzipped on every core while the next blocks are
    # built, a block's at a time (a task per shard or per document cost
    # more in futures than the work of a small one); they are laid out in
    # shard order
    with ThreadPoolExecutor(workers) as pool:
        pending = []
        for block in blocks:
            grams += len(block.keys)
            pending.append(pool.submit(_block_members, block, bits, tag, facets))
        docs = [pool.submit(_doc_members, pages[start:start + DOCS_PER_TASK], start, tag)
                for start in range(0, len(pages), DOCS_PER_TASK)]
        for future in pending:
            for shard, (packed_shard, packed_positions, owned) in future.result():
                pack.shard(shard, packed_shard, packed_positions, owned)
                sizes.append(len(packed_shard) + len(packed_positions))
                own += bool(owned)
        doc_bytes_total = 0
        for number, packed in enumerate(packed for future in docs for packed in future.result()):
            pack.doc(number, packed)
            doc_bytes_total += len(packed)
    names, chunks, whole = facet_members(facets, values, tag)
    names_at = pack.adjacent([whole, names, *chunks]) + len(whole)
    doc_table = pack.member(fmt.MEMBER_DOC_TABLE, 0, doc_table_body(pack.doc_dir))
    shard_table = pack.member(fmt.MEMBER_SHARD_TABLE, 0, shard_table_body(pack.shard_dir))
    parts = pack.finish()
    sizes.sort()
    # where the names are, their bytes, each chunk's (adjacent, in order, after
    # the names), the bytes of the member of all documents (right before them)
    entry = {"bits": bits, "parts": len(parts),
             "facetData": [names_at, len(names), [len(c) for c in chunks], len(whole)],
             "docTable": list(doc_table),
             "shardTable": list(shard_table)}
    stats = {"grams": grams, "chars": chars, "shards": len(sizes), "bytes": sum(map(len, parts)),
             "shard_median": sizes[len(sizes) // 2] if sizes else 0, "shard_max": sizes[-1] if sizes else 0,
             "attrs_bytes": len(whole) + len(names) + sum(map(len, chunks)), "doc_table_bytes": doc_table[1],
             "shard_table_bytes": shard_table[1], "doc_bytes": doc_bytes_total,
             "shards_with_own_positions": own}
    return parts, entry | {"stats": stats}
