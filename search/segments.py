"""Which documents share a segment: a function of the document count only.

Documents are numbered oldest first (by date, then URL), so a day's new
articles get the highest ids and fall into the last segments.  The oldest
documents fill segments of the largest size, ``SEGMENT_UNIT *
SEGMENT_FANOUT ** SEGMENT_TOP_LEVEL``, each never rebuilt by a daily build
once full, so the build's memory is bounded by one such segment whatever
the archive's size.  Of the rest, full units of ``SEGMENT_UNIT`` documents
are grouped by the digits of their count in base ``SEGMENT_FANOUT``,
largest first, one segment per non-zero digit, and the documents after the
last full unit are the tail.  A daily build rewrites the tail, and a larger
segment is rebuilt only when its digit changes (every ``SEGMENT_UNIT *
SEGMENT_FANOUT ** k`` documents at level k), like the merges of a
log-structured index.  100,000 documents: six segments of 16,384, one of
1,024 and the tail.  Because the split depends on nothing but the count,
an incremental build and a clean one cut the same segments.
"""

from __future__ import annotations

from .format import SEGMENT_FANOUT, SEGMENT_TOP_LEVEL, SEGMENT_UNIT


def segment_ranges(documents: int) -> list[tuple[int, int]]:
    """[start, end) id ranges of the segments of ``documents`` documents."""
    largest = SEGMENT_UNIT * SEGMENT_FANOUT ** SEGMENT_TOP_LEVEL
    full, rest = divmod(documents, largest)
    ranges = [(i * largest, (i + 1) * largest) for i in range(full)]
    start = full * largest
    units, tail = divmod(rest, SEGMENT_UNIT)
    digits = []
    while units:
        units, digit = divmod(units, SEGMENT_FANOUT)
        digits.append(digit)
    for level in reversed(range(len(digits))):
        if digits[level]:
            end = start + digits[level] * SEGMENT_FANOUT ** level * SEGMENT_UNIT
            ranges.append((start, end))
            start = end
    if tail:
        ranges.append((start, documents))
    return ranges
