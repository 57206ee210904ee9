"""Segments: the index as a few self-contained ranges of documents.

With a small segment unit, 150 generated articles make three segments;
both readers must still give exactly the truth, a daily addition must
rewrite only the last segment and equal a clean build, an edit must
rewrite only its own segment, damaged or misplaced bytes must be reported,
not answered, and a host that ignores Range must still get right answers.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import struct
from pathlib import Path

import pytest

import search.segments
from search import format as fmt
from search import tokens as st
from search.extract import ArticlePage, order_pages
from search.reader import SearchIndex
from search.write import write_index
from tests.browser import serve


def _generated(count: int, seed: int = 7) -> list[ArticlePage]:
    from yingkou_archive.synthetic import DEFAULT_TAXONOMY, ArticleGenerator
    from yingkou_archive.vocabulary import load_vocabulary

    generator = ArticleGenerator(load_vocabulary(DEFAULT_TAXONOMY), seed=seed)
    rng = random.Random(seed)
    topics, districts = ["营商环境", "港口物流", "乡村振兴", "文化旅游"], ["站前区", "西市区", "老边区"]
    pages = []
    for i in range(count):
        rel, markdown = generator.article(i)
        head, _, body = markdown.partition("\n\n")
        title = next(line[6:].strip() for line in head.splitlines() if line.startswith("Title:"))
        pages.append(ArticlePage(rel, title, body[:400], date=f"20{20 + i % 5}-0{1 + i % 9}-1{i % 10}",
                                 terms={"topic": [rng.choice(topics)], "district": [rng.choice(districts)]}))
    return pages


@pytest.fixture()
def small_segments(monkeypatch):
    monkeypatch.setattr(search.segments, "SEGMENT_UNIT", 8)


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _queries(pages: list[ArticlePage], count: int = 60) -> list[str]:
    rng = random.Random(3)
    runs = [run for page in pages for run in st.runs(page.searchable) if len(run) >= 2]
    queries = set()
    while len(queries) < count:
        run = rng.choice(runs)
        length = rng.randint(1, min(7, len(run)))
        start = rng.randint(0, len(run) - length)
        queries.add(run[start:start + length])
    return sorted(queries) + ["营口 港口", "不存在的词组"]


def test_segments_follow_the_document_count_only():
    assert search.segments.segment_ranges(0) == []
    assert search.segments.segment_ranges(1000) == [(0, 1000)]
    assert search.segments.segment_ranges(50_000) == [
        (0, 16_384), (16_384, 32_768), (32_768, 49_152), (49_152, 50_000)]
    assert search.segments.segment_ranges(100_000) == [
        *((i, i + 16_384) for i in range(0, 98_304, 16_384)), (98_304, 99_328), (99_328, 100_000)]
    largest = 16_384
    for n in range(0, 300_000, 997):
        ranges = search.segments.segment_ranges(n)
        assert [a for a, _ in ranges[1:]] == [b for _, b in ranges[:-1]]
        assert (ranges[-1][1] if ranges else 0) == n
        assert max((b - a for a, b in ranges), default=0) <= largest  # bounds the build's memory
        # full segments of the largest size, then one per base-4 digit of the rest's units, and the tail
        assert len(ranges) <= n // largest + 3
        # a full segment of the largest size is never cut again as the archive grows
        later = search.segments.segment_ranges(n + 5_000)
        assert all(r in later for r in ranges if r[1] - r[0] == largest)


def test_many_segments_are_exact_in_both_readers(js_page, tmp_path, small_segments):
    pages = _generated(150)
    out = tmp_path / "search"
    stats = write_index(pages, out)
    assert stats["segments"] == 3  # 128 + 16 documents in full units of 8, and a tail of 6
    index = SearchIndex(out)
    ordered = order_pages(pages)
    assert [index.doc(i)["u"] for i in range(len(ordered))] == [p.url for p in ordered]
    queries = _queries(pages)
    runs_of = ["\x00".join(st.runs(p.searchable)) for p in ordered]
    for query in queries:
        phrases = st.parse_query(query).phrases
        assert set(index.search(query)) == {i for i, text in enumerate(runs_of)
                                            if all(p in text for p in phrases)}, query
    cases = [(q, {}, "relevance") for q in queries] + [
        (q, {"district": "站前区"}, "newest") for q in queries[:10]] + [
        (q, {"topic": "港口物流", "year": "2022"}, "oldest") for q in queries[:10]]
    shutil.copytree(out, js_page.folder / "search", dirs_exist_ok=True)
    got = js_page.evaluate("""async (cases) => {
        const { SearchIndex } = await import("./js/search-engine.js");
        const t = await import("./js/search-tokens.js");
        const index = await SearchIndex.open(new URL("./search/", location.href));
        t.setT2S((await (await fetch("./search/t2s.json")).json()).pairs);
        const out = [];
        for (const [q, filters, sort] of cases) {
            const r = await index.search(t.parseQuery(q), { filters, sort });
            out.push({ ids: Array.from(r.ids), counts: r.counts });
        }
        return out;
    }""", cases)
    for (query, filters, sort), js in zip(cases, got, strict=True):
        ids = index.search(query, filters, sort)
        assert js["ids"] == ids, (query, filters, sort)
    # counts per facet over the results passing the other facets' filters
    query = queries[0]
    matched = index.search(query)
    assert sum(got[0]["counts"]["district"].values()) == sum(len(index.values_of(d, "district")) for d in matched)
    shutil.rmtree(js_page.folder / "search")


def test_a_day_of_new_articles_rewrites_only_the_last_segment(tmp_path, small_segments):
    pages = _generated(145)  # 128 + 16 in full units, a tail of 1
    out = tmp_path / "search"
    write_index(pages, out)
    before = _files(out)
    newer = [ArticlePage(f"2030/01/new-{i}/", f"新文章{i}", "营口港新航线开通，集装箱吞吐量增长。", date="2030-01-02",
                         terms={"topic": ["港口物流"]}) for i in range(3)]
    stats = write_index(pages + newer, out)
    assert stats["segments_written"] == 1
    after = _files(out)
    assert {n for n in after if before.get(n) != after[n]} == {"manifest.json", "seg/144-148.0.bin"}
    assert "seg/144-145.0.bin" not in after  # the old tail is gone
    clean = tmp_path / "clean"
    write_index(pages + newer, clean)
    assert _files(clean) == after


def test_an_edit_rewrites_only_its_own_segment(tmp_path, small_segments):
    pages = _generated(150)
    out = tmp_path / "search"
    write_index(pages, out)
    before = _files(out)
    oldest = order_pages(pages)[3]
    edited = [ArticlePage(p.url, p.title, p.text + "更正：补充说明。", date=p.date, terms=p.terms)
              if p is oldest else p for p in pages]
    write_index(edited, out)
    after = _files(out)
    assert {n for n in after if before.get(n) != after[n]} == {"manifest.json", "seg/0-128.0.bin"}
    assert SearchIndex(out).search("更正：补充说明") == [3]


def _doc_member(out: Path, local: int) -> tuple[Path, int, int]:
    """(part file, offset, bytes) of a document's member in segment 0-5."""
    part = out / fmt.part_name("0-5", 0)
    raw = part.read_bytes()
    shards = struct.unpack_from("<I", raw, 4)[0]
    offset, size = struct.unpack_from("<II", raw, fmt.PACK_HEAD + fmt.SHARD_ENTRY * shards + fmt.DOC_ENTRY * local)
    return part, offset, size


