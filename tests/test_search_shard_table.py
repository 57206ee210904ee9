"""Shard tables: where each shard of a segment lies, kept compactly beside
the pack's directory, and carried in manifest.json when the index is small
(search/pack.py, search/write.py; docs/search.md, "Shard table")."""

from __future__ import annotations

import base64
import json
import random
import shutil

import numpy as np
import pytest

import search.segments
from search import format as fmt
from search.pack import parse_shard_table, shard_table_body
from search.reader import SearchIndex
from search.write import write_index
from tests.test_search_segments import _five_index, _generated, _js_search_error, _queries


@pytest.fixture
def small_segments(monkeypatch):
    monkeypatch.setattr(search.segments, "SEGMENT_UNIT", 8)


def _random_directory(rng: random.Random, shards: int) -> np.ndarray:
    """A shard directory as PackWriter makes one: shards in number order,
    some empty, some followed by own positions, one part boundary."""
    rows = np.zeros((shards, 3), dtype="<u4")
    at = fmt.PACK_HEAD + fmt.SHARD_ENTRY * shards
    for shard in range(shards):
        if rng.random() < 0.2:
            continue
        if rng.random() < 0.05:
            at = ((at >> fmt.PART_BITS) + 1) << fmt.PART_BITS  # the next part
        size, positions = rng.randint(20, 40_000), rng.choice([0, rng.randint(20, 90_000)])
        rows[shard] = (at, size, positions)
        at += size + positions + rng.choice([0, 0, 0, rng.randint(1, 300_000)])  # own positions
    return rows


def _js_parse(js_page, body: bytes, shards: int):
    return js_page.evaluate("""async ([bytes, shards]) => {
        const { parseShardTable, DamagedIndexError } = await import("./js/search-pack.js");
        try {
            return Array.from(parseShardTable(Uint8Array.from(bytes), shards, "t"));
        } catch (error) {
            return error instanceof DamagedIndexError ? "damaged" : String(error);
        }
    }""", [list(body), shards])


def test_both_readers_parse_generated_shard_tables_to_the_directory(js_page):
    rng = random.Random(3)
    for case in range(40):
        shards = rng.choice([1, 2, 8, 64, 512])
        directory = _random_directory(rng, shards)
        body = shard_table_body(directory)
        assert parse_shard_table(body, shards, "t").tolist() == directory.tolist()
        assert _js_parse(js_page, body, shards) == directory.reshape(-1).tolist(), case


def test_a_cut_or_padded_shard_table_is_damage_for_both_readers(js_page):
    directory = _random_directory(random.Random(5), 64)
    directory[-1] = (directory[:, 0].max() + 10_000, 500, 700)  # the last shard is not empty
    body = shard_table_body(directory)
    for wrong, shards in ((body[:-1], 64), (body[:-3], 64), (body + b"\0", 64), (body, 65), (body, 63)):
        with pytest.raises(fmt.DamagedIndexError, match="分片表"):
            parse_shard_table(wrong, shards, "t")
        assert _js_parse(js_page, wrong, shards) == "damaged"


def _browser_answers(js_page, out, queries):
    """The browser's answers to queries on the index in out, and which shard lookups it used."""
    shutil.copytree(out, js_page.folder / "search", dirs_exist_ok=True)
    try:
        return js_page.evaluate("""async (queries) => {
            const { SearchIndex } = await import("./js/search-engine.js?" + Math.random());
            const t = await import("./js/search-tokens.js");
            const index = await SearchIndex.open(new URL("./search/", location.href));
            const answers = [];
            for (const q of queries) answers.push(Array.from((await index.search(t.parseQuery(q))).ids));
            const directoryRead = index.segments.some((s) => [...s.cache.keys()].some((k) => /^d\\d/.test(k)));
            return { answers, directoryRead, tables: index.segments.every((s) => s.rows),
                     anyTables: index.segments.some((s) => s.rows) };
        }""", queries)
    finally:
        shutil.rmtree(js_page.folder / "search")


