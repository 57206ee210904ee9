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

That is still one pass over the archive per distinct set (most sets are
one article's own: 13 s of a 50,000-article build), so a build that only
added articles *updates* the last build's lists (:func:`update_related`):
only the new articles, and the old ones a new article outranks or comes
between, are computed again.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

# Past this share of new items, updating costs about what computing does.
UPDATE_MAX_NEW = 0.05


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


class _Scorer:
    """Candidates of every set of terms, in newest-first positions."""

    def __init__(self, term_sets: Sequence[frozenset[Hashable]], newness: Sequence[float]):
        count = len(term_sets)
        # positions in newest-first order: position 0 is the newest item
        # (a stable sort: ties keep the callers' order)
        self.order = sorted(range(count), key=lambda i: newness[i], reverse=True)
        self.position_of = [0] * count
        self.membership: dict[Hashable, np.ndarray] = {}
        for position, item in enumerate(self.order):
            self.position_of[item] = position
            for term in term_sets[item]:
                if term not in self.membership:
                    self.membership[term] = np.zeros(count, dtype=np.uint8)
                self.membership[term][position] = 1
        self.count = count

    def scores(self, signature: frozenset) -> np.ndarray:
        """Shared terms with ``signature`` of every position."""
        scores = np.zeros(self.count, dtype=np.uint8)
        for term in signature:
            scores += self.membership[term]
        return scores

    def related(self, items: list[int], signature: frozenset, limit: int) -> list[list[int]]:
        """The lists of ``items``, which all have ``signature``: its levels
        are computed once and dropped after (kept for every set, the arrays
        of positions held 3 GB at 50,000 articles)."""
        if not signature:
            return [[] for _ in items]
        scores = self.scores(signature)
        # one pass over the whole archive, then the levels among the few
        # items that share a term
        sharing = np.flatnonzero(scores)
        shared = scores[sharing]
        levels = [sharing[shared == level] for level in range(len(signature), 0, -1)]
        lists = []
        for item in items:
            chosen: list[int] = []
            for positions in levels:
                chosen += _nearest(positions, self.position_of[item], limit - len(chosen))
                if len(chosen) >= limit:
                    break
            lists.append([self.order[p] for p in chosen])
        return lists

    def related_of(self, items, term_sets, limit: int) -> dict[int, list[int]]:
        """The lists of ``items``, computed a set of terms at a time."""
        by_signature: dict[frozenset, list[int]] = {}
        for item in items:
            by_signature.setdefault(term_sets[item], []).append(item)
        found = {}
        for signature, group in by_signature.items():
            found.update(zip(group, self.related(group, signature, limit), strict=True))
        return found


def related_indices(
    term_sets: Sequence[frozenset[Hashable]],
    newness: Sequence[float],
    limit: int = 5,
) -> list[list[int]]:
    """For each item, up to ``limit`` other items: most shared terms, then
    nearest in the order of ``newness`` (e.g. a timestamp; on a tie the
    newer, then the earlier in the given order).  Items sharing no term are
    never related."""
    found = _Scorer(term_sets, newness).related_of(range(len(term_sets)), term_sets, limit)
    return [found[i] for i in range(len(term_sets))]


@dataclass
class RelatedState:
    """What :func:`update_related` needs of the last computation."""

    keys: list[Hashable]
    term_sets: list[frozenset]
    newness: list[float]
    related: list[list[int]]
    limit: int


def update_related(
    keys: Sequence[Hashable],
    term_sets: Sequence[frozenset[Hashable]],
    newness: Sequence[float],
    limit: int,
    previous: RelatedState | None,
) -> tuple[list[list[int]], RelatedState]:
    """:func:`related_indices` of these items (``keys`` name them, e.g. their
    source paths), reusing ``previous`` lists when the only change since is
    new items; the result is identical either way."""
    result = _updated(keys, term_sets, newness, limit, previous)
    if result is None:
        result = related_indices(term_sets, newness, limit)
    return result, RelatedState(list(keys), list(term_sets), list(newness), result, limit)


def _updated(keys, term_sets, newness, limit, previous) -> list[list[int]] | None:
    """The lists from ``previous``, updated; None when it does not apply:
    an item changed or went, the order of the old ones changed, or so many
    are new that computing is as cheap."""
    if previous is None or previous.limit != limit or len(set(keys)) != len(keys):
        return None
    index_of = {key: i for i, key in enumerate(keys)}
    old_to_new = [index_of.get(key, -1) for key in previous.keys]
    if min(old_to_new, default=0) < 0:
        return None
    if any(term_sets[j] != previous.term_sets[i] or newness[j] != previous.newness[i]
           for i, j in enumerate(old_to_new)):
        return None
    added = sorted(set(range(len(keys))) - set(old_to_new))
    if len(added) > UPDATE_MAX_NEW * len(keys):
        return None
    scorer = _Scorer(term_sets, newness)
    old_order = sorted(range(len(previous.keys)), key=lambda i: previous.newness[i], reverse=True)
    is_new = set(added)
    old_in_new_order = [j for j in scorer.order if j not in is_new]
    if old_in_new_order != [old_to_new[i] for i in old_order]:
        return None  # ties among old items fall differently now
    result: list[list[int] | None] = [None] * len(keys)
    for i, j in enumerate(old_to_new):
        result[j] = [old_to_new[r] for r in previous.related[i]]
    todo = _outdated(scorer, term_sets, result, added, limit) | set(added)
    for j, found in scorer.related_of(sorted(todo), term_sets, limit).items():
        result[j] = found
    return result


def _outdated(scorer: _Scorer, term_sets, result, added: list[int], limit: int) -> set[int]:
    """Old items whose list a new item changes: the new one outranks the
    last of the list (more shared terms, or as many and no farther), or
    comes between the item and one of its list (distances across it grew:
    a tie may fall the other way).  Items not in the list only ever got
    farther, so nothing else can change."""
    position_of = scorer.position_of
    position = np.array(position_of)
    new_positions = np.sort(position[added])
    outdated = set()
    # last of each old list: shared terms and distance
    worst_level = np.zeros(len(term_sets), dtype=np.int64)
    worst_distance = np.full(len(term_sets), len(term_sets) + 1, dtype=np.int64)
    low, high = position.copy(), position.copy()
    for j, mine in enumerate(result):
        if not mine:
            continue
        here = position_of[j]
        if len(mine) == limit:
            worst_level[j] = len(term_sets[j] & term_sets[mine[-1]])
            worst_distance[j] = abs(position_of[mine[-1]] - here)
        span = [position_of[r] for r in mine]
        low[j], high[j] = min(here, *span), max(here, *span)
    # a new item strictly between an item and the farthest of its list
    between = np.searchsorted(new_positions, high) - np.searchsorted(new_positions, low, side="right")
    outdated.update(int(j) for j in np.flatnonzero(between > 0) if result[j] is not None)
    for x in added:
        shared = scorer.scores(term_sets[x])[position]  # by item, not position
        distance = np.abs(position - position[x])
        beats = (shared > worst_level) | ((shared == worst_level) & (distance <= worst_distance))
        outdated.update(int(j) for j in np.flatnonzero(beats & (shared > 0)) if result[j] is not None)
    return outdated