def _five() -> list[ArticlePage]:
    from tests.test_search_index import PAGES

    return PAGES


def _five_index(out: Path) -> tuple[Path, dict]:
    """An index of the five pages written into ``out``: its manifest's
    path and contents (a test changes them and writes them back)."""
    write_index(_five(), out)
    manifest_path = out / fmt.MANIFEST_NAME
    return manifest_path, json.loads(manifest_path.read_text(encoding="utf-8"))


def _js_search_error(js_page, out: Path, query: str) -> str:
    target = js_page.folder / "search"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(out, target)
    return js_page.evaluate("""async (query) => {
        const e = await import("./js/search-engine.js?" + Math.random());
        const t = await import("./js/search-tokens.js");
        try {
            const index = await e.SearchIndex.open(new URL("./search/", location.href));
            const r = await index.search(t.parseQuery(query));
            for (const id of r.ids) await index.doc(id);
            return "ok";
        } catch (error) {
            return error instanceof e.DamagedIndexError ? "damaged: " + error.message : String(error);
        }
    }""", query)


def test_changed_bytes_under_a_valid_gzip_are_reported(js_page, tmp_path):
    out = tmp_path / "search"
    write_index(_five(), out)
    part, offset, size = _doc_member(out, 4)  # the newest: the first result of 营商环境
    raw = bytearray(part.read_bytes())
    payload = bytearray(gzip.decompress(bytes(raw[offset:offset + size])))
    payload[-3] ^= 0x01  # the document's text, changed; still valid gzip
    repacked = fmt.gzip_bytes(bytes(payload))
    assert len(repacked) == size
    raw[offset:offset + size] = repacked
    part.write_bytes(bytes(raw))
    with pytest.raises(fmt.DamagedIndexError, match="校验和"):
        SearchIndex(out).doc(4)
    assert _js_search_error(js_page, out, "营商环境").startswith("damaged")


