"""The throttled search benchmark (benchmarks/search_throttled.py) on the
demo archive: both figures come from the page's own marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.search_throttled import measure_throttled
from sitebuild.build import build_site

DEMO_CONTENT = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory):
    output = tmp_path_factory.mktemp("demo") / "output"
    build_site(DEMO_CONTENT, output)
    return output


def test_opened_and_typed_queries_are_timed_from_the_page_marks(demo_output):
    got = measure_throttled(demo_output, ["营口港", "鲅鱼圈", "营商环境", "大连"])
    assert len(got["opened"]) == len(got["opened_first"]) == len(got["typed"]) == 2
    for opened, first in zip(got["opened"], got["opened_first"], strict=True):
        # 150 ms a round trip: the page, its files and the index take several
        assert 450 < first <= opened < 30_000
    assert all(0 < typed < 30_000 for typed in got["typed"])
