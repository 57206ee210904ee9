"""Topics, districts and agencies from the vocabulary, with reasons."""

from __future__ import annotations

import pytest

from tests.digest_support import FIXTURES, TAXONOMY
from yingkou_archive.digest.importer import read_page
from yingkou_archive.digest.model import Block, Story
from yingkou_archive.digest.tagging import Tagger
from yingkou_archive.vocabulary import load_vocabulary


@pytest.fixture()
def tagger():
    return Tagger(load_vocabulary(TAXONOMY))


def story(title, *paragraphs):
    return Story(title=title, blocks=[Block("para", p) for p in paragraphs])


def test_town_maps_to_its_district(tagger):
    tags = tagger.tag(story("熊岳镇温泉小镇迎来旅游旺季", "本报讯 熊岳镇温泉小镇接待游客超过8万人次。"))
    assert tags.districts == ["鲅鱼圈区"]
    (reason,) = [r for r in tags.reasons if r.kind == "district"]
    assert any("熊岳镇" in e and "鲅鱼圈区的乡镇/街道" in e for e in reason.evidence)
    assert tags.topics[0] == "文化旅游"


def test_alias_maps_to_canonical_district(tagger):
    tags = tagger.tag(story("大石桥镁企抱团出海", "本报讯 大石桥多家镁企联合参加展会。"))
    assert tags.districts == ["大石桥市"]
    assert tagger.tag(story("营口开发区新签项目", "本报讯 营口经济技术开发区新签约项目5个。")).districts == ["鲅鱼圈区"]


def test_every_town_in_the_vocabulary_is_recognised(tagger):
    vocabulary = tagger.vocabulary
    for district in vocabulary.terms["district"]:
        for town in district.towns:
            tags = tagger.tag(story(f"{town}新建文化广场", f"本报讯 {town}新建文化广场一处。"))
            assert tags.districts == [district.name], town


def test_no_place_named_means_the_whole_city(tagger):
    tags = tagger.tag(story("新能源汽车销量增长", "本报讯 上半年新能源汽车销量同比增长两成。"))
    assert tags.districts == ["营口市"]
    assert "默认为全市" in str(next(r for r in tags.reasons if r.kind == "district"))


def test_city_leads_when_it_dominates(tagger):
    tags = tagger.tag(story("营口海关优化进出口通关流程",
                            "本报讯 记者从营口海关获悉，营口海关推行便利化措施。",
                            "营口海关还在鲅鱼圈区设立企业服务专窗。"))
    assert tags.districts == ["营口市", "鲅鱼圈区"]


def test_listed_agency_by_alias_and_unlisted_agencies_normalised(tagger):
    page = read_page(FIXTURES / "briefs-places-2024-05-15.txt")
    agencies = [tagger.tag(s).agencies for s in page.stories]
    assert agencies == [
        [],
        ["营口市鲅鱼圈区人民法院"],                          # unlisted: city prefix added
        ["营口市西市区人民检察院", "营口市老边区市场监督管理局"],  # alias -> canonical; unlisted
        ["盖州市公安局"],                                   # county-level city keeps its own name
    ]
    court = next(r for r in tagger.tag(page.stories[1]).reasons if r.kind == "agency")
    assert "未列入词表" in str(court) and "鲅鱼圈区人民法院" in str(court)


def test_unlisted_name_resolving_to_vocabulary_uses_canonical_form(tagger):
    tags = tagger.tag(story("联合执法", "本报讯 市场监督管理局、西市区检察院开展联合检查。"))
    assert tags.agencies == ["营口市市场监督管理局", "营口市西市区人民检察院"]


def test_bare_city_prefix_only_where_a_name_starts(tagger):
    # 盖州市政府 is not 营口市人民政府; 城市管理局 is not 营口市管理局
    tags = tagger.tag(story("盖州市政府召开会议", "本报讯 盖州市政府研究推进城市管理局改革。"))
    assert "营口市人民政府" not in tags.agencies
    assert not any(a.startswith("营口市管理") for a in tags.agencies)
    assert tagger.tag(story("据市政府消息", "本报讯 据市政府消息，全市供暖准备就绪。")).agencies == ["营口市人民政府"]


def test_topic_scoring_prefers_the_strongest_topic(tagger):
    tags = tagger.tag(story("营口港新开两条集装箱航线", "本报讯 营口港新开集装箱航线两条，港口吞吐量稳步增长。"))
    assert tags.topics == ["港口物流"]
    (reason,) = [r for r in tags.reasons if r.kind == "topic"]
    assert "关键词“集装箱”×1（标题）" in reason.evidence


def test_no_topic_keyword_makes_a_draft_with_a_warning(tagger):
    tags = tagger.tag(story("一则消息", "本报讯 今天天气晴朗。"))
    assert tags.uncertain and len(tags.topics) == 1
    assert any("草稿" in w for w in tags.warnings)


def test_sample_tags(tagger):
    page = read_page(FIXTURES / "yingkou-page-2024-06-18.txt")
    tags = [tagger.tag(s) for s in page.stories]
    assert [t.topics[0] for t in tags] == ["港口物流", "港口物流", "港口物流", "文化旅游", "对外开放"]
    assert [t.districts[0] for t in tags] == ["营口市", "营口市", "盖州市", "站前区", "营口市"]
    assert set(tags[0].districts) == {"营口市", "鲅鱼圈区", "大石桥市", "老边区"}
    assert tags[0].agencies[:3] == ["营口市人民政府", "营口市交通运输局", "营口市营商环境建设局"]
    assert "营口市市场监督管理局" in tags[0].agencies
    assert tags[2].agencies == ["盖州市发展和改革局"]
    assert tags[3].agencies == ["营口市站前区商务局"]
    assert tags[4].agencies == ["营口海关"]