def test_another_builds_segment_under_its_name_is_reported(js_page, tmp_path):
    out, other = tmp_path / "search", tmp_path / "other"
    write_index(_five(), out)
    changed = [ArticlePage(p.url, p.title + "（修订）", p.text, date=p.date, terms=p.terms) for p in _five()]
    write_index(changed, other)
    shutil.copy(other / fmt.part_name("0-5", 0), out / fmt.part_name("0-5", 0))
    with pytest.raises(fmt.DamagedIndexError, match="文件头与 manifest.json 不符"):
        SearchIndex(out)
    assert _js_search_error(js_page, out, "营商环境").startswith("damaged")


def test_every_document_is_read_through_its_segments_document_table(js_page, tmp_path, small_segments):
    pages = _generated(150)
    out = tmp_path / "search"
    write_index(pages, out)
    manifest = json.loads((out / fmt.MANIFEST_NAME).read_text(encoding="utf-8"))
    index = SearchIndex(out)  # checks each table against its directory
    assert len(index.segments) == len(manifest["segments"]) == 3
    for segment in index.segments:
        assert segment.doc_table.tolist() == segment.doc_dir.tolist()
    big = max(manifest["segments"], key=lambda spec: spec["docs"])  # 128 documents
    assert big["docTable"][1] < fmt.DOC_ENTRY * big["docs"] / 2  # far smaller than the directory it repeats
    shutil.copytree(out, js_page.folder / "search", dirs_exist_ok=True)
    got = js_page.evaluate("""async (docs) => {
        const { SearchIndex } = await import("./js/search-engine.js?" + Math.random());
        const index = await SearchIndex.open(new URL("./search/", location.href));
        await index.matches(["营口"]);  // asks for the tables, as a first search does
        const out = [];
        for (let id = 0; id < docs; id++) out.push((await index.doc(id)).u);
        const viaTables = index.docTables && index.segments.every((s) => s.cache.has("docTable"))
          && !index.segments.some((s) => [...s.cache.keys()].some((k) => k.startsWith("e")));
        return { urls: out, viaTables };
    }""", index.docs)
    shutil.rmtree(js_page.folder / "search")
    assert got["viaTables"]
    assert got["urls"] == [index.doc(i)["u"] for i in range(index.docs)]


