"""Import work grows linearly with page size (counted, not timed).

The figures in seconds are in docs/importing.md (``python -m
yingkou_archive.digest.bench``); here the number of function calls of a
dry-run import is counted for pages of 100, 200 and 400 KB: the extra
200 KB of the largest page must cost about twice the extra 100 KB of the
middle one (linear work), not four times (quadratic).
"""

from __future__ import annotations

import cProfile
import pstats

from tests.digest_support import make_content
from yingkou_archive.digest.bench import generate_page
from yingkou_archive.digest.importer import ImportOptions, import_paths


def calls_to_import(tmp_path, size: int) -> tuple[int, int]:
    (tmp_path / f"c{size}").mkdir()
    content = make_content(tmp_path / f"c{size}")
    page = tmp_path / f"big-{size}-2024-07-20.txt"
    page.write_text(generate_page(size), encoding="utf-8")
    profile = cProfile.Profile()
    profile.enable()
    report = import_paths([page], ImportOptions(content_dir=content, dry_run=True))
    profile.disable()
    return pstats.Stats(profile).total_calls, len(report.written)


def test_twice_the_page_is_twice_the_work(tmp_path):
    calls_to_import(tmp_path, 20_000)      # one-off costs (lazy imports, dictionaries) first
    (c1, s1), (c2, s2), (c4, s4) = (calls_to_import(tmp_path, n) for n in (100_000, 200_000, 400_000))
    assert s1 > 40 and 1.8 <= s2 / s1 <= 2.2 and 1.8 <= s4 / s2 <= 2.2
    # fixed costs (vocabulary, matchers) cancel out in the differences
    assert 1.6 <= (c4 - c2) / (c2 - c1) <= 2.5, (c1, c2, c4)


def test_the_generated_page_imports_cleanly(tmp_path):
    content = make_content(tmp_path)
    page = tmp_path / "big-2024-07-20.txt"
    page.write_text(generate_page(60_000), encoding="utf-8")
    report = import_paths([page], ImportOptions(content_dir=content, dry_run=True))
    assert report.ok and report.failed == [] and len(report.written) > 20
    tables = sum(b.kind == "table" for o in report.outcomes for b in o.story.blocks)
    jumps = sum(bool(o.story.continued_to) for o in report.outcomes)
    assert tables > 0 and jumps > 0
