"""The index writer against the truth, and the browser reader against it.

A few hand-written documents (ids in date order, titles, facets, traditional
and mixed Latin/digit text, near-miss phrases that a plain AND of 3-grams
would wrongly match) are indexed with search.write; the Python
reference reader (search/reader.py) must return exactly the
documents whose text contains each query, and search-engine.js, run in
Chromium on the same files, must return the same ordered ids and counts.
"""

from __future__ import annotations

import gzip
import math

import pytest

import search.grams
import search.postings
import search.segment
import search.write
from search import format as fmt
from search import tokens as st
from search.extract import ArticlePage, order_pages
from search.reader import SearchIndex
from search.write import write_index

PAGES = [
    ArticlePage("2024/05/a/", "营商环境持续优化", "2024年5月1日\n满意率达到95%，覆盖率达到70%。",
                   date="2024-05-01", terms={"topic": ["营商环境"], "district": ["站前区"], "agency": ["营口市政府"]}),
    ArticlePage("2023/03/b/", "港口物流", "集装箱吞吐量增长 营商环境再提升，满意率达到70%。",
                   date="2023-03-02", terms={"topic": ["港口物流", "营商环境"], "district": ["鲅鱼圈区"]}),
    ArticlePage("2023/03/c/", "老照片", "展板写着“營口港百年”，GDP和12345热线。",
                   date="2023-03-02", terms={"topic": ["文化旅游"], "district": ["站前区"]}),
    ArticlePage("2022/01/d/", "5G基站", "新建5G基站258座，CPU和AI企业落户；乡村振兴长效机制；全面振兴",
                   date="2022-01-09", terms={"topic": ["科技创新"], "district": ["老边区"], "agency": ["营口市政府"]}),
    ArticlePage("2021/07/e/", "长效机制", "乡村振兴取得成效，建立长效机制；营商，环境",
                   date="2021-07-30", terms={"topic": ["乡村振兴"], "district": ["老边区"]}),
]

QUERIES = ["营商环境", "营商", "营", "商环", "意率达到7", "率达到7", "满意率达到", "营口港百年", "營口港",
           "gdp", "GDP 12345", "5g基站258座", "258", "乡村振兴长效机制", "振兴长效机制", "长效机制",
           "营商 环境", "商环境再", "不存在的词", "环境 营商 港口", "達到"]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("index") / "search"
    write_index(order_pages(PAGES), out)
    return out


def truth(query: str) -> set[str]:
    parsed = st.parse_query(query)
    return {p.url for p in PAGES if st.matches(parsed, p.searchable)}


def test_ids_are_oldest_first_then_url():
    assert [p.url for p in order_pages(PAGES)] == [
        "2021/07/e/", "2022/01/d/", "2023/03/b/", "2023/03/c/", "2024/05/a/"]


def test_gram_keys_are_exact_and_disjoint():
    assert fmt.gram_key("营") == ord("营")
    assert fmt.gram_key("营商") == fmt.TAG2 | ord("营") << 21 | ord("商")
    keys = {fmt.gram_key(g) for g in ("a", "ab", "abc", "b", "ba", "营商环", "商环", "环")}
    assert len(keys) == 8
    assert fmt.gram_key("营商环") >> 63 == 1 and fmt.gram_key("营商") >> 62 == 1


def test_long_gram_keys_are_hashed_above_every_3gram():
    long_keys = {fmt.gram_key(g) for g in ("营商环境", "商环境持", "营商环境持续优化"[:6], "abcd")}
    assert len(long_keys) == 4
    assert all(k >> 62 == 3 for k in long_keys)
    assert max(fmt.gram_key(chr(0x2FA1F) * 3), fmt.gram_key("营商环")) < min(long_keys)
    with pytest.raises(ValueError):
        fmt.gram_key("营商环境持续优化")  # longer than LONGEST_GRAM


def test_first_cover_tiles_long_runs():
    assert fmt.first_cover(2) == [(0, 2)]
    assert fmt.first_cover(4) == [(0, 3), (1, 4)]
    assert fmt.first_cover(8) == [(0, 3), (3, 6), (5, 8)]


