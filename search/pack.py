"""Pack files: a segment's members end to end, found by byte range.

A segment's index is a few large files instead of one file per shard and
per document (hosts cap files per deploy, and every file is an upload):
each member (a shard, its positions, a common gram's positions, a
document, the facet values) is a gzip of a framed payload
(:func:`search.format.frame`), and part 0 starts with a directory of where
each shard and document lies.  The browser reads the directory entries it
needs and then the members, each with an HTTP Range request.

Offsets are virtual (part ``p`` starts at ``p << PART_BITS``) so one u32
names part and place; a member never straddles two parts.

The document directory is also kept as one small member, the document
table (:func:`doc_table_body`): about 2 bytes a document gzipped instead
of 8 raw, so a reader can fetch a whole segment's table together with its
first directory entries and then go straight from a result's id to its
document, one round trip fewer per first query.  The shard directory is
kept the same way, as the shard table (:func:`shard_table_body`), which a
small index carries inside its manifest: a first lookup then goes straight
to its shard.
"""

from __future__ import annotations

import struct

import numpy as np

from .arrays import read_varints, varints
from .format import (
    DOC_ENTRY,
    PACK_HEAD,
    PACK_MAGIC,
    PART_BITS,
    PART_LIMIT,
    SHARD_ENTRY,
    DamagedIndexError,
    FormatError,
    frame,
    gzip_bytes,
)


def head_bytes(shards: int, docs: int) -> int:
    """Bytes of a pack's head: the fixed part and both directories."""
    return PACK_HEAD + SHARD_ENTRY * shards + DOC_ENTRY * docs


class PackWriter:
    """Members of one segment, laid out in parts (kept in memory)."""

    def __init__(self, shards: int, docs: int, tag: int):
        self.shards, self.docs, self.tag = shards, docs, tag
        self.parts = [bytearray(head_bytes(shards, docs))]
        self.shard_dir = np.zeros((shards, 3), dtype="<u4")
        self.doc_dir = np.zeros((docs, 2), dtype="<u4")

    def _place(self, data: bytes) -> int:
        """Append one member; its virtual offset."""
        if len(data) > PART_LIMIT:
            raise FormatError(f"搜索索引：一个数据块有 {len(data):,} 字节，超过单个文件的上限")
        if len(self.parts[-1]) + len(data) > PART_LIMIT:
            self.parts.append(bytearray())
        part = self.parts[-1]
        offset = (len(self.parts) - 1) << PART_BITS | len(part)
        part += data
        return offset

    def adjacent(self, packed: list[bytes]) -> int:
        """Members (gzipped) laid end to end in one part, so that any run of
        them is one range; the virtual offset of the first."""
        together = b"".join(packed)
        if len(together) > PART_LIMIT:
            raise FormatError(f"搜索索引：相邻的数据块共 {len(together):,} 字节，超过单个文件的上限")
        return self._place(together)

    def member(self, kind: int, number: int, body: bytes, packed: bytes | None = None) -> tuple[int, int]:
        """Add a member (``packed``: its gzip, made elsewhere); (offset, bytes)."""
        data = packed if packed is not None else gzip_bytes(frame(kind, number, self.tag, body))
        return self._place(data), len(data)

    def shard(self, number: int, packed_shard: bytes, packed_positions: bytes, owned: bytes) -> None:
        """A shard, its positions and its grams' own positions, adjacent (so
        one range can fetch shard and positions, and the positions member
        says where the own ones are from its own end)."""
        if self.shard_dir[number][1]:
            # a second write would hide the first's grams from every reader
            raise ValueError(f"shard {number} written twice")
        offset, _ = self.member(0, 0, b"", packed_shard + packed_positions + owned)
        self.shard_dir[number] = (offset, len(packed_shard), len(packed_positions))

    def doc(self, number: int, packed: bytes) -> None:
        offset, size = self.member(0, 0, b"", packed)
        self.doc_dir[number] = (offset, size)

    def finish(self) -> list[bytes]:
        """The parts' bytes, the head filled in."""
        head = struct.pack("<4sIII", PACK_MAGIC, self.shards, self.docs, self.tag)
        head += self.shard_dir.tobytes() + self.doc_dir.tobytes()
        self.parts[0][:len(head)] = head
        return [bytes(part) for part in self.parts]