def test_a_small_index_carries_its_shard_tables_and_the_browser_reads_no_directory(js_page, tmp_path,
                                                                                 small_segments):
    pages = _generated(150)
    out = tmp_path / "search"
    write_index(pages, out)
    manifest = json.loads((out / fmt.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert len(manifest["segments"]) == 3
    assert all(spec.get("shardTableBody") for spec in manifest["segments"])
    index = SearchIndex(out)  # checks each table against its directory and its manifest copy
    for segment in index.segments:
        assert segment.shard_table.tolist() == segment.shard_dir.tolist()
    queries = _queries(pages, 30)
    got = _browser_answers(js_page, out, queries)
    assert got["tables"] and not got["directoryRead"]
    assert got["answers"] == [list(index.search(q)) for q in queries]


def test_past_the_budget_the_manifest_has_no_tables_and_lookups_use_the_directory(js_page, tmp_path,
                                                                                 small_segments, monkeypatch):
    monkeypatch.setattr(fmt, "SHARD_TABLES_INLINE", 100)  # less than these three tables
    pages = _generated(150)
    out = tmp_path / "search"
    write_index(pages, out)
    manifest = json.loads((out / fmt.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sum(spec["shardTable"][1] for spec in manifest["segments"]) > 100
    assert not any("shardTableBody" in spec for spec in manifest["segments"])
    index = SearchIndex(out)
    queries = _queries(pages, 20)
    got = _browser_answers(js_page, out, queries)
    assert not got["anyTables"] and got["directoryRead"]
    assert got["answers"] == [list(index.search(q)) for q in queries]


def test_a_manifest_table_that_disagrees_with_the_pack_is_reported(js_page, tmp_path):
    out = tmp_path / "search"
    manifest_path, manifest = _five_index(out)
    spec = manifest["segments"][0]
    wrong = SearchIndex(out).segments[0].shard_dir.copy()
    full = wrong[:, 1] > 0
    wrong[full, 0] += 1  # every shard a byte later: still in order, each range off its member
    spec["shardTableBody"] = base64.b64encode(shard_table_body(wrong)).decode("ascii")
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(fmt.DamagedIndexError, match="manifest.json 中的分片表"):
        SearchIndex(out)
    assert _js_search_error(js_page, out, "营商环境").startswith("damaged")


def test_past_the_budget_warm_fetches_the_tables_and_later_lookups_read_no_directory(js_page, tmp_path,
                                                                                   small_segments, monkeypatch):
    monkeypatch.setattr(fmt, "SHARD_TABLES_INLINE", 100)
    pages = _generated(150)
    out = tmp_path / "search"
    write_index(pages, out)
    index = SearchIndex(out)
    queries = _queries(pages, 20)
    shutil.copytree(out, js_page.folder / "search", dirs_exist_ok=True)
    try:
        got = js_page.evaluate("""async (queries) => {
            const { SearchIndex } = await import("./js/search-engine.js?" + Math.random());
            const t = await import("./js/search-tokens.js");
            const index = await SearchIndex.open(new URL("./search/", location.href));
            // stopped at once (a search starting): nothing comes, and the next warm() fetches it all
            index.warm();
            index.pause();
            await new Promise((resolve) => setTimeout(resolve, 100));
            const afterPause = index.segments.filter((s) => s.rows).length;
            await index.warm();
            const tables = index.segments.every((s) => s.rows);
            const answers = [];
            for (const q of queries) answers.push(Array.from((await index.search(t.parseQuery(q))).ids));
            const directoryRead = index.segments.some((s) => [...s.cache.keys()].some((k) => /^d\\d/.test(k)));
            return { afterPause, tables, answers, directoryRead };
        }""", queries)
    finally:
        shutil.rmtree(js_page.folder / "search")
    assert got["afterPause"] == 0
    assert got["tables"] and not got["directoryRead"]
    assert got["answers"] == [list(index.search(q)) for q in queries]
