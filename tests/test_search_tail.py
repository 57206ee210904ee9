"""A daily build rewrites the search index's last segment without reading
its older pages' HTML again: search/write.py keeps them as read, and reads
again any whose document digest no longer matches."""

from __future__ import annotations

import json

import search.segments
from search.write import STATE_FILE
from sitebuild.build import build_site
from tests.helpers import tree_digest

NEW = """Title: 鲅鱼圈区海滨步道夜间照明改造完工 {n}
Date: 2025-0{n}-15
Topic: 城市建设
District: 鲅鱼圈区

本报讯 海滨步道的照明改造第 {n} 段完工，夜跑的市民多了起来。
"""


def _add(content, n: int) -> None:
    path = content / "articles" / "2025" / f"2025-0{n}-15-bu-dao-{n}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NEW.format(n=n), encoding="utf-8")


def _same_as_clean(content, output, tmp_path, name) -> None:
    clean = tmp_path / f"clean-{name}"
    build_site(content, clean, search=True, overrides={"CACHE_PATH": str(tmp_path / f"cache-{name}")})
    assert tree_digest(output / "search") == tree_digest(clean / "search")


def test_the_last_segments_pages_are_kept_as_read_and_checked(content_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(search.segments, "SEGMENT_UNIT", 8)  # 62 demo articles: 32, 24 and a tail of 6
    output = tmp_path / "site"
    build_site(content_copy, output, search=True)
    tail = json.loads((output / STATE_FILE).read_text(encoding="utf-8"))["tail"]
    assert len(tail) == 6

    _add(content_copy, 1)
    result = build_site(content_copy, output, search=True)
    assert result.search["pages_kept"] > 0
    assert result.search["pages_read"] < 7
    _same_as_clean(content_copy, output, tmp_path, "added")

    # a kept page whose text is not what its document's digest says is
    # read from its HTML again: the index must not take the altered text
    state_path = output / STATE_FILE
    state = json.loads(state_path.read_text(encoding="utf-8"))
    altered = sorted(state["tail"])[0]
    state["tail"][altered][2] += "这一句不在页面上"
    state_path.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    _add(content_copy, 2)
    result = build_site(content_copy, output, search=True)
    assert result.search["pages_kept"] > 0
    _same_as_clean(content_copy, output, tmp_path, "altered")