def doc_table_body(doc_dir: np.ndarray) -> bytes:
    """Where each document lies, compactly: per document (in id order)
    varint gap from the previous document's end (from 0 for the first),
    then varint bytes.  Documents are laid out in id order, so gaps are 0
    except where a document starts the next part."""
    starts = doc_dir[:, 0].astype(np.int64)
    sizes = doc_dir[:, 1].astype(np.int64)
    ends = np.concatenate([[0], starts[:-1] + sizes[:-1]]) if len(starts) else starts
    gaps = starts - ends
    if (gaps < 0).any():
        raise FormatError("搜索索引：文档未按编号顺序存放")
    pairs = np.stack([gaps, sizes], axis=1).reshape(-1).astype(np.uint64)
    data, _ = varints(pairs)
    return data.tobytes()


def parse_doc_table(body: bytes, docs: int, where: str) -> np.ndarray:
    """The (start, bytes) rows of a document table (:func:`doc_table_body`)."""
    numbers = read_varints(body)
    if len(numbers) != 2 * docs or (body and body[-1] & 0x80):
        raise DamagedIndexError(f"{where}: 文档表有 {len(numbers) // 2} 项，应为 {docs}")
    pairs = np.array(numbers, dtype=np.int64).reshape(-1, 2)
    ends = np.cumsum(pairs[:, 0] + pairs[:, 1])
    return np.stack([ends - pairs[:, 1], pairs[:, 1]], axis=1).astype(np.uint32).reshape(-1, 2)


def shard_table_body(shard_dir: np.ndarray) -> bytes:
    """Where each shard lies, compactly: per shard (in number order) varint
    shard bytes, 0 for an empty shard; for any other then varint positions
    bytes and varint gap from the end of the previous non-empty shard's
    shard and positions members (from 0 for the first).  Shards are laid
    out in number order, their grams' own positions after them, so a gap is
    those own positions' bytes, or the step to the next part."""
    starts, shard, positions = (shard_dir[:, k].astype(np.int64) for k in range(3))
    full = shard > 0
    s, n, p = starts[full], shard[full], positions[full]
    ends = np.concatenate([[0], (s + n + p)[:-1]]) if len(s) else s
    gaps = s - ends
    if (gaps < 0).any():
        raise FormatError("搜索索引：分片未按编号顺序存放")
    at = np.concatenate([[0], np.cumsum(1 + 2 * full)[:-1]]).astype(np.int64)
    numbers = np.zeros(len(shard) + 2 * int(full.sum()), dtype=np.uint64)
    numbers[at] = shard
    numbers[at[full] + 1] = p
    numbers[at[full] + 2] = gaps
    data, _ = varints(numbers)
    return data.tobytes()


def parse_shard_table(body: bytes, shards: int, where: str) -> np.ndarray:
    """The (start, shard bytes, positions bytes) rows of a shard table
    (:func:`shard_table_body`), as the pack's shard directory has them."""
    numbers = read_varints(body)
    rows = np.zeros((shards, 3), dtype=np.uint32)
    at = end = shard = 0
    while shard < shards and at < len(numbers):
        size = numbers[at]
        if size:
            if at + 2 >= len(numbers):  # cut short
                break
            start = end + numbers[at + 2]
            rows[shard] = (start, size, numbers[at + 1])
            end = start + size + numbers[at + 1]
            at += 3
        else:
            at += 1
        shard += 1
    if shard != shards or at != len(numbers) or (body and body[-1] & 0x80):
        raise DamagedIndexError(f"{where}: 分片表与 {shards} 个分片不符")
    return rows


def read_range(parts: list[bytes], offset: int, size: int) -> bytes:
    """The bytes of a member at a virtual offset (for the Python reader)."""
    part, at = offset >> PART_BITS, offset & ((1 << PART_BITS) - 1)
    return parts[part][at:at + size]