def test_a_document_table_that_disagrees_with_the_directory_is_reported(js_page, tmp_path):
    from search.pack import doc_table_body

    out = tmp_path / "search"
    manifest_path, manifest = _five_index(out)
    spec = manifest["segments"][0]
    index = SearchIndex(out)
    wrong = index.segments[0].doc_dir.copy()
    wrong[[3, 4]] = wrong[[4, 3]]  # two documents' places swapped: each range is another's member
    wrong[:, 0] = [int(wrong[0, 0])] + list(wrong[:-1, 0] + wrong[:-1, 1])  # laid end to end again
    member = fmt.gzip_bytes(fmt.frame(fmt.MEMBER_DOC_TABLE, 0, spec["tag"], doc_table_body(wrong)))
    part = out / fmt.part_name(spec["name"], spec["parts"] - 1)
    offset = (spec["parts"] - 1) << fmt.PART_BITS | part.stat().st_size
    part.write_bytes(part.read_bytes() + member)  # a well-formed table, in the right place, saying wrong things
    spec["docTable"] = [offset, len(member)]
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(fmt.DamagedIndexError, match="文档表与文件头的文档目录不符"):
        SearchIndex(out)
    assert _js_search_error(js_page, out, "营商环境").startswith("damaged")


def test_a_host_without_ranges_still_gets_the_right_answers(js_page, tmp_path, small_segments):
    pages = _generated(60)
    site = tmp_path / "site"
    write_index(pages, site / "search")
    (site / "index.html").write_text("<!doctype html><meta charset=utf-8><title>t</title>", encoding="utf-8")
    shutil.copytree(Path(__file__).resolve().parent.parent / "theme" / "static" / "js", site / "js")
    index = SearchIndex(site / "search")
    queries = _queries(pages, 15)
    answers = {}
    for ranges in (True, False):
        server = serve(site, ranges=ranges)
        try:
            context = js_page.context.browser.new_context()  # its own cache
            page = context.new_page()
            statuses = []
            page.on("response", lambda r, statuses=statuses: statuses.append(r.status) if "/seg/" in r.url else None)
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            answers[ranges] = page.evaluate("""async (queries) => {
                const { SearchIndex } = await import("./js/search-engine.js");
                const t = await import("./js/search-tokens.js");
                const index = await SearchIndex.open(new URL("./search/", location.href));
                const out = [];
                for (const q of queries) out.push(Array.from((await index.search(t.parseQuery(q))).ids));
                return out;
            }""", queries)
            # without ranges the host sends whole files (Chromium's cache may then answer
            # a later range of one itself, 206)
            assert set(statuses) == {206} if ranges else 200 in statuses
            context.close()
        finally:
            server.shutdown()
            server.server_close()
    assert answers[True] == answers[False] == [index.search(q) for q in queries]
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["segments"]) > 1


def test_a_shard_written_twice_is_refused():
    """The second write of a shard would replace its directory entry and
    hide the first write's grams from every reader (how 4+-character grams
    routed to the wrong block were lost): the pack refuses it."""
    from search.format import gzip_bytes
    from search.pack import PackWriter

    pack = PackWriter(4, 1, 7)
    pack.shard(2, gzip_bytes(b"first"), gzip_bytes(b""), b"")
    pack.shard(3, gzip_bytes(b"other"), gzip_bytes(b""), b"")
    with pytest.raises(ValueError, match="shard 2 written twice"):
        pack.shard(2, gzip_bytes(b"again"), gzip_bytes(b""), b"")


def _counts(index: SearchIndex, query: str, filters: dict[str, str]) -> dict[str, dict[str, int]]:
    """Per facet, the values of the results passing the other facets' filters."""
    out = {}
    for facet in ("topic", "district", "agency", "year"):
        others = {k: v for k, v in filters.items() if k != facet}
        counted: dict[str, int] = {}
        for doc in index.search(query, others):
            for value in index.values_of(doc, facet):
                counted[value] = counted.get(value, 0) + 1
        out[facet] = counted
    return out


