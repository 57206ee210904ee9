"""The benchmark text's gram statistics against the demo archive's prose."""

from __future__ import annotations

import pytest

from benchmarks.text_stats import TOLERANCE, compare, gram_stats, sample


def test_gram_stats_count_distinct_grams_within_runs():
    stats = gram_stats(["营口港口", "港口"])
    assert stats.characters == 6
    # 1-grams 营口港; 2-grams 营口 口港 港口; 3-grams 营口港 口港口 (none across runs)
    assert stats.per_thousand == pytest.approx((500.0, 500.0, 1000 / 3))


def test_sample_takes_exactly_the_asked_characters(tmp_path):
    one = tmp_path / "a.md"
    one.write_text("Title: 甲\nDate: 2024-01-01\n\n营口港 2024 年吞吐量[见图](x.png)增长。\n", encoding="utf-8")
    runs = sample([one, one], 12)
    assert sum(map(len, runs)) == 12
    assert runs == ["营口港", "年吞吐量见图增长", "营"]


@pytest.mark.slow
def test_synthetic_prose_is_within_tolerance_of_the_demo_articles():
    prose, synthetic = compare(15_000)
    assert prose.characters == synthetic.characters == 15_000
    for n, real, ours in zip((1, 2, 3), prose.per_thousand, synthetic.per_thousand, strict=True):
        assert abs(ours - real) / real <= TOLERANCE, (n, real, ours)
