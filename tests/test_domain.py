"""Unit tests of the domain modules (no Pelican involved)."""

from __future__ import annotations

import ast
import datetime as dt
import textwrap
from pathlib import Path

import pytest

from yingkou_archive.article import parse_date, parse_source, plain_text, read_article, split_list
from yingkou_archive.errors import VocabularyError
from yingkou_archive.monthly_chart import monthly_chart_svg, monthly_counts
from yingkou_archive.related import related_indices, update_related
from yingkou_archive.vocabulary import load_vocabulary, pinyin_slug

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary(ROOT / "content" / "taxonomy.yml")


def test_domain_package_does_not_import_pelican():
    for path in (ROOT / "yingkou_archive").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "pelican" for n in names), path


def test_vocabulary_has_the_twelve_topics_and_seven_districts(vocabulary):
    assert vocabulary.names("topic") == [
        "项目建设", "营商环境", "生态环境", "乡村振兴", "产业发展", "法治建设",
        "港口物流", "文化旅游", "民生保障", "科技创新", "对外开放", "城市建设"]
    assert vocabulary.names("district") == [
        "营口市", "站前区", "西市区", "鲅鱼圈区", "老边区", "盖州市", "大石桥市"]


def test_aliases_and_towns_resolve(vocabulary):
    assert vocabulary.find("district", "营口经济技术开发区").name == "鲅鱼圈区"
    assert vocabulary.find("district", "鲅鱼圈").slug == "bayuquan"
    assert vocabulary.district_of_place("熊岳镇").name == "鲅鱼圈区"
    assert vocabulary.find("agency", "西市区人民检察院").name == "营口市西市区人民检察院"


def test_pinyin_slug_reads_rare_characters_and_keeps_homophones_apart():
    assert pinyin_slug("鲅鱼圈") == "ba-yu-quan"
    assert pinyin_slug("12345热线") == "12345-re-xian"


def _vocab_file(tmp_path, body):
    path = tmp_path / "taxonomy.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_two_terms_with_one_slug_fail(tmp_path):
    path = _vocab_file(tmp_path, """
        topics:
          - {name: 市场, slug: shi-chang}
          - {name: 试场, slug: shi-chang}
        districts:
          - {name: 营口市, slug: yingkou}
    """)
    with pytest.raises(VocabularyError, match="市场.*试场.*shi-chang"):
        load_vocabulary(path)


def test_alias_pointing_at_two_terms_fails(tmp_path):
    path = _vocab_file(tmp_path, """
        topics: []
        districts:
          - {name: 站前区, slug: zhanqian, aliases: [城区]}
          - {name: 西市区, slug: xishi, aliases: [城区]}
    """)
    with pytest.raises(VocabularyError, match="城区"):
        load_vocabulary(path)


def test_invalid_slug_fails(tmp_path):
    path = _vocab_file(tmp_path, """
        topics:
          - {name: 港口物流, slug: 港口}
    """)
    with pytest.raises(VocabularyError, match="slug"):
        load_vocabulary(path)


def test_unlisted_agency_slug_clash_fails(tmp_path):
    path = _vocab_file(tmp_path, """
        districts:
          - {name: 营口市, slug: yingkou}
        agencies:
          - {name: 营口市市场局, slug: ying-kou-shi-shi-chang-ju, district: 营口市}
    """)
    vocabulary = load_vocabulary(path)
    with pytest.raises(VocabularyError, match="营口市试场局"):
        vocabulary.add_unlisted("agency", "营口市试场局")


@pytest.mark.parametrize("value,expected", [
    ("营商环境、生态环境", ["营商环境", "生态环境"]),
    ("营商环境，生态环境；港口物流", ["营商环境", "生态环境", "港口物流"]),
    ("a, b; c，a", ["a", "b", "c"]),
    (" 、 ,", []),
])
def test_split_list_accepts_chinese_separators(value, expected):
    assert split_list(value) == expected


