"""Related articles: most shared terms first, then newest.

A naive all-pairs comparison is quadratic (50,000 articles = 2.5 billion
pairs).  Articles with the same set of terms have the same ranking of
candidates, so the ranking is computed once per distinct term set, and for
each level of overlap only the newest few candidates are looked at.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Hashable, Sequence


def related_indices(
    term_sets: Sequence[frozenset[Hashable]],
    newness: Sequence[float],
    limit: int = 5,
) -> list[list[int]]:
    """For each item, up to ``limit`` other items ranked by shared terms.

    ``term_sets[i]`` are item i's terms, ``newness[i]`` orders ties (higher
    is newer, e.g. a timestamp).  Items sharing no term are never related.
    """
    order = sorted(range(len(term_sets)), key=lambda i: newness[i], reverse=True)
    members: dict[Hashable, list[int]] = defaultdict(list)  # newest first
    for i in order:
        for term in term_sets[i]:
            members[term].append(i)
    member_sets = {term: set(items) for term, items in members.items()}
    rank = {item: position for position, item in enumerate(order)}

    def ranking(signature: frozenset) -> list[int]:
        # One more than the limit: the item itself is among the best matches.
        wanted = limit + 1
        chosen: list[int] = []
        chosen_set: set[int] = set()
        for size in range(len(signature), 0, -1):
            pool: set[int] = set()
            need = wanted - len(chosen)
            for subset in combinations(signature, size):
                smallest = min(subset, key=lambda t: len(members[t]))
                rest = [member_sets[t] for t in subset if t != smallest]
                found = 0
                for item in members[smallest]:
                    if item in chosen_set or item in pool:
                        continue
                    if all(item in s for s in rest):
                        pool.add(item)
                        found += 1
                        if found >= need:
                            break
            shared = {i: sum(i in member_sets[t] for t in signature) for i in pool}
            best = sorted(pool, key=lambda i: (-shared[i], rank[i]))[:need]
            chosen += best
            chosen_set.update(best)
            if len(chosen) >= wanted:
                break
        return chosen

    by_signature: dict[frozenset, list[int]] = {}
    result = []
    for i, signature in enumerate(term_sets):
        if signature not in by_signature:
            by_signature[signature] = ranking(signature)
        result.append([j for j in by_signature[signature] if j != i][:limit])
    return result
