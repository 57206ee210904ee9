"""Related articles: most shared terms first, then newest.

A naive all-pairs comparison is quadratic (50,000 articles = 2.5 billion
pairs).  Articles with the same set of terms have the same ranking of
candidates, so the ranking is computed once per distinct term set, as a
vector sum of per-term membership arrays over all articles in newest-first
order; the best candidates are then the first indices at the highest score.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


def related_indices(
    term_sets: Sequence[frozenset[Hashable]],
    newness: Sequence[float],
    limit: int = 5,
) -> list[list[int]]:
    """For each item, up to ``limit`` other items ranked by shared terms.

    ``term_sets[i]`` are item i's terms, ``newness[i]`` orders ties (higher
    is newer, e.g. a timestamp).  Items sharing no term are never related.
    """
    count = len(term_sets)
    # positions in newest-first order: position 0 is the newest item
    order = sorted(range(count), key=lambda i: newness[i], reverse=True)
    membership: dict[Hashable, np.ndarray] = {}
    for position, item in enumerate(order):
        for term in term_sets[item]:
            if term not in membership:
                membership[term] = np.zeros(count, dtype=np.uint8)
            membership[term][position] = 1

    def ranking(signature: frozenset) -> list[int]:
        if not signature:
            return []
        scores = np.zeros(count, dtype=np.uint8)
        for term in signature:
            scores += membership[term]
        chosen: list[int] = []
        # one more than the limit: the item itself is among the best matches
        for level in range(len(signature), 0, -1):
            positions = np.flatnonzero(scores == level)[: limit + 1 - len(chosen)]
            chosen += [order[p] for p in positions]
            if len(chosen) > limit:
                break
        return chosen

    by_signature: dict[frozenset, list[int]] = {}
    result = []
    for i, signature in enumerate(term_sets):
        if signature not in by_signature:
            by_signature[signature] = ranking(signature)
        result.append([j for j in by_signature[signature] if j != i][:limit])
    return result