@pytest.mark.parametrize("value,ok", [
    ("2023-04-07", True), ("2023-4-7", True), ("2023-04-07 08:30", True),
    ("2023-13-45", False), ("2023-02-29", False), ("2024-02-29", True), ("昨天", False),
])
def test_parse_date(value, ok):
    date, message = parse_date(value)
    assert (date is not None) == ok
    assert (message is None) == ok


def test_parse_source_metadata_block():
    source = parse_source("---\nTitle: 标题\nTopic: 营商环境\n    生态环境\n---\n\n正文\n")
    assert source.fields == {"title": "标题", "topic": "营商环境 生态环境"}
    assert source.body == "正文\n"
    repeated = parse_source("Title: t\nAgency: 甲\nAgency: 乙\n\nbody")
    assert split_list(repeated.fields["agency"]) == ["甲", "乙"]


def test_read_article_canonicalises_aliases(vocabulary):
    raw = "Title: t\nDate: 2024-01-02\nTopic: 营商环境\nDistrict: 鲅鱼圈\nAgency: 市发改委\n\nx"
    result = read_article(raw.encode(), "a.md", vocabulary)
    assert result.meta.terms["district"] == ["鲅鱼圈区"]
    assert result.meta.terms["agency"] == ["营口市发展和改革委员会"]
    assert result.meta.slug == "a"


def test_plain_text_drops_markup():
    assert plain_text("标题<script>alert(1)</script><b>粗</b> &amp; 更多") == "标题粗 & 更多"
    assert plain_text("&lt;img src=x onerror=alert(1)&gt;文字") == "文字"


def test_related_most_shared_terms_then_nearest_in_date():
    terms = [frozenset("ab"), frozenset("ab"), frozenset("a"), frozenset("c"),
             frozenset("abz"), frozenset("b")]
    newness = [1, 2, 3, 4, 5, 6]
    related = related_indices(terms, newness, limit=5)
    assert related[0] == [1, 4, 2, 5]  # both shared terms first, the nearer one first
    assert related[3] == []
    assert related[4] == [1, 0, 5, 2]


def test_a_new_article_joins_only_the_related_lists_of_its_own_time():
    """Why nearest and not newest: adding the newest article with the same
    terms as a thousand old ones changes the related lists of a few."""
    terms = [frozenset("ab")] * 1000
    before = related_indices(terms, list(range(1000)), limit=5)
    after = related_indices(terms + [frozenset("ab")], list(range(1001)), limit=5)
    changed = [i for i in range(1000) if before[i] != after[i]]
    assert 1000 in after[999] and len(changed) <= 5


def test_related_matches_brute_force_on_random_data():
    import random

    rng = random.Random(7)
    terms = [frozenset(rng.sample("abcdefgh", rng.randint(1, 4))) for _ in range(300)]
    newness = [rng.random() for _ in terms]
    fast = related_indices(terms, newness, limit=5)
    position = {j: p for p, j in enumerate(sorted(range(len(terms)), key=lambda j: -newness[j]))}
    for i, mine in enumerate(terms):
        ranked = sorted(
            (j for j in range(len(terms)) if j != i and mine & terms[j]),
            key=lambda j: (-len(mine & terms[j]), abs(position[j] - position[i]), position[j]),
        )
        assert fast[i] == ranked[:5], i


