"""Sorted numpy arrays of composites, and the byte payloads beside them.

The index is built from uint64 *composites* (tagged gram, doc id, a
not-in-title flag) kept sorted, each with an optional byte payload (the
positions of a 3-gram in that document).  These are the primitives the
gram levels (search/grams.py) and the postings (search/postings.py) share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
    lengths: np.ndarray     # payload bytes of each composite
    data: np.ndarray        # uint8, payloads one after another


def positions_pieces(composites: np.ndarray, positions: np.ndarray) -> Pieces:
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
    data, nbytes = varints(values)
    value_starts = starts + np.arange(len(starts))
    lengths = np.add.reduceat(nbytes, value_starts) if len(starts) else nbytes[:0]
    return Pieces(composites[starts], lengths.astype(np.int64), data)


def take_segments(lengths: np.ndarray, data: np.ndarray, index: np.ndarray):
    """Byte segments ``index`` (in that order) of segments laid end to end."""
    starts = np.cumsum(lengths) - lengths
    taken = lengths[index]
    if not taken.sum():
        return taken, data[:0]
    new_starts = np.cumsum(taken) - taken
    perm = np.repeat(starts[index] - new_starts, taken) + np.arange(int(taken.sum()))
    return taken, data[perm]


def distinct_pairs(composites: np.ndarray) -> np.ndarray:
    """Sorted composites, one per (gram, doc): the first, i.e. the in-title one."""
    pair = composites >> np.uint64(1)
    keep = np.ones(len(composites), dtype=bool)
    keep[1:] = pair[1:] != pair[:-1]
    return composites[keep]


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
