"""A common gram's facet counts (format 11, search/format.py FACET_COUNT_DOCS).

A gram in many of a segment's documents carries the counts of their facet
values at the end of its shard.  A query that is that one gram and has no
filter must count from there, give exactly what counting its documents'
values gives, and fetch none of those values; every other query (two
words, a phrase of several grams, a filter) counts from the values as
before.  The Python reader refuses an index whose counts do not match.
"""

from __future__ import annotations

import random
import shutil

import pytest

import search.segments
from search import format as fmt
from search import segment
from search import tokens as st
from search.reader import SearchIndex
from search.write import write_index
from tests.test_search_segments import _counts, _generated

SPLIT = 24


@pytest.fixture()
def counted(monkeypatch):
    """Segments of 256 and 44 documents, facet chunks of 16, counts for
    grams in SPLIT or more documents of a segment."""
    monkeypatch.setattr(search.segments, "SEGMENT_UNIT", 64)
    monkeypatch.setattr(fmt, "FACET_CHUNK_DOCS", 16)
    monkeypatch.setattr(fmt, "FACET_COUNT_DOCS", SPLIT)


def _pages():
    rng = random.Random(5)
    pages = _generated(300, seed=9)
    for page in pages:  # several values, none, and values only some segments have
        page.terms["agency"] = rng.sample(["市公安局", "市交通运输局", "市教育局", "市卫生健康委"], rng.randint(0, 2))
        if rng.random() < 0.25:
            page.terms["topic"] = [*page.terms["topic"], "文化旅游" if rng.random() < 0.5 else "港口物流"]
            page.terms["topic"] = sorted(set(page.terms["topic"]))
    return pages


def _document_frequencies(index: SearchIndex, gram: str) -> list[int]:
    """In how many of each segment's documents the gram is."""
    return [len(s.entry(gram)[0]) for s in index.segments]


def _every_shard(index: SearchIndex) -> int:
    """Reads every shard of every segment (the reader checks each gram's
    counts as it reads it); how many grams have counts."""
    total = 0
    for seg in index.segments:
        for shard in range(1 << seg.bits):
            total += sum(len(values) >= SPLIT for values, _, _ in seg._shard(shard).values())
    return total


def _expected_values(index: SearchIndex, query: str, filters: dict) -> list[tuple[str, set[int]]]:
    """Per segment, whose facet values counting the query should fetch:
    ("none", {}), ("excluded", the documents of its gram with counts and
    the fewest documents that are not matches) or ("matches", the
    matches), local ids (search-engine.js unfilteredValues, Segment.countsOf)."""
    phrases = st.parse_query(query).phrases
    found = index.search(query)  # a filter is applied to these, from their values
    out = []
    for seg in index.segments:
        matches = {d - seg.start for d in found if seg.start <= d < seg.start + seg.docs}
        if not matches:
            out.append(("none", set()))
            continue
        grams = [phrase[a:b] for phrase in phrases for a, b in seg.cover(phrase)]
        documents = [{v >> fmt.POSTING_FLAG_BITS for v in seg.entry(g)[0]} for g in grams]
        documents = [d for d in documents if len(d) >= SPLIT]
        best = min(documents, key=len, default=None)
        if filters or best is None or len(best) - len(matches) >= len(matches):
            out.append(("matches", matches))
        else:
            excluded = best - matches
            out.append(("excluded", excluded) if excluded else ("none", set()))
    return out