def _random_archive(rng, count, alphabet="abcdefghij"):
    keys = [f"a{i}" for i in range(count)]
    terms = [frozenset(rng.sample(alphabet, rng.randint(0, 4))) for _ in range(count)]
    newness = [rng.randint(0, count // 3) for _ in range(count)]  # many ties
    return keys, terms, newness


def test_updated_related_lists_equal_computed_ones():
    """New items anywhere in time (newest, backdated, tied dates): the
    updated lists are exactly the computed ones."""
    import random

    from yingkou_archive.related import _updated

    for seed in range(40):
        rng = random.Random(seed)
        keys, terms, newness = _random_archive(rng, rng.randint(100, 400))
        _, state = update_related(keys, terms, newness, 5, None)
        for _ in range(3):
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(keys) + 1)
                keys.insert(at, f"n{len(keys)}-{seed}")
                terms.insert(at, frozenset(rng.sample("abcdefghij", rng.randint(0, 4))))
                newness.insert(at, rng.choice([max(newness) + 1, rng.randint(0, max(newness))]))
            assert _updated(keys, terms, newness, 5, state) is not None  # updated, not computed afresh
            updated, state = update_related(keys, terms, newness, 5, state)
            assert updated == related_indices(terms, newness, 5), seed


def test_related_update_starts_afresh_when_an_old_item_changed_or_went():
    import random

    rng = random.Random(3)
    keys, terms, newness = _random_archive(rng, 300)
    _, state = update_related(keys, terms, newness, 5, None)
    changed = terms[:7] + [frozenset("xyz") | terms[7]] + terms[8:]
    assert update_related(keys, changed, newness, 5, state)[0] == related_indices(changed, newness, 5)
    gone = (keys[:5] + keys[6:], terms[:5] + terms[6:], newness[:5] + newness[6:])
    assert update_related(*gone[:3], 5, state)[0] == related_indices(*gone[1:], 5)


def test_monthly_counts_fill_empty_months():
    dates = [dt.date(2023, 11, 2), dt.date(2024, 2, 1), dt.date(2024, 2, 9)]
    assert monthly_counts(dates) == [((2023, 11), 1), ((2023, 12), 0), ((2024, 1), 0),
                                     ((2024, 2), 2)]
    svg = monthly_chart_svg(dates, "<b>x</b>")
    assert svg.count('<rect class="bar"') == 2 and "<b>" not in svg
    assert "共 3 篇" in svg


def test_article_url_is_the_article_url_setting():
    from types import SimpleNamespace

    from yingkou_archive.content_check import ARTICLE_URL, article_url

    for date in (dt.datetime(2024, 1, 5, 8, 0), dt.datetime(1999, 12, 31, 23, 59), dt.datetime(2031, 10, 1)):
        meta = SimpleNamespace(date=date, slug="gangkou-2024")
        assert article_url(meta) == ARTICLE_URL.format(date=date, slug=meta.slug)


def test_a_damaged_or_foreign_cache_file_reads_as_none(tmp_path):
    from fileutil import load_pickled, save_pickled

    path = tmp_path / "cache" / "state.pickle"
    assert load_pickled(path) is None
    save_pickled(path, {"a": [1, 2]})
    assert load_pickled(path) == {"a": [1, 2]}
    path.write_bytes(b"\x80\x05not a pickle")
    assert load_pickled(path) is None
    assert list(path.parent.iterdir()) == [path]  # nothing left beside it


def test_article_sources_from_relative_and_whole_shown_paths(tmp_path):
    from types import SimpleNamespace

    from yingkou_archive.content_check import article_sources

    content = tmp_path / "site" / "content"
    shown = ["content/articles/2024/a.md", str(content / "articles" / "b.md"), "elsewhere/c.md"]
    items = [SimpleNamespace(meta=SimpleNamespace(path=p)) for p in shown]
    assert article_sources(items, content, tmp_path / "site") == {
        "articles/2024/a.md", "articles/b.md"}


@pytest.mark.parametrize("cold", [False, True])
def test_existing_files_names_exactly_the_files(tmp_path, monkeypatch, cold):
    """From memory the files are checked one by one; when the first stats
    are slow (cold: forced here), the rest in threads: the same answer."""
    import fileutil

    # force each branch: the first stats always count as slow (cold), or never
    monkeypatch.setattr(fileutil, "_COLD_STAT_SECONDS", 0.0 if cold else 1.0)
    paths = []
    for i in range(5000):
        path = tmp_path / f"d{i % 37}" / f"f{i}.html"
        paths.append(str(path))
        if i % 3:
            path.parent.mkdir(exist_ok=True)
            path.write_text("x", encoding="utf-8")
        elif i % 2:
            path.parent.mkdir(exist_ok=True)
            path.mkdir()  # a folder is not a file
    assert fileutil.existing_files(paths) == {p for i, p in enumerate(paths) if i % 3}
