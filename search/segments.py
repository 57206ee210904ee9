"""Which documents share a segment: a function of the document count only.

Documents are numbered oldest first (by date, then URL), so a day's new
articles get the highest ids and fall into the last segment.  Full units of
``SEGMENT_UNIT`` documents are grouped by the digits of their count in base
``SEGMENT_FANOUT``, largest first, one segment per non-zero digit; the
documents after the last full unit are the tail.  So an archive has at most
one segment per digit plus the tail (5 at 100,000 documents), a daily build
rewrites the tail, and a larger segment is rebuilt only when its digit
changes (every ``SEGMENT_UNIT * SEGMENT_FANOUT ** k`` documents at level k),
like the merges of a log-structured index.  Because the split depends on
nothing but the count, an incremental build and a clean one cut the same
segments.
"""

from __future__ import annotations

from .format import SEGMENT_FANOUT, SEGMENT_UNIT


def segment_ranges(documents: int) -> list[tuple[int, int]]:
    """[start, end) id ranges of the segments of ``documents`` documents."""
    units, tail = divmod(documents, SEGMENT_UNIT)
    digits = []
    while units:
        units, digit = divmod(units, SEGMENT_FANOUT)
        digits.append(digit)
    ranges, start = [], 0
    for level in reversed(range(len(digits))):
        if digits[level]:
            end = start + digits[level] * SEGMENT_FANOUT ** level * SEGMENT_UNIT
            ranges.append((start, end))
            start = end
    if tail:
        ranges.append((start, documents))
    return ranges