def _facet_ranges(spec: dict, chunks: set[int], gap: int) -> list[tuple[int, int]]:
    """[start, end) of the ranges a first query's counts should ask for in a
    segment: the names and the chunks ``chunks``, or the member of all its
    documents instead when the ranges of those chunks come to as many bytes
    or more; joined where at most ``gap`` bytes apart."""
    at, names, sizes, whole = spec["facetData"]
    starts = [at + names + sum(sizes[:k]) for k in range(len(sizes) + 1)]
    wanted = _joined([(starts[k], starts[k + 1]) for k in sorted(chunks)], gap)
    if whole and sum(end - start for start, end in wanted) >= whole:
        members = [(at - whole, at), (at, at + names)]
    else:
        members = [(at, at + names)] + [(starts[k], starts[k + 1]) for k in sorted(chunks)]
    return _joined(members, gap)


def _joined(members: list[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    """Ranges [start, end) taking in these members (ascending), joined
    where at most ``gap`` bytes apart."""
    ranges = [members[0]]
    for start, end in members[1:]:
        if start - ranges[-1][1] <= gap:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return ranges


def test_facet_chunks_filter_and_count_alike_and_only_the_matches_chunks_are_fetched(
        js_page, tmp_path, small_segments, monkeypatch):
    monkeypatch.setattr(fmt, "FACET_CHUNK_DOCS", 4)
    # no gram's own counts: every query counts from the documents' values
    monkeypatch.setattr(fmt, "FACET_COUNT_DOCS", 10**6)
    rng = random.Random(11)
    pages = _generated(200)
    for page in pages:  # several values, none, and a facet some chunks lack
        page.terms["agency"] = rng.sample(["市公安局", "市交通运输局", "市教育局"], rng.randint(0, 2))
        if rng.random() < 0.3 and "文化旅游" not in page.terms["topic"]:
            page.terms["topic"] = [*page.terms["topic"], "文化旅游"]
    out = tmp_path / "search"
    write_index(pages, out)
    index = SearchIndex(out)
    segments = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["segments"]
    assert max(len(s["facetData"][2]) for s in segments) > 4
    queries = _queries(pages, 24)
    cases = [(q, {}, "relevance") for q in queries] + [
        (q, {"agency": "市公安局"}, "newest") for q in queries[:8]] + [
        (q, {"topic": "文化旅游", "district": "站前区"}, "oldest") for q in queries[:8]]
    # the gap: two chunks' bytes, so that a chunk left out between two
    # wanted ones is fetched with them and a longer stretch is not
    chunk_sizes = sorted(b for spec in segments for b in spec["facetData"][2])
    gap = 2 * chunk_sizes[len(chunk_sizes) // 2]
    monkeypatch.setattr(fmt, "RANGE_GAP", gap)
    write_index(pages, out)  # the same files; the manifest says the gap
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["format"]["rangeGap"] == gap

    def wanted_chunks(query):
        wanted = {}
        for doc in index.search(query):
            segment = index._segment(doc)
            wanted.setdefault(segment.name, set()).add((doc - segment.start) // 4)
        return wanted

    def expected_ranges(query):
        specs = {spec["name"]: spec for spec in segments}
        return {(name, start) for name, chunks in wanted_chunks(query).items()
                for start, _ in _facet_ranges(specs[name], chunks, gap)}

    def bridges_and_splits(query):
        """Whether some range takes in a chunk no match is in, and some
        segment needs more than one range."""
        bridged = split = False
        for name, chunks in wanted_chunks(query).items():
            spec = next(s for s in segments if s["name"] == name)
            at, names, sizes, _whole = spec["facetData"]
            starts = [at + names + sum(sizes[:k]) for k in range(len(sizes) + 1)]
            ranges = _facet_ranges(spec, chunks, gap)
            split |= len(ranges) > 1
            bridged |= any(a <= starts[k] and starts[k + 1] <= b for a, b in ranges
                           for k in range(len(sizes)) if k not in chunks)
        return bridged and split

    def takes_all(query):
        """Whether some segment's counts take its member of all documents."""
        specs = {spec["name"]: spec for spec in segments}
        return any(specs[name]["facetData"][3] and _facet_ranges(specs[name], chunks, gap)[0][0]
                   < specs[name]["facetData"][0] for name, chunks in wanted_chunks(query).items())

    # a query whose chunks are scattered, and one that takes some segment's
    # member of all documents: which facet ranges the browser asks for
    rare = next(q for q in queries if bridges_and_splits(q))
    broad = next(q for q in sorted(queries, key=lambda q: -len(index.search(q))) if takes_all(q))
    cases.append((broad, {"district": "站前区"}, "relevance"))
    shutil.copytree(out, js_page.folder / "search", dirs_exist_ok=True)
    got, asked, kept = js_page.evaluate("""async ([cases, first]) => {
        const { SearchIndex } = await import("./js/search-engine.js");
        const t = await import("./js/search-tokens.js");
        const base = new URL("./search/", location.href);
        t.setT2S((await (await fetch("./search/t2s.json")).json()).pairs);
        const asked = [];
        const kept = [];
        for (const q of first) {
            const fresh = await SearchIndex.open(base);
            performance.clearResourceTimings();
            await fresh.search(t.parseQuery(q));
            asked.push(performance.getEntriesByType("resource").map((r) => r.name));
            // the chunks each segment keeps (fetched for the query or taken in between)
            const chunks = {};
            for (const segment of fresh.segments) {
                chunks[segment.spec.name] = [];
                for (const [k, promise] of segment.cache) {
                    if (/^f[0-9]+$/.test(k) && await promise.then(() => true, () => false)) {
                        chunks[segment.spec.name].push(Number(k.slice(1)));
                    }
                }
            }
            kept.push(chunks);
        }
        const index = await SearchIndex.open(base);
        const out = [];
        for (const [q, filters, sort] of cases) {
            const r = await index.search(t.parseQuery(q), { filters, sort });
            out.push({ ids: Array.from(r.ids), counts: r.counts });
        }
        return [out, asked, kept];
    }""", [cases, [rare, broad]])
    for (query, filters, sort), js in zip(cases, got, strict=True):
        assert js["ids"] == index.search(query, filters, sort), (query, filters, sort)
        assert js["counts"] == _counts(index, query, filters), (query, filters)
    # the names and the chunks holding the matches (or all documents'
    # member), joined across small gaps
    for query, urls in zip([rare, broad], asked, strict=True):
        facet_ranges = []
        for url in urls:
            name, _, place = url.partition("/search/seg/")[2].partition("?")
            offset = int(place.rpartition("&r=")[2]) if "&r=" in place else None
            spec = next((s for s in segments if name.startswith(s["name"] + ".")), None)
            if spec is None or offset is None:
                continue
            at, names, sizes, whole = spec["facetData"]
            part = int(name.split(".")[1])
            virtual = part << fmt.PART_BITS | offset
            if at - whole <= virtual < at + names + sum(sizes):
                facet_ranges.append((spec["name"], virtual))
        assert sorted(facet_ranges) == sorted(expected_ranges(query)), query
    # a range's bytes are not fetched twice: every chunk inside the rare
    # query's ranges (wanted or in between) is kept for later queries
    for name, chunks in wanted_chunks(rare).items():
        spec = next(s for s in segments if s["name"] == name)
        at, names, sizes, _whole = spec["facetData"]
        starts = [at + names + sum(sizes[:k]) for k in range(len(sizes) + 1)]
        inside = {k for a, b in _facet_ranges(spec, chunks, gap) for k in range(len(sizes))
                  if a <= starts[k] and starts[k + 1] <= b}
        assert sorted(kept[0][name]) == sorted(inside), name
    shutil.rmtree(js_page.folder / "search")


def test_a_segments_member_of_all_facet_values_must_agree_with_its_chunks(tmp_path, monkeypatch):
    """Both readers may count a segment's facets from its chunks or from
    its member of all documents, so they must say the same: the Python
    reader refuses an index where they do not (here the member is made
    from another order of the documents, well framed and checksummed)."""
    import search.segment as segment

    monkeypatch.setattr(fmt, "FACET_CHUNK_DOCS", 4)
    pages = _generated(24)
    write_index(pages, tmp_path / "good")
    spec = json.loads((tmp_path / "good" / "manifest.json").read_text(encoding="utf-8"))["segments"][0]
    assert spec["facetData"][3] > 0 and len(spec["facetData"][2]) > 1
    assert len(SearchIndex(tmp_path / "good").segments[0].attrs["topic"]) == spec["docs"]

    made = segment.facet_members

    reversed_pages = order_pages(pages)[::-1]

    def all_member_of_other_order(facets, values, tag):
        names, chunks, _ = made(facets, values, tag)
        return names, chunks, made(segment.FacetIds(reversed_pages, values), values, tag)[2]

    monkeypatch.setattr(segment, "facet_members", all_member_of_other_order)
    write_index(pages, tmp_path / "bad")
    with pytest.raises(fmt.DamagedIndexError, match="全部文档的分面数据与各数据块不符"):
        SearchIndex(tmp_path / "bad")


def _article_html(page: ArticlePage) -> str:
    topics = "|".join(page.terms.get("topic", []))
    return (f'<html><body><article data-date="{page.date}" data-topics="{topics}">'
            f'<h1>{page.title}</h1><div class="article-body"><p>{page.text}</p></div></article></body></html>')


def _write_pages(site: Path, pages: list[ArticlePage], key: str) -> dict[str, str]:
    keys = {}
    for page in pages:
        rel = f"{page.url}index.html"
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(_article_html(page), encoding="utf-8")
        keys[rel] = key
    return keys


def test_the_last_segments_pages_are_kept_for_the_next_build(tmp_path, monkeypatch, small_segments):
    """A daily build rewrites the last segment: its unchanged pages come
    from what the last build read (their render keys the same), only new
    and re-rendered pages are read, and the index is a clean build's."""
    import search.write as sw

    def dated(page, i):
        return ArticlePage(f"2024/0{1 + i % 9}/p{i}/", page.title, page.text, date=f"2024-0{1 + i % 9}-1{i % 10}",
                           terms=page.terms)

    pages = [dated(p, i) for i, p in enumerate(_generated(20))]  # units of 8: 16 + a tail of 4
    site = tmp_path / "site"
    keys = _write_pages(site, pages, "k1")
    read = []
    real_read = sw.read_pages
    monkeypatch.setattr(sw, "read_pages", lambda s, names, w: read.extend(names) or real_read(s, names, w))
    sw.write_search_index(site, keys)
    assert sorted(read) == sorted(keys)
    newer = [ArticlePage(f"2030/01/new-{i}/", f"新文章{i}", "营口港新航线开通，集装箱吞吐量增长。", date="2030-01-02",
                         terms={"topic": ["港口物流"]}) for i in range(2)]
    keys |= _write_pages(site, newer, "k1")
    read.clear()
    stats = sw.write_search_index(site, keys)
    assert stats["segments_written"] == 1
    assert sorted(read) == sorted(f"{p.url}index.html" for p in newer)  # not the tail's four
    # a tail page rendered again (its key changed) is read again
    last = order_pages(pages)[-1]
    changed = ArticlePage(last.url, last.title, last.text + "更正：补充说明。", date=last.date, terms=last.terms)
    keys |= _write_pages(site, [changed], "k2")
    read.clear()
    sw.write_search_index(site, keys)
    assert read == [f"{last.url}index.html"]
    assert SearchIndex(site / "search").search("更正：补充说明") == [19]
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".archive-state", "search"))
    produced = sw.write_search_index(clean, keys)["produced"]
    assert sw.TAIL_FILE in produced
    assert _files(clean / "search") == _files(site / "search")
    assert (clean / sw.TAIL_FILE).read_bytes() == (site / sw.TAIL_FILE).read_bytes()
    # two more fill the unit: no tail, so no pages are kept for the next day
    keys |= _write_pages(site, [ArticlePage(f"2030/01/more-{i}/", f"又一篇{i}", "港区新泊位完工。", date="2030-01-03")
                                for i in range(2)], "k1")
    assert sw.TAIL_FILE not in sw.write_search_index(site, keys)["produced"]
