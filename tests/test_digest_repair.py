"""Extraction damage: broken paragraphs, repeated passages, stray whitespace."""

from __future__ import annotations

from tests.digest_support import FIXTURES
from yingkou_archive.digest import repair
from yingkou_archive.digest.importer import read_page

# --- broken paragraphs -------------------------------------------------

def test_mid_sentence_and_mid_word_breaks_are_rejoined():
    page = read_page(FIXTURES / "damage-broken-2024-05-10.txt")
    (story,) = page.stories
    assert story.paragraphs == [
        ("本报讯 5月8日，西市区辽河老街修缮工程正式启动，此次修缮涉及沿街历史建筑二十余栋，"
         "计划年底前完成外立面和屋面的整修。"),
        "施工单位负责人介绍，修缮坚持“修旧如旧”原则，所用青砖、木构件均按原样定制，最大限度保留老街的历史风貌。",
        "渔市街道组织志愿者开展老街文明劝导，引导游客有序参观。",
    ]


def test_sample_mid_word_break_tong_dao_is_rejoined():
    lead = read_page(FIXTURES / "yingkou-page-2024-06-18.txt").stories[0]
    assert any(p.endswith("提供了更加便捷的通道。") for p in lead.paragraphs)
    assert "道。" not in lead.paragraphs


def test_should_join_rules():
    assert repair.should_join("老边区依托营口综合保税区，大力发展跨境电商和保税仓储，", "新增跨境电商企业23家。")
    assert repair.should_join("为腹地企业走向国际市场提供了更加便捷的通", "道。")
    assert repair.should_join("短行", "，接着写。")                      # a tail starting with a comma
    assert not repair.should_join("这句话已经结束了。", "下一段开始。")
    assert not repair.should_join("打通物流“主动脉”", "围绕建设现代化港口城市，营口持续完善集疏运体系。")
    assert not repair.should_join("海铁联运班列再添新线路", "本报讯 6月12日，记者获悉。")
    assert not repair.should_join("措施如下：", "一是加快建设。")
    assert repair.join("Wi", "Fi") == "Wi Fi" and repair.join("便捷的通", "道。") == "便捷的通道。"


# --- repeated passages -------------------------------------------------

def test_repeated_passage_and_repeated_paragraph_are_dropped_once():
    page = read_page(FIXTURES / "damage-repeat-2024-05-11.txt")
    (story,) = page.stories
    assert story.paragraphs == [
        ("本报讯 日前，大石桥市镁质材料检测中心正式投入使用，可开展耐火材料理化性能等六大类检测。"
         "中心配备检测设备120台套，年检测能力达到两万批次。"),
        "过去企业送检需要到省城，往返至少两天，现在当天即可拿到检测报告。",
    ]
    assert len(page.warnings) == 2 and all("删去了重复" in w for w in page.warnings)


def test_sample_repeat_across_a_break_is_dropped():
    lead = read_page(FIXTURES / "yingkou-page-2024-06-18.txt").stories[0]
    joined = "".join(lead.paragraphs)
    assert joined.count("老边区依托营口综合保税区") == 1
    assert joined.count("新增跨境电商企业23家") == 1


def test_drop_adjacent_repeats_keeps_real_text():
    text, dropped = repair.drop_adjacent_repeats("甲乙丙丁戊己庚辛壬癸。甲乙丙丁戊己庚辛壬癸。后面的话。")
    assert text == "甲乙丙丁戊己庚辛壬癸。后面的话。" and dropped == ["甲乙丙丁戊己庚辛壬癸。"]
    # too short, or too few different characters: not damage
    for keep in ("好好学习。好好学习。", "哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈", "1111111111111111111111"):
        assert repair.drop_adjacent_repeats(keep) == (keep, [])
    # the same sentence twice but not back to back is kept
    apart = "今年新增企业十家以上。其间还有别的话。今年新增企业十家以上。"
    assert repair.drop_adjacent_repeats(apart) == (apart, [])


def test_three_copies_become_one():
    unit = "营口港集装箱吞吐量同比增长。"
    assert repair.drop_adjacent_repeats(unit * 3)[0] == unit


# --- whitespace --------------------------------------------------------

def test_stray_spaces_blank_lines_bom_and_crlf():
    page = read_page(FIXTURES / "damage-spaces-2024-05-12.txt")
    (story,) = page.stories
    assert story.title == "老边区柳树镇建成冷链仓储中心"
    assert story.paragraphs == [
        "本报讯 5月9日，老边区柳树镇冷链仓储中心建成投用，总库容 1.5 万吨，可满足周边果蔬储存需求。",
        "该中心由村集体合作社共同运营，预计每年为村集体增收 40 万元。",
    ]
    assert story.authors == ["孙雨桐"]


def test_clean_body_and_title():
    assert repair.clean_body("本报讯\u3000 记者 从 营口海关\t获悉，\u00a0通关 提速。") == \
        "本报讯 记者从营口海关获悉，通关提速。"
    assert repair.clean_body("营口\u200b港 Wi-Fi 6 网络") == "营口港 Wi-Fi 6 网络"
    assert repair.clean_title("航线再加密  通关再提速 服务再升级") == "航线再加密 通关再提速 服务再升级"
    assert repair.clean_title("老边区 柳树镇 建成 冷链") == "老边区柳树镇建成冷链"


def test_repair_never_loses_characters_of_the_sample():
    """Every non-space character of the page's stories is in the output,
    apart from the one repeated passage and the page furniture."""
    raw = (FIXTURES / "yingkou-page-2024-06-18.txt").read_text(encoding="utf-8")
    page = read_page(FIXTURES / "yingkou-page-2024-06-18.txt")
    out = "".join(s.title + s.subtitle + s.summary + "".join(b.text for b in s.blocks) for s in page.stories)
    furniture = ["核心提示", "本版照片除署名外由营口港务集团提供", "营口快讯 KUAIXUN", "本版稿件由本报记者王晓东采写",
                 "老边区依托营口综合保税区，大力发展跨境电商和保税仓储，新增跨境电商企业23家，前5个月跨境电商交易额同比增长45%。"]
    for item in furniture:
        raw = raw.replace(item, "", 1)
    strip = lambda s: "".join(s.split()).replace("——", "").replace("营口港务集团提供", "")
    assert sorted(strip(raw)) == sorted(strip(out))