def test_next_cover_grows_extended_spans_and_drops_covered_ones():
    # 营口市人民政府: every 3-gram extended -> the edges grow inwards
    assert fmt.next_cover([(0, 3), (3, 6), (4, 7)], {(0, 3), (3, 6), (4, 7)}, 7) == [(0, 4), (3, 7)]
    # a settled middle span is dropped once the grown edges cover it
    assert fmt.next_cover([(0, 4), (3, 6), (5, 8)], {(0, 4), (5, 8)}, 8) == [(0, 5), (4, 8)]
    # only the first span extended: it grows right; the others stay
    assert fmt.next_cover([(0, 3), (3, 6), (5, 8)], {(0, 3)}, 8) == [(0, 4), (3, 6), (5, 8)]
    # reaching the whole run makes it one lookup
    assert fmt.next_cover([(0, 5), (1, 6)], {(0, 5)}, 6) == [(0, 6)]


@pytest.mark.parametrize("query", QUERIES)
def test_reference_reader_returns_exactly_the_truth(index_dir, query):
    index = SearchIndex(index_dir)
    urls = index.urls()
    assert {urls[i] for i in index.search(query)} == truth(query)


def test_title_matches_rank_first_then_newest(index_dir):
    index = SearchIndex(index_dir)
    urls = index.urls()
    assert [urls[i] for i in index.search("营商环境")] == ["2024/05/a/", "2023/03/b/"]
    assert [urls[i] for i in index.search("长效机制")] == ["2021/07/e/", "2022/01/d/"]
    assert [urls[i] for i in index.search("长效机制", sort="oldest")] == ["2021/07/e/", "2022/01/d/"]
    assert [urls[i] for i in index.search("长效机制", sort="newest")] == ["2022/01/d/", "2021/07/e/"]


def test_filters(index_dir):
    index = SearchIndex(index_dir)
    urls = index.urls()
    assert [urls[i] for i in index.search("营商", {"district": "站前区"})] == ["2024/05/a/"]
    assert [urls[i] for i in index.search("营商", {"year": "2023"})] == ["2023/03/b/"]
    assert index.search("营商", {"agency": "营口市政府", "topic": "港口物流"}) == []