def test_a_common_grams_counts_equal_its_documents_values_and_need_none_of_them(js_page, tmp_path, counted):
    pages = _pages()
    out = tmp_path / "search"
    write_index(pages, out)
    index = SearchIndex(out)
    specs = index.manifest["segments"]
    assert [s["docs"] for s in specs] == [256, 44]
    assert index.manifest["format"]["countSplit"] == SPLIT
    assert _every_shard(index) > 100  # many grams carry counts, and every one is right
    # one-gram queries in SPLIT or more documents of every segment, of 1, 2
    # and 3 characters (the reader looks a 3-character run up as one gram)
    runs = sorted({run[a:a + n] for p in pages for run in st.runs(p.searchable)
                   for n in (1, 2, 3) for a in range(len(run) - n + 1)})
    common = [g for g in runs if min(_document_frequencies(index, g)) >= SPLIT]
    broad = [next(g for g in common if len(g) == n) for n in (1, 2, 3)]
    # in SPLIT or more documents of one segment only: the other counts from its values
    mixed = next(g for g in runs if len(g) == 2 and max(_document_frequencies(index, g)) >= SPLIT
                 and 0 < min(_document_frequencies(index, g)) < SPLIT)
    rare = next(g for g in runs if len(g) == 2 and 0 < max(_document_frequencies(index, g)) < SPLIT)
    # runs found as several grams; two runs
    runs4 = sorted({run[a:a + 4] for p in pages for run in st.runs(p.searchable) for a in range(len(run) - 3)})
    several = [g for g in runs4 if index.search(g) and all(len(c) > 1 for c in index.covers(g) if c)]
    pairs = [f"{a} {b}" for a in common[:30] for b in common[:30] if a < b and index.search(f"{a} {b}")]
    modes = {q: [mode for mode, _ in _expected_values(index, q, {})] for q in several + pairs}
    # a gram's counts less a few documents' values; and the matches' own values
    def fewest_excluded(q):
        return min(len(docs) for mode, docs in _expected_values(index, q, {}) if mode == "excluded")

    nearly = min((q for q in several + pairs if "excluded" in modes[q]), key=fewest_excluded)
    plain = next(q for q in several if "matches" in modes[q])
    cases = [(q, {}) for q in [*broad, mixed, rare, nearly, plain, f"{broad[0]} {broad[1]}", f"{broad[2]} {rare}"]]
    cases += [(broad[1], {"agency": "市公安局"}), (broad[2], {"topic": "文化旅游", "year": "2022"})]
    shutil.copytree(out, js_page.folder / "search", dirs_exist_ok=True)
    got, held = js_page.evaluate("""async (cases) => {
        const { SearchIndex } = await import("./js/search-engine.js");
        const t = await import("./js/search-tokens.js");
        const base = new URL("./search/", location.href);
        t.setT2S((await (await fetch("./search/t2s.json")).json()).pairs);
        const out = [];
        const held = [];
        for (const [q, filters] of cases) {
            const fresh = await SearchIndex.open(base);  // nothing fetched yet
            // the facet names first, so that no range of values starts at them
            await Promise.all(fresh.segments.map((segment) => segment.facetNames()));
            const r = await fresh.search(t.parseQuery(q), { filters });
            out.push({ ids: Array.from(r.ids), counts: r.counts });
            // per segment, the documents' facet values it holds: chunk
            // numbers, or "all" for the member of all documents
            held.push(fresh.segments.map((segment) => [...segment.cache.keys()]
                .filter((k) => /^f[0-9]+$/.test(k) || k === "fall").map((k) => k === "fall" ? "all" : Number(k.slice(1)))));
        }
        return [out, held];
    }""", cases)
    shutil.rmtree(js_page.folder / "search")
    seen = set()
    for (query, filters), js, chunks in zip(cases, got, held, strict=True):
        assert js["ids"] == index.search(query, filters), (query, filters)
        assert js["counts"] == _counts(index, query, filters), (query, filters)
        assert js["counts"]["district"], query  # something was counted
        for (mode, docs), taken in zip(_expected_values(index, query, filters), chunks, strict=True):
            seen.add(mode)
            if mode == "none":
                assert taken == [], (query, filters)
                continue
            # those documents' chunks (a range takes the ones in between), or
            # the member of all documents when their chunks would cost as much
            wanted = {d // 16 for d in docs}
            assert taken and (set(taken) <= set(range(min(wanted), max(wanted) + 1))
                              or taken == ["all"]), (query, filters, mode)
    assert seen == {"none", "excluded", "matches"}
    # the query whose gram has the fewest documents beyond its matches: only
    # their chunks, not the matches' (which lie outside them)
    at = cases.index((nearly, {}))
    for k, (mode, docs) in enumerate(_expected_values(index, nearly, {})):
        if mode == "excluded" and len(docs) == fewest_excluded(nearly):
            span = set(range(min(docs) // 16, max(docs) // 16 + 1))
            matches = {d - specs[k]["start"] for d in index.search(nearly)
                       if specs[k]["start"] <= d < specs[k]["start"] + specs[k]["docs"]}
            assert held[at][k] != ["all"] and set(held[at][k]) <= span, nearly
            assert not {d // 16 for d in matches} <= span, nearly


def test_counts_that_do_not_match_the_documents_are_refused(tmp_path, counted, monkeypatch):
    pages = _pages()
    made = segment.gram_counts_bodies

    def one_too_many(rows):
        rows = [row.copy() for row in rows]
        rows[1][0] += 1
        return made(rows)

    monkeypatch.setattr(segment, "gram_counts_bodies", one_too_many)
    write_index(pages, tmp_path / "wrong")
    with pytest.raises(fmt.DamagedIndexError, match="分面计数与文章的分面值不符"):
        _every_shard(SearchIndex(tmp_path / "wrong"))

    monkeypatch.setattr(segment, "gram_counts_bodies", made)
    listed = segment.counts_section
    monkeypatch.setattr(segment, "counts_section", lambda counted_, bodies: listed(counted_[1:], bodies[1:]))
    write_index(pages, tmp_path / "unlisted")
    with pytest.raises(fmt.DamagedIndexError, match="分面计数与出现在 24 篇以上文章中的字串不符"):
        _every_shard(SearchIndex(tmp_path / "unlisted"))
