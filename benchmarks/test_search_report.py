"""`invoke bench-search` records a run in docs/benchmarks.md without losing
the runs recorded before it under the same size."""

from __future__ import annotations

from benchmarks.search_quality import update_docs

_ROW = {"queries": 3, "recall": 1.0, "precision": 1.0, "top10": 1.0, "misses": []}
_BYTES = {"median": 2048, "p90": 4096, "max": 8192, "n": 3, "over200": 0, "over300": 0,
          "requests_median": 4, "requests_max": 6}


def _figures(day: str, recall: float) -> dict:
    return {"articles": 5000, "kinds": {"word": {**_ROW, "recall": recall}},
            "first_query_bytes": _BYTES, "later_query_bytes": _BYTES,
            "search_ms": {"median": 9.0, "p90": 12.0, "max": 20.0, "n": 3}, "ui_ms": None,
            "index": {}, "index_seconds": None,
            "measured": {"date": day, "load_before": 0.5, "load_after": 1.25}}


def test_a_new_run_goes_first_and_earlier_runs_and_other_sections_stay(tmp_path):
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n## Search\n\nold intro\n\n### 10,000 articles\n\nten thousand\n\n"
                    "## Build speed\n\nkept as written\n", encoding="utf-8")
    update_docs(_figures("2026-01-02", 0.5), docs)
    update_docs(_figures("2026-03-04", 1.0), docs)
    text = docs.read_text(encoding="utf-8")
    assert text.count("### 5,000 articles") == 1
    newer, older = text.index("Run of 2026-03-04"), text.index("Run of 2026-01-02")
    assert text.index("### 5,000 articles") < newer < older
    assert "| whole words | 3 | 1.0000 |" in text[newer:older]
    assert "| whole words | 3 | 0.5000 |" in text[older:]
    assert "load average 0.50 before, 1.25 after" in text
    assert "ten thousand" in text and "kept as written" in text and "old intro" not in text


class _PageWithWarmMark:
    """What _own_responses asks of a page: when search.js marked the start
    of its background shard-table download (None: not marked)."""

    def __init__(self, warm_at):
        self.warm_at = warm_at

    def evaluate(self, _script):
        return self.warm_at


def test_a_query_counts_its_own_responses_not_the_background_download_after_it():
    from benchmarks.search_quality import _own_responses

    seen = [(100.0, 10), (150.0, 20), (200.0, 400), (260.0, 300)]  # (request start ms, bytes)
    # the page began warming at 200 ms: the two requests from then on are not the query's
    assert _own_responses(_PageWithWarmMark(200.0), seen, since=0.0) == [10, 20]
    # a later query started at 140 ms: what came before it is the earlier query's
    assert _own_responses(_PageWithWarmMark(200.0), seen, since=140.0) == [20]
    # a query that ended without warming (no results) finds only an earlier query's mark
    assert _own_responses(_PageWithWarmMark(120.0), seen, since=140.0) == [20, 400, 300]
    assert _own_responses(_PageWithWarmMark(None), seen, since=0.0) == [10, 20, 400, 300]
