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
    # two runs; a run found as several grams in every segment it is in
    runs4 = sorted({run[a:a + 4] for p in pages for run in st.runs(p.searchable) for a in range(len(run) - 3)})
    several = next(g for g in runs4 if index.search(g) and all(len(c) > 1 for c in index.covers(g) if c))
    others = [f"{broad[0]} {broad[1]}", several]
    cases = [(q, {}) for q in [*broad, mixed, rare, *others]] + [
        (broad[1], {"agency": "市公安局"}), (broad[2], {"topic": "文化旅游", "year": "2022"})]
    shutil.copytree(out, js_page.folder / "search", dirs_exist_ok=True)
    got, asked = js_page.evaluate("""async (cases) => {
        const { SearchIndex } = await import("./js/search-engine.js");
        const t = await import("./js/search-tokens.js");
        const base = new URL("./search/", location.href);
        t.setT2S((await (await fetch("./search/t2s.json")).json()).pairs);
        const out = [];
        const asked = [];
        for (const [q, filters] of cases) {
            const fresh = await SearchIndex.open(base);  // nothing fetched yet
                        const r = await fresh.search(t.parseQuery(q), { filters });
            out.push({ ids: Array.from(r.ids), counts: r.counts });
            // per segment, whether it holds any document's facet values
            // (a chunk, or the member of all documents)
            asked.push(fresh.segments.map((segment) => [...segment.cache.keys()]
                .some((k) => /^f[0-9]+$/.test(k) || k === "fall")));
        }
        return [out, asked];
    }""", cases)
    shutil.rmtree(js_page.folder / "search")

    def values_asked(held: list[bool]) -> set[str]:
        """The segments holding some of their documents' facet values."""
        return {spec["name"] for spec, has in zip(specs, held, strict=True) if has}

    for (query, filters), js, urls in zip(cases, got, asked, strict=True):
        assert js["ids"] == index.search(query, filters), (query, filters)
        assert js["counts"] == _counts(index, query, filters), (query, filters)
        assert js["counts"]["district"], query  # something was counted
        frequencies = _document_frequencies(index, query)
        if query in broad and not filters:
            assert values_asked(urls) == set(), query
        elif query == mixed:
            assert values_asked(urls) == {s["name"] for s, n in zip(specs, frequencies, strict=True)
                                          if 0 < n < SPLIT}, query
        else:  # two runs, several grams, a filter, a rare word: the values, where it matched
            assert values_asked(urls), (query, filters)


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
