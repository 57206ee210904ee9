"""The search tokenization rule, and that Python and the browser agree."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as hs

from search import tokens as st
from search.extract import read_article_page
from search.grams import TABLE_SIZE, normalization_table

SAMPLES = [
    "营商环境",
    "營商環境持續優化",
    "拨打12345热线，GDP增长5.2%。",
    "ＧＤＰ增长１２％　全市5G基站",
    "签订战略合作框架协议 共同守护生态",
    "<script>alert('x')</script>",
    "，。！？、；：“”‘’（）《》……——",
    "Hello World café 2023-04-07",
    "鲅鱼圈区 营口经济技术开发区",
    "𠀀𠀁 astral 㐀 〇 豈",
    "",
    "   ",
    "乾隆 後來 於是 臺灣 裏面 發展",
    "\u200b零宽\ufeff字符\u00a0不换行",
]


def test_every_han_char_letter_and_digit_is_a_token():
    assert st.runs("营商环境") == ["营商环境"]
    assert st.runs("12345热线") == ["12345热线"]
    assert st.runs("GDP") == ["gdp"]


def test_punctuation_and_spaces_are_boundaries():
    assert st.runs("营口，港口 物流") == ["营口", "港口", "物流"]
    assert st.runs("a  \n b") == ["a", "b"]
    assert st.runs("5.2%") == ["5", "2"]


def test_normalization_is_one_char_to_one_char():
    assert st.normalize("營商環境") == "营商环境"
    assert st.normalize("ＧＤＰ１２") == "gdp12"
    assert st.normalize("GDP") == "gdp"
    for sample in SAMPLES:
        assert len(st.normalize(sample)) == len(sample)


def test_full_width_punctuation_is_kept_for_excerpts():
    assert st.fold_char("，") == "，"
    assert st.fold_char("Ａ") == "A"


def test_traditional_queries_find_simplified_text():
    query = st.parse_query("營商環境")
    assert query.phrases == ("营商环境",)
    assert st.matches(query, "持续优化营商环境。")
    assert st.matches(st.parse_query("营商环境"), "持續優化營商環境")


def test_parse_query_phrases():
    assert st.parse_query("营商 营商环境 港口").phrases == ("营商环境", "港口")
    assert st.parse_query("，，。").phrases == ()
    assert st.parse_query("").phrases == ()
    assert st.parse_query("<b>营口</b>").phrases == ("营口", "b")
    assert st.parse_query("x" * 1000).phrases == ("x" * st.MAX_QUERY_CHARS,)


def test_matches_never_spans_a_boundary():
    assert st.matches(st.parse_query("协议"), "签订协议，共同")
    assert not st.matches(st.parse_query("协议共同"), "签订协议，共同")
    assert not st.matches(st.parse_query("议共"), "签订协议 共同")
    assert not st.matches(st.parse_query(""), "任何文字")


def test_t2s_map_is_single_characters_from_opencc():
    table = st.t2s_map()
    assert table["營"] == "营" and table["環"] == "环" and table["後"] == "后"
    assert all(len(k) == 1 and len(v) == 1 and k != v for k, v in table.items())
    data = json.loads(st.t2s_json())
    assert len(data["pairs"]) == 2 * len(table)


def test_trad_bitmap_marks_exactly_the_map_keys():
    bitmap = st.trad_bitmap()
    base, end = st.TRAD_BITMAP_RANGE
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    marked = {base + i * 6 + bit for i, c in enumerate(bitmap)
              for bit in range(6) if alphabet.index(c) & (1 << bit)}
    keys = {ord(k) for k in st.t2s_map() if base <= ord(k) < end}
    assert marked == keys


@settings(max_examples=200, deadline=None)
@given(hs.text(alphabet=hs.sampled_from(list("营商环境營環口港 ，。GDPgdp１２5.\n%〇")), max_size=40))
def test_runs_are_normalized_substrings_and_match(text):
    norm = st.normalize(text)
    assert len(norm) == len(text)
    for run in st.runs(text):
        assert run in norm
        assert all(st.is_token_char(ch) for ch in run)
        assert st.matches(st.parse_query(run), text)


def test_numpy_normalization_table_equals_the_rule():
    table = normalization_table()
    for code in range(TABLE_SIZE):
        ch = chr(code)
        norm = st.normalize_char(ch)
        expected = ord(norm) if st.is_token_char(norm) else 0
        assert table[code] == expected, hex(code)


def test_article_page_reader_takes_the_article_only():
    html = """<html><body><nav>导航营口</nav>
    <article class="article" data-url="2023/04/x/" data-date="2023-04-07"
      data-topics="生态环境|乡村振兴" data-districts="营口市" data-agencies="">
    <header><h1 class="article-title">标题&amp;营口</h1><p class="article-meta">2023年4月7日</p></header>
    <div class="article-body"><p>第一段<b>营</b>口</p><script>var x = "脚本";</script>
    <figure><img alt="图>" src="a.png"><figcaption>图片说明</figcaption></figure></div>
    </article><aside>相关文章</aside></body></html>"""
    page = read_article_page(html, "2023/04/x/")
    assert page.title == "标题&营口"
    assert page.terms == {"topic": ["生态环境", "乡村振兴"], "district": ["营口市"], "agency": []}
    assert "第一段营口" in page.text and "图片说明" in page.text
    assert "导航" not in page.text and "相关" not in page.text and "脚本" not in page.text
    assert page.text[page.body_start:].startswith("第一段")
    assert page.searchable.startswith("标题&营口\n")


def test_javascript_mirror_agrees_with_python(js_page):
    """search-tokens.js, run in Chromium, against the Python rule."""
    pairs = json.loads(st.t2s_json())["pairs"]
    samples = SAMPLES + ["".join(chr(c) for c in range(0x4E00, 0x4E00 + 400)),
                         "".join(list(st.t2s_map())[:300])]
    config = {"tradBase": st.TRAD_BITMAP_RANGE[0], "tradBits": st.trad_bitmap()}
    results = js_page.evaluate("""async ([pairs, samples, config]) => {
        const t = await import("./js/search-tokens.js");
        t.setT2S(pairs);
        return samples.map((s) => ({runs: t.runs(s), query: t.parseQuery(s),
            norm: t.normalizeChars(s).join(""), trad: t.needsT2S(s, config),
            matches: t.findMatches(s, t.parseQuery(s))}));
    }""", [pairs, samples, config])
    keys = set(st.t2s_map())
    for sample, js in zip(samples, results, strict=True):
        assert js["runs"] == st.runs(sample), sample
        assert tuple(js["query"]) == st.parse_query(sample).phrases, sample
        assert js["norm"] == st.normalize(sample), sample
        expected_trad = any(ch in keys for ch in sample) or any(
            0xF900 <= ord(ch) <= 0xFAFF or 0x20000 <= ord(ch) <= 0x2FA1F for ch in sample)
        assert js["trad"] == expected_trad, sample
        assert bool(js["matches"]) == bool(st.parse_query(sample).phrases), sample


def test_a_text_matched_again_after_the_t2s_map_arrives_uses_the_map(js_page):
    """findMatches keeps texts it has normalized; the t2s map changes how
    they normalize, so texts matched before it came are normalized again."""
    pairs = json.loads(st.t2s_json())["pairs"]
    got = js_page.evaluate("""async (pairs) => {
        const t = await import("./js/search-tokens.js?" + Math.random());
        const text = "營口港的集裝箱";
        const before = t.findMatches(text, ["营口港"]);  // no map yet: 營 is not 营
        t.setT2S(pairs);
        return [before, t.findMatches(text, ["营口港"]), t.findMatches(text, ["营口港"])];
    }""", pairs)
    assert got == [[], [[0, 3]], [[0, 3]]]


def _matches_reference(text: str, phrases: list[str]) -> list[list[int]]:
    """findMatches' ranges, from the Python rule: each phrase found left to
    right without overlap in the normalized text (non-token characters as
    gaps), in code point indexes; overlapping ranges merged."""
    haystack = "".join(n if st.is_token_char(n) else "\0" for n in map(st.normalize_char, text))
    ranges = []
    for phrase in phrases:
        at = haystack.find(phrase)
        while phrase and at != -1:
            ranges.append([at, at + len(phrase)])
            at = haystack.find(phrase, at + len(phrase))
    merged = []
    for start, end in sorted(ranges, key=lambda r: (r[0], -r[1])):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def test_find_matches_agrees_with_the_python_rule_on_generated_text(js_page):
    """Ranges, not only whether something matched, on texts mixing what
    normalizing treats differently: simplified and traditional Han,
    full-width and upper-case letters, punctuation, astral characters."""
    rng = random.Random(7)
    trad = list(st.t2s_map())[:200]
    alphabet = (list("营口港区的集装箱发展经济") + trad + list("ＧＤＰ５ＡＢgdpAB12") + list("，。 \u3000《》-")
                + ["𠀀", "𠀁", "豈", "〇"])
    texts, queries = [], []
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        found = st.runs(text)
        phrases = [run[i:i + rng.randint(1, 3)] for run in rng.sample(found, min(3, len(found)))
                   for i in [rng.randrange(len(run))]]
        texts.append(text)
        queries.append(phrases + [st.normalize(rng.choice(alphabet))])
    pairs = json.loads(st.t2s_json())["pairs"]
    got = js_page.evaluate("""async ([pairs, texts, queries]) => {
        const t = await import("./js/search-tokens.js?" + Math.random());
        t.setT2S(pairs);
        return texts.map((text, i) => t.findMatches(text, queries[i]));
    }""", [pairs, texts, queries])
    for text, phrases, ranges in zip(texts, queries, got, strict=True):
        assert ranges == _matches_reference(text, phrases), (text, phrases)