def test_files_are_deterministic_and_few(index_dir, tmp_path):
    write_index(order_pages(PAGES), tmp_path / "again")
    names = sorted(p.relative_to(index_dir).as_posix() for p in index_dir.rglob("*") if p.is_file())
    assert names == ["manifest.json", "seg/0-5.0.bin", "t2s.bin", "t2s.json"]
    for name in names:
        assert (index_dir / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    assert (index_dir / "seg" / "0-5.0.bin").read_bytes()[:4] == fmt.PACK_MAGIC


def _raw_shard_bytes(segment) -> int:
    """Bytes of a segment's shards before gzip (as the reader reads them)."""
    total = 0
    for number in range(1 << segment.bits):
        start, length, _ = (int(v) for v in segment.shard_dir[number])
        if length:
            total += len(segment.member(start, length, fmt.MEMBER_SHARD, number))
    return total


@pytest.mark.parametrize("estimate, target", [
    (0, 32),       # far too few shards estimated: one block regrouped into 2^6
    (4, 16),       # too few: each of the 16 blocks regrouped for more shards
    (5, 22_000),   # far too many for 2.5 KB of postings: all in one shard
])
def test_shard_count_follows_the_postings_with_the_same_answers(tmp_path, monkeypatch,
                                                                estimate, target):
    """The shard count estimated from characters is corrected from the
    postings when it is off, and every gram is still found in the shard the
    readers compute for it."""
    monkeypatch.setattr(search.segment, "shard_bits_for", lambda chars: estimate)
    monkeypatch.setattr(search.postings, "SHARD_TARGET_RAW", target)
    monkeypatch.setattr(search.grams, "BATCH_CHARS", 40)  # one document or two per batch
    out = tmp_path / "search"
    write_index(order_pages(PAGES), out)
    index = SearchIndex(out)
    (segment,) = index.segments
    raw = _raw_shard_bytes(segment)
    assert abs(segment.bits - math.log2(max(1, raw / target))) <= 1.5
    assert abs(segment.bits - estimate) > 1  # corrected
    urls = index.urls()
    for query in QUERIES:
        assert {urls[i] for i in index.search(query)} == truth(query), query


@pytest.mark.parametrize("estimate", [4, 5, 6])
def test_the_shard_count_is_the_postings_whatever_the_estimate(tmp_path, monkeypatch, estimate):
    """The estimate only says how the grams are first grouped: one bit off
    either way, the index is the same."""
    monkeypatch.setattr(search.postings, "SHARD_TARGET_RAW", 64)  # the data asks for 5.3 bits
    monkeypatch.setattr(search.segment, "shard_bits_for", lambda chars: estimate)
    write_index(order_pages(PAGES), tmp_path / "search")
    assert SearchIndex(tmp_path / "search").segments[0].bits == 5
    monkeypatch.setattr(search.segment, "shard_bits_for", lambda chars: 5)
    write_index(order_pages(PAGES), tmp_path / "direct")
    assert {p.name: p.read_bytes() for p in (tmp_path / "search" / "seg").iterdir()} == \
        {p.name: p.read_bytes() for p in (tmp_path / "direct" / "seg").iterdir()}


def test_browser_reader_agrees(js_page, index_dir):
    import shutil

    shutil.copytree(index_dir, js_page.folder / "search", dirs_exist_ok=True)
    index = SearchIndex(index_dir)
    cases = [(q, {}, "relevance") for q in QUERIES] + [
        ("营商", {"district": "站前区"}, "relevance"), ("营商", {"year": "2023"}, "newest"),
        ("长效机制", {}, "oldest"), ("营", {"topic": "营商环境", "agency": "营口市政府"}, "relevance")]
    got = js_page.evaluate("""async (cases) => {
        const { SearchIndex } = await import("./js/search-engine.js");
        const t = await import("./js/search-tokens.js");
        const index = await SearchIndex.open(new URL("./search/", location.href));
        const pairs = await (await fetch("./search/t2s.json")).json();
        t.setT2S(pairs.pairs);
        const out = [];
        for (const [q, filters, sort] of cases) {
            const r = await index.search(t.parseQuery(q), { filters, sort });
            out.push({ ids: Array.from(r.ids), counts: r.counts });
        }
        const docs = [];
        for (let id = 0; id < index.docs; id++) docs.push((await index.doc(id)).u);
        return { out, doc: await index.doc(0), docs };
    }""", cases)
    assert got["docs"] == [index.doc(i)["u"] for i in range(index.docs)] == [p.url for p in order_pages(PAGES)]
    for (query, filters, sort), js in zip(cases, got["out"], strict=True):
        assert js["ids"] == index.search(query, filters, sort), (query, filters, sort)
    assert got["doc"]["u"] == "2021/07/e/" and got["doc"]["t"] == "长效机制"
    # counts: per facet, over results passing the other facets' filters
    first = got["out"][QUERIES.index("营商")]["counts"]
    assert first["district"] == {"站前区": 1, "鲅鱼圈区": 1, "老边区": 1}
    assert first["year"] == {"2024": 1, "2023": 1, "2021": 1}


def assert_exact_in_both_readers(js_page, out, queries):
    """The Python reader on the index in ``out`` gives exactly the truth for
    every query, and search-engine.js in Chromium the same ordered ids."""
    import shutil

    index = SearchIndex(out)
    urls = index.urls()
    for query in queries:
        assert {urls[i] for i in index.search(query)} == truth(query), query
    shutil.copytree(out, js_page.folder / "search", dirs_exist_ok=True)
    got = js_page.evaluate("""async (queries) => {
        const { SearchIndex } = await import("./js/search-engine.js");
        const t = await import("./js/search-tokens.js");
        const index = await SearchIndex.open(new URL("./search/", location.href));
        t.setT2S((await (await fetch("./search/t2s.json")).json()).pairs);
        const out = [];
        for (const q of queries) out.push(Array.from((await index.search(t.parseQuery(q))).ids));
        return out;
    }""", queries)
    for query, ids in zip(queries, got, strict=True):
        assert ids == index.search(query), query


def test_common_3grams_have_their_own_positions_members(js_page, tmp_path, monkeypatch):
    monkeypatch.setattr(fmt, "POS_SPLIT_DOCS", 2)  # 3-grams in 2+ documents split off
    out = tmp_path / "search"
    write_index(order_pages(PAGES), out)
    index = SearchIndex(out)
    assert index.manifest["format"]["posSplit"] == 2
    assert index.positions("营商环") and index.positions("营口港")  # in two documents, in one
    owned = index.segments[0].owned
    assert fmt.gram_key("营商环") in owned and fmt.gram_key("营口港") not in owned
    assert_exact_in_both_readers(js_page, out, QUERIES)


def test_t2s_pieces_make_up_the_map(index_dir):
    import json

    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    pack = (index_dir / manifest["t2sPack"]).read_bytes()
    pairs = {}
    for block, offset, length in manifest["t2sBlocks"]:
        payload = gzip.decompress(pack[offset:offset + length])
        text = fmt.unframe(payload, fmt.MEMBER_T2S, block, 0, "t2s").decode("utf-8")
        chunk = dict(zip(text[::2], text[1::2], strict=True))
        assert all(ord(a) >> 8 == block for a in chunk)
        pairs.update(chunk)
    assert pairs == st.t2s_map()


def _substrings(pages, longest=10):
    """Every substring of 2 to ``longest`` characters of the pages' runs."""
    found = set()
    for page in pages:
        for run in st.runs(page.searchable):
            for i in range(len(run)):
                found.update(run[i:j] for j in range(i + 2, min(len(run), i + longest) + 1))
    return sorted(found)


def test_common_grams_are_extended_and_every_substring_stays_exact(js_page, tmp_path, monkeypatch):
    """A gram found 3 or more times (20,000 in a real build) is extended:
    it keeps no positions and a run containing it is looked up through its
    longer extensions.  Every substring of the texts, and every query,
    still gives exactly the truth in both readers."""
    monkeypatch.setattr(search.postings, "EXTEND_OCCURRENCES", 3)
    out = tmp_path / "search"
    write_index(order_pages(PAGES), out)
    index = SearchIndex(out)
    assert index.extended("长效机") and index.extended("长效机制") and index.extended("率达到")
    assert not index.extended("乡村振") and index.positions("乡村振")
    assert index.positions("长效机") == {}  # extended: no positions anywhere
    assert index.postings("兴长效机制") and index.postings("立长效机制")  # extensions indexed
    (cover,) = index.covers("乡村振兴长效机制")
    assert max(b - a for a, b in cover) > 3
    assert not any(index.extended("乡村振兴长效机制"[a:b]) for a, b in cover)
    assert_exact_in_both_readers(js_page, out, _substrings(PAGES) + QUERIES)


@pytest.mark.parametrize("target_scale", [None, 0.25, 16])
def test_extension_levels_stay_exact_on_generated_news(tmp_path, monkeypatch, target_scale):
    """100 generated articles in many batches, with the threshold low
    enough that extensions chain up to LONGEST_GRAM characters: sampled
    substrings of every length up to 10, and two-word phrases, give exactly
    the truth.  With the grams first grouped for 128 shards they are built
    in 16 blocks of shards, as in a real archive's segments, so a gram
    routed to the wrong block is lost (4-grams and longer were, at 100,000
    articles); then the postings ask for more shards (the first block is
    regrouped, the others are made for them) or for fewer than 16 (all
    blocks are regrouped as one), and the files are those of grams grouped
    for that count from the start."""
    import random

    from yingkou_archive.synthetic import DEFAULT_TAXONOMY, ArticleGenerator
    from yingkou_archive.vocabulary import load_vocabulary

    generator = ArticleGenerator(load_vocabulary(DEFAULT_TAXONOMY), seed=3)
    pages = []
    for i in range(100):
        rel, markdown = generator.article(i)
        head, _, body = markdown.partition("\n\n")
        title = next(line[6:].strip() for line in head.splitlines() if line.startswith("Title:"))
        pages.append(ArticlePage(rel, title, body, date=f"2024-01-{1 + i % 28:02d}"))
    monkeypatch.setattr(search.postings, "EXTEND_OCCURRENCES", 25)
    monkeypatch.setattr(search.grams, "BATCH_CHARS", 10_000)
    if target_scale:
        monkeypatch.setattr(search.postings, "SHARD_TARGET_RAW", search.postings.SHARD_TARGET_RAW * target_scale)
        monkeypatch.setattr(search.segment, "shard_bits_for", lambda chars: 7)
    out = tmp_path / "search"
    write_index(order_pages(pages), out)
    index = SearchIndex(out)
    if target_scale:
        bits = index.segments[0].bits
        assert bits > 7 if target_scale < 1 else bits < 4, bits
        # the same files as when the grams were first grouped for that count
        monkeypatch.setattr(search.segment, "shard_bits_for", lambda chars: bits)
        write_index(order_pages(pages), tmp_path / "direct")
        assert {p.name: p.read_bytes() for p in (out / "seg").iterdir()} == \
            {p.name: p.read_bytes() for p in (tmp_path / "direct" / "seg").iterdir()}
    ordered = order_pages(pages)
    runs = [run for page in pages for run in st.runs(page.searchable) if len(run) >= 2]
    rng = random.Random(5)
    queries = set()
    for _ in range(600):
        run = rng.choice(runs)
        length = rng.randint(2, min(10, len(run)))
        start = rng.randint(0, len(run) - length)
        queries.add(run[start:start + length])
    longest = max((b - a for q in queries for cover in index.covers(q) for a, b in cover), default=0)
    assert longest == fmt.LONGEST_GRAM  # the chains reached the longest grams
    # each query is one run: a page matches when one of its runs contains it
    page_runs = ["\n".join(st.runs(page.searchable)) for page in ordered]
    for query in sorted(queries):
        expected = {i for i, text in enumerate(page_runs) if query in text}
        assert set(index.search(query)) == expected, query


def test_cover_rules_are_the_same_in_javascript(js_page):
    """first_cover/next_cover and firstCover/nextCover on random rounds."""
    import random

    rng = random.Random(11)
    cases = []
    for _ in range(300):
        length = rng.randint(4, 14)
        cover = fmt.first_cover(length)
        for _ in range(rng.randint(0, 4)):  # a few rounds with random flags
            extended = [s for s in cover if s != (0, length) and s[1] - s[0] < fmt.LONGEST_GRAM
                        and rng.random() < 0.6]
            if not extended:
                break
            cases.append((length, cover, extended))
            cover = fmt.next_cover(cover, set(extended), length)
    got = js_page.evaluate("""async (cases) => {
        const e = await import("./js/search-engine.js");
        return cases.map(([length, cover, extended]) => e.nextCover(cover, extended, length));
    }""", [[n, [list(s) for s in c], [list(s) for s in x]] for n, c, x in cases])
    assert len(cases) > 200
    for (length, cover, extended), js in zip(cases, got, strict=True):
        assert [tuple(s) for s in js] == fmt.next_cover(cover, set(extended), length)
    firsts = js_page.evaluate("""async () => {
        const e = await import("./js/search-engine.js");
        return Array.from({ length: 20 }, (_, n) => e.firstCover(n + 1, 3));
    }""")
    assert [[tuple(s) for s in f] for f in firsts] == [fmt.first_cover(n + 1) for n in range(20)]


def test_a_segment_directory_is_read_whole_only_when_small(js_page):
    """A tail segment's 12 KB directory read whole arrived after the few
    entries a first query needs; whole reads are kept for directories
    under 4 KB (a few hundred documents)."""
    asked = js_page.evaluate("""async () => {
        const { Segment } = await import("./js/search-segment.js");
        const rules = { packHead: 16, shardEntry: 12, docEntry: 8, partBits: 25 };
        const read = async (bits, docs) => {
            const lengths = [];
            const files = { range: async (path, version, place, length) => {
                lengths.push(length); return new Uint8Array(length); } };
            const segment = new Segment(files, { name: "s", start: 0, docs, bits, source: "v", tag: 1 }, rules);
            await segment.shardEntry(3);
            await segment.docEntry(5);
            return lengths;
        };
        return { tail: await read(9, 784), small: await read(4, 100) };
    }""")
    assert asked["tail"] == [12, 8]  # 16 + 12 * 512 + 8 * 784 = 12,560 bytes: entry by entry
    assert asked["small"] == [16 + 12 * 16 + 8 * 100]  # 1,008 bytes: once, whole
