"""Sorted numpy arrays of composites, and the byte payloads beside them.

The index is built from uint64 *composites* (tagged gram, doc id, a
not-in-title flag) kept sorted, each with an optional byte payload (the
positions of a 3-gram in that document).  These are the primitives the
gram levels (search/grams.py) and the postings (search/postings.py) share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .format import POSTING_FLAG_BITS


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """Distinct values of a sorted array."""
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def index_in(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of each value in a sorted array, or -1 when it is not there."""
    if not len(sorted_values):
        return np.full(len(values), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return np.where(sorted_values[at] == values, at, -1)


@dataclass
class Pieces:
    """Composites with a byte payload each (3-gram positions; empty otherwise)."""

    composites: np.ndarray  # uint64, sorted
    lengths: np.ndarray     # uint32, payload bytes of each composite (4 bytes, not 8: these
    #                         arrays are most of the index build's memory)
    data: np.ndarray        # uint8, payloads one after another


# The low bits of a composite.  An occurrence's are its zone in the
# document; a (gram, doc) posting's are what the readers rank by
# (search/format.py posting_value): in the title, and how often in the body.
FLAG_BITS = POSTING_FLAG_BITS
ZONE_TITLE, ZONE_META, ZONE_BODY = 0, 1, 2


def body_class(count: np.ndarray) -> np.ndarray:
    """Occurrences in the body -> class 0 (none), 1 (once), 2 (2-3), 3 (4+)."""
    return np.minimum(count, 1) + (count >= 2) + (count >= 4)


def _flags(zones: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Posting flags of groups of occurrences (each group's zones from starts)."""
    title = np.add.reduceat((zones == ZONE_TITLE).astype(np.int64), starts) > 0
    body = np.add.reduceat((zones == ZONE_BODY).astype(np.int64), starts)
    return (body_class(body).astype(np.uint64) << np.uint64(1)) | title.astype(np.uint64)


def collapse(composites: np.ndarray) -> np.ndarray:
    """Sorted occurrence composites -> one per (gram, doc), its low bits the
    posting flags (in title, body class)."""
    if not len(composites):
        return composites
    pair = composites >> np.uint64(FLAG_BITS)
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    starts = np.flatnonzero(first)
    zones = composites & np.uint64((1 << FLAG_BITS) - 1)
    return (pair[starts] << np.uint64(FLAG_BITS)) | _flags(zones, starts)


def positions_pieces(composites: np.ndarray, positions: np.ndarray) -> Pieces:
    """Distinct (gram, doc) composites (with posting flags) of sorted
    occurrences, each with its positions as varints: count, first
    position, then gaps."""
    pair = composites >> np.uint64(FLAG_BITS)
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
    data, nbytes = varints(values)
    value_starts = starts + np.arange(len(starts))
    lengths = np.add.reduceat(nbytes, value_starts) if len(starts) else nbytes[:0]
    flags = _flags(composites & np.uint64((1 << FLAG_BITS) - 1), starts) if len(starts) else pair[:0]
    return Pieces((pair[starts] << np.uint64(FLAG_BITS)) | flags, lengths.astype(np.uint32), data)


def take_segments(lengths: np.ndarray, data: np.ndarray, index: np.ndarray):
    """Byte segments ``index`` (in that order) of segments laid end to end."""
    starts = np.cumsum(lengths, dtype=np.int64) - lengths
    taken = lengths[index]
    if not taken.sum():
        return taken, data[:0]
    new_starts = np.cumsum(taken, dtype=np.int64) - taken
    perm = np.repeat(starts[index] - new_starts, taken) + np.arange(int(taken.sum()))
    return taken, data[perm]


def varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def read_varints(data: bytes) -> list[int]:
    """The numbers of LEB128 bytes (the readers' inverse of :func:`varints`)."""
    out, value, shift = [], 0, 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            out.append(value)
            value, shift = 0, 0
    return out


def decode_varints(data: np.ndarray) -> np.ndarray:
    """The uint64 numbers of LEB128 bytes (uint8 array, whole numbers only):
    :func:`read_varints` over arrays, for the build's own postings."""
    if not len(data):
        return np.zeros(0, np.uint64)
    ends = data < 0x80
    firsts = np.flatnonzero(np.concatenate([[True], ends[:-1]]))
    number = np.cumsum(np.concatenate([[0], ends[:-1]]))  # which number each byte belongs to
    shift = (np.arange(len(data)) - firsts[number]) * 7
    parts = (data & 0x7F).astype(np.uint64) << shift.astype(np.uint64)
    return np.add.reduceat(parts, firsts)
