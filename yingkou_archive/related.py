"""Related articles: most shared terms first, then nearest in date order.

"Nearest in date" (not "newest") keeps related lists stable: a new article
is related only to articles of its own time that share its terms, not to
every article with the same terms, so publishing today does not change
thousands of old pages (and readers of an old story see its own time).

A naive all-pairs comparison is quadratic (100,000 articles = 10**10
pairs).  Articles with the same set of terms score every candidate the
same, so the scores are computed once per distinct term set, as a vector
sum of per-term membership arrays over all articles in date order; each
article then takes the nearest candidates at the highest scores.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


def _nearest(positions: np.ndarray, at: int, want: int) -> list[int]:
    """Up to ``want`` of the sorted ``positions`` nearest to ``at`` (not at
    itself); on a tie the lower position (the newer article) first."""
    right = int(np.searchsorted(positions, at))
    left = right - 1
    if right < len(positions) and positions[right] == at:
        right += 1
    chosen = []
    while len(chosen) < want and (left >= 0 or right < len(positions)):
        if right >= len(positions) or (left >= 0 and at - positions[left] <= positions[right] - at):
            chosen.append(int(positions[left]))
            left -= 1
        else:
            chosen.append(int(positions[right]))
            right += 1
    return chosen


def related_indices(
    term_sets: Sequence[frozenset[Hashable]],
    newness: Sequence[float],
    limit: int = 5,
) -> list[list[int]]:
    """For each item, up to ``limit`` other items: most shared terms, then
    nearest in the order of ``newness`` (e.g. a timestamp; on a tie the
    newer).  Items sharing no term are never related."""
    count = len(term_sets)
    # positions in newest-first order: position 0 is the newest item
    order = sorted(range(count), key=lambda i: newness[i], reverse=True)
    position_of = {item: position for position, item in enumerate(order)}
    membership: dict[Hashable, np.ndarray] = {}
    for position, item in enumerate(order):
        for term in term_sets[item]:
            if term not in membership:
                membership[term] = np.zeros(count, dtype=np.uint8)
            membership[term][position] = 1

    levels_of: dict[frozenset, list[np.ndarray]] = {}
    result = []
    for i, signature in enumerate(term_sets):
        if not signature:
            result.append([])
            continue
        if signature not in levels_of:
            scores = np.zeros(count, dtype=np.uint8)
            for term in signature:
                scores += membership[term]
            levels_of[signature] = [np.flatnonzero(scores == level) for level in range(len(signature), 0, -1)]
        chosen: list[int] = []
        for positions in levels_of[signature]:
            chosen += _nearest(positions, position_of[i], limit - len(chosen))
            if len(chosen) >= limit:
                break
        result.append([order[p] for p in chosen])
    return result
