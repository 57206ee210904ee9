"""The browser's search (search-tokens.js, search-engine.js) against the
Python rule and reader, exhaustively where the domain is small and on
generated input where it is not.  Runs in Chromium."""

from __future__ import annotations

import json
import random
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

import search.postings
from search import tokens as st
from search.extract import ArticlePage, order_pages
from search.grams import TABLE_SIZE, normalization_table
from search.reader import SearchIndex
from search.write import write_index

# Characters that make the two languages differ if anything does: Han from
# the BMP, Extension A and Extensions B+ (surrogate pairs in JavaScript),
# compatibility ideographs, traditional forms, full-width letters and
# digits, private-use and other characters just above the surrogates
# (U+E000-FFFF sort after surrogates in UTF-16 but before U+10000 in
# code points), punctuation and spaces.
TOKEN_CHARS = list("营商环境口港乡村振兴发展长效机制") + list("營環體發") + \
    ["\u3400", "\u4dbf", "\U00020000", "\U00020bb7", "\U0002a6a5", "\U0002f800", "\uf900",
     "\ufa0f", "\ufa11", "\ufa23"] + list("ＧＤＰ１２gdpAI5")
ALPHABET = TOKEN_CHARS + ["\ue000", "\uff5e", "\ufffd", "\U0001f600"] + list("，。 、\n-")


def test_normalization_of_every_code_point_equals_python(js_page):
    """All 196,608 code points below U+30000 (nothing above is a token)."""
    pairs = json.loads(st.t2s_json())["pairs"]
    got = js_page.evaluate("""async ([pairs, size]) => {
        const t = await import("./js/search-tokens.js");
        t.setT2S(pairs);
        const out = new Array(size);
        for (let c = 0; c < size; c++) {
            const n = t.normalizeChar(String.fromCodePoint(c));
            out[c] = t.isTokenChar(n) ? n.codePointAt(0) : 0;
        }
        return out;
    }""", [pairs, TABLE_SIZE])
    expected = normalization_table()
    differ = np.flatnonzero(np.array(got, dtype=np.uint32) != expected)
    assert not len(differ), [hex(int(c)) for c in differ[:10]]


texts = hs.text(alphabet=hs.sampled_from(ALPHABET), max_size=24)
# several short phrases of one length: their order is where UTF-16 and
# code points disagree
short_phrases = hs.lists(hs.text(alphabet=hs.sampled_from(TOKEN_CHARS), min_size=1, max_size=2),
                         min_size=2, max_size=5).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hs.lists(hs.one_of(texts, short_phrases), min_size=1, max_size=20))
def test_query_parsing_agrees_on_generated_strings(js_page, queries):
    pairs = json.loads(st.t2s_json())["pairs"]
    got = js_page.evaluate("""async ([pairs, queries]) => {
        const t = await import("./js/search-tokens.js");
        t.setT2S(pairs);
        return queries.map((q) => ({ runs: t.runs(q), phrases: t.parseQuery(q) }));
    }""", [pairs, queries])
    for query, js in zip(queries, got, strict=True):
        assert js["runs"] == st.runs(query), query
        assert tuple(js["phrases"]) == st.parse_query(query).phrases, query


def _corpus(seed: int = 5, count: int = 40) -> list[ArticlePage]:
    rng = random.Random(seed)
    common = ["营商环境", "乡村振兴", "\U00020bb7\U0002a6a5", "營環"]
    pages = []
    for i in range(count):
        pieces = [rng.choice(common) if rng.random() < 0.3 else
                  "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8)))
                  for _ in range(rng.randint(2, 8))]
        title = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6)))
        pages.append(ArticlePage(f"2024/{1 + i % 12:02d}/d{i}/", title, "".join(pieces),
                                 date=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                                 terms={"topic": ["营商环境"], "district": ["站前区"]}))
    return order_pages(pages)


@pytest.fixture(scope="module")
def mirrored_index(js_page, tmp_path_factory):
    """An index of generated text with non-BMP characters, its common grams
    extended (as 20,000 occurrences would in a real archive)."""
    pages = _corpus()
    out = tmp_path_factory.mktemp("mirror") / "search"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search.postings, "EXTEND_OCCURRENCES", 4)
        write_index(pages, out)
    shutil.rmtree(js_page.folder / "search", ignore_errors=True)
    shutil.copytree(out, js_page.folder / "search")
    return pages, SearchIndex(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hs.lists(hs.one_of(texts, hs.tuples(hs.integers(0, 39), hs.integers(0, 30), hs.integers(1, 8))),
                min_size=1, max_size=10))
def test_results_agree_on_generated_queries(js_page, mirrored_index, picks):
    pages, index = mirrored_index
    # a query is random text, or a piece of a document (start, length)
    queries = [p if isinstance(p, str) else pages[p[0]].searchable[p[1]:p[1] + p[2]] for p in picks]
    runs_of = ["\x00".join(st.runs(page.searchable)) for page in pages]
    got = js_page.evaluate("""async (queries) => {
        const { SearchIndex } = await import("./js/search-engine.js");
        const t = await import("./js/search-tokens.js");
        const index = await SearchIndex.open(new URL("./search/", location.href));
        t.setT2S((await (await fetch("./search/t2s.json")).json()).pairs);
        const out = [];
        for (const q of queries) {
            const phrases = t.parseQuery(q);
            out.push(phrases.length ? Array.from((await index.search(phrases)).ids) : []);
        }
        return out;
    }""", queries)
    for query, js_ids in zip(queries, got, strict=True):
        phrases = st.parse_query(query).phrases
        truth = {i for i, text in enumerate(runs_of) if phrases and all(p in text for p in phrases)}
        assert set(index.search(query)) == truth, query
        assert js_ids == index.search(query), query
