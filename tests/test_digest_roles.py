"""Line roles and story splits from layout evidence, on small pages of many shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.digest_support import FIXTURES
from yingkou_archive.digest import bylines, repair
from yingkou_archive.digest.importer import read_page


def page_of(tmp_path: Path, text: str, name: str = "p-2024-07-01.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_page(path)


def roles_of(page) -> dict[str, str]:
    return {note.text: note.role for note in page.lines}


# --- bylines -------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("本报记者 王晓东 通讯员 李娜", [("记者", "王晓东"), ("通讯员", "李娜")]),
    ("本报记者王晓东、李娜", [("记者", "王晓东"), ("记者", "李娜")]),
    ("文/图 本报记者 周宁", [("记者", "周宁")]),
    ("■通讯员 孙丽", [("通讯员", "孙丽")]),
    ("作者：本报首席记者 刘洋", [("记者", "刘洋")]),
])
def test_bylines_keep_each_role(text, expected):
    assert [(c.role, c.name) for c in bylines.read_credits(text, "x")] == expected


@pytest.mark.parametrize("text", ["记者从营口海关获悉", "营口港务集团负责人", "通讯员队伍不断壮大起来了"])
def test_sentences_are_not_bylines(text):
    assert bylines.read_credits(text, "x") is None


def test_signoffs_at_the_end_of_a_brief():
    text, credits = bylines.split_signoff("园区已投用。（记者 赵明远 通讯员 邢丽）")
    assert text == "园区已投用。" and [(c.role, c.name) for c in credits] == [("记者", "赵明远"), ("通讯员", "邢丽")]
    text, credits = bylines.split_signoff("园区已投用。（王佳）")
    assert text == "园区已投用。" and [c.name for c in credits] == ["王佳"]
    # brackets that are not a person stay in the text
    assert bylines.split_signoff("印发《实施办法（试行）》")[1] == []
    assert bylines.split_signoff("项目总投资3亿元（含配套）")[1] == []


# --- segmentation --------------------------------------------------------

def test_briefs_signed_at_the_end_are_split_without_datelines(tmp_path):
    page = page_of(tmp_path, (
        "老边区新建两座污水泵站\n\n近日，老边区两座污水泵站建成投用，日处理能力8000吨。（记者 张宇）\n\n"
        "站前区开放三处口袋公园\n\n站前区新建的三处口袋公园日前向市民开放。\n\n公园内设有健身步道。（记者 张宇 通讯员 于洋）\n\n"
        "西市区举办消夏晚会\n\n7月3日晚，西市区在辽河广场举办消夏晚会。\n"))
    assert [s.title for s in page.stories] == ["老边区新建两座污水泵站", "站前区开放三处口袋公园", "西市区举办消夏晚会"]
    assert [s.authors for s in page.stories] == [["张宇"], ["张宇", "于洋"], []]
    assert [c.role for c in page.stories[1].credits] == ["记者", "通讯员"]
    assert not any("记者" in b.text for s in page.stories for b in s.blocks)


def test_byline_line_under_a_headline_opens_a_story(tmp_path):
    page = page_of(tmp_path, (
        "盖州市建成智慧果园\n\n本报记者 吴昊\n\n盖州市首个智慧果园近日建成，果园里安装了土壤墒情监测设备。\n\n"
        "鲅鱼圈区新增公交线路\n\n通讯员 韩冬\n\n鲅鱼圈区新开通两条公交线路。\n"))
    assert [(s.title, s.authors) for s in page.stories] == [
        ("盖州市建成智慧果园", ["吴昊"]), ("鲅鱼圈区新增公交线路", ["韩冬"])]
    assert roles_of(page)["本报记者 吴昊"] == "byline"


def test_kicker_subtitle_and_column_header(tmp_path):
    page = page_of(tmp_path, (
        "港城速递\n\n推动文旅融合发展\n\n辽河老街迎来夜游高峰\n\n——单日客流突破五万人次\n\n"
        "本报讯 入夏以来，辽河老街夜间客流持续增长。\n"))
    (story,) = page.stories
    assert (story.kicker, story.title, story.subtitle) == ("推动文旅融合发展", "辽河老街迎来夜游高峰", "单日客流突破五万人次")
    assert roles_of(page)["港城速递"] == "column"


def test_continued_stories_and_jump_lines(tmp_path):
    page = page_of(tmp_path, (
        "2024年7月2日 第07版 综合\n\n大石桥市镁产业园扩容\n\n（上接第1版）\n\n园区新增用地800亩。（下转第8版）\n\n"
        "老边区柳树镇开展义诊\n\n本报讯 7月1日，柳树镇开展义诊活动。\n"))
    first, second = page.stories
    assert first.continued_from == ["第01版"] and first.continued_to == ["第08版"]
    assert first.paragraphs == ["园区新增用地800亩。"]
    assert second.continued_to == [] and second.title == "老边区柳树镇开展义诊"


@pytest.mark.parametrize("line", [
    "5", "- 8 -", "第12版", "责任编辑：刘洋 版式设计：孙丽 校对：王强", "本版责任编辑：何静",
    "营口晚报社版权所有 未经书面许可不得转载", "辽ICP备05012345号-1", "营口日报",
    "2024年7月10日 星期三", "第08版 综合新闻", "新闻热线：0417-1234567",
    "2024年7月9日　星期二　　营口日报　　第5版", "（完）", "来源：营口日报",
])
def test_furniture_is_neither_headline_nor_text(tmp_path, line):
    page = page_of(tmp_path, f"{line}\n\n站前区新建社区食堂\n\n本报讯 站前区新建社区食堂两处。\n\n{line}\n")
    (story,) = page.stories
    assert story.title == "站前区新建社区食堂"
    assert all(line not in b.text for b in story.blocks)
    assert roles_of(page)[repair.clean_spaces(line)] == "furniture"


def test_page_credit_only_for_stories_without_their_own_byline(tmp_path):
    page = page_of(tmp_path, (
        "站前区新建社区食堂\n\n本报讯（记者 王佳）站前区新建社区食堂两处。\n\n"
        "西市区新建口袋公园\n\n本报讯 西市区新建口袋公园三处。\n\n本版稿件除署名外由本报记者郑凯采写\n"))
    assert [s.authors for s in page.stories] == [["王佳"], ["郑凯"]]


def test_feature_sections_stay_sections(tmp_path):
    page = page_of(tmp_path, (
        "营口港集装箱吞吐量创新高\n\n本报记者 陈立新\n\n上半年，营口港集装箱吞吐量同比增长8%。\n\n"
        "一、航线网络更密\n\n新开通内贸航线3条。\n\n二、服务效率更高\n\n船舶平均在港时间缩短两成。\n"))
    (story,) = page.stories
    assert [b.text for b in story.blocks if b.kind == "heading"] == ["一、航线网络更密", "二、服务效率更高"]


# --- tables --------------------------------------------------------------

@pytest.mark.parametrize("rows", [
    ["项目名称\t投资额（亿元）\t所在地", "冷链物流中心\t6.5\t红旗镇", "海洋装备基地\t21\t海星街道"],
    ["街道        小区数    户数", "建设街道    12        4600", "东风街道    9         3900",
     "跃进街道    8         3500"],
])
def test_aligned_rows_become_a_table(tmp_path, rows):
    page = page_of(tmp_path, "鲅鱼圈区重点项目进展顺利\n\n本报讯 鲅鱼圈区重点项目进展顺利。\n\n" + "\n".join(rows) + "\n")
    (story,) = page.stories
    (table,) = [b for b in story.blocks if b.kind == "table"]
    assert len(table.rows) == len(rows) and len(table.rows[0]) == 3
    assert table.rows[1][0] in rows[1]


def test_prose_with_stray_spaces_is_not_a_table(tmp_path):
    page = page_of(tmp_path, "老边区建成冷链中心\n\n本报讯　　5月9日，老边区 冷链仓储中心	建成投用，  总库容 1.5 万吨，\n"
                             "可满足周边 果蔬 储存 需求。\n")
    assert not any(b.kind == "table" for s in page.stories for b in s.blocks)


# --- column breaks -------------------------------------------------------

def test_number_cut_at_a_column_foot_joins_without_a_space():
    assert repair.join("投资1", "2亿元") == "投资12亿元"
    assert repair.join("Wi", "Fi") == "Wi Fi"
    assert repair.should_join("在熊岳镇，投资1", "2亿元的项目已开工。")


@pytest.mark.parametrize("fragment, rest, indents", [
    ("目前，园区已入驻", "企业43家。", None),
    ("景区配套项目建成后将带动周边的", "民宿、餐饮等业态发展。", None),
    ("该项目由市住建局牵头实", "施，总投资3亿元。", (True, False)),
])
def test_short_fragment_at_a_column_foot_is_joined(fragment, rest, indents):
    assert repair.should_join(fragment, rest, indents)


def test_a_real_heading_is_not_joined():
    assert not repair.should_join("打通物流“主动脉”", "围绕建设现代化港口城市，营口持续完善集疏运体系。")
    assert not repair.should_join("老边区建成养老服务站", "近日，服务站投入使用。", (False, True))


def test_explain_notes_say_why():
    page = read_page(FIXTURES / "pages" / "ykwb-county-2024-07-09.txt")

    def note(start):
        (found,) = [n for n in page.lines if n.text.startswith(start)]
        return found

    assert note("鲅鱼圈区上半年签约重点项目").reason == "下一行是副题（——……）"
    assert note("聚焦项目建设").role == "kicker"
    assert "数字被断开" in note("在熊岳镇，投资12亿元").reason
    assert "转至第08版" in note("鲅鱼圈区发改局相关负责人").reason
    assert "记者 孙佳怡、通讯员 鲍文涛" in note("本报讯（记者 孙佳怡").reason


def test_narrow_column_dump_with_paragraph_indents(tmp_path):
    # every printed line on a line of its own; only paragraph starts are indented
    page = page_of(tmp_path, (
        "大石桥市建成镁产业展馆\n"
        "　　本报讯 大石桥市镁产业展馆近日\n"
        "建成开放，展出镁质材料产品300余件。\n"
        "展馆还设有互动体验区，游客可动手制\n"
        "作镁砂工艺品。\n"
        "　　展馆运营方表示，暑期每天接待游\n"
        "客预计超过两千人次。\n"
        "老边区柳树镇建成养老服务站\n"
        "　　本报讯 老边区柳树镇首个村级养老\n"
        "服务站近日投入使用。服务站可为周边\n"
        "三个村的老年人提供助餐、理发、健康\n"
        "监测等服务。\n"))
    first, second = page.stories
    assert first.paragraphs == [
        "本报讯 大石桥市镁产业展馆近日建成开放，展出镁质材料产品300余件。展馆还设有互动体验区，游客可动手制作镁砂工艺品。",
        "展馆运营方表示，暑期每天接待游客预计超过两千人次。",
    ]
    assert second.title == "老边区柳树镇建成养老服务站"
    assert second.paragraphs == [
        "本报讯 老边区柳树镇首个村级养老服务站近日投入使用。服务站可为周边三个村的老年人提供助餐、理发、健康监测等服务。"]


def test_masthead_with_separators_gives_date_label_and_name(tmp_path):
    page = page_of(tmp_path, "营口日报 | 2024年07月20日 | 第03版：经济\n\n站前区新建社区食堂\n\n"
                             "本报讯 站前区新建社区食堂两处。（记者 王佳）\n", name="p.txt")
    assert (str(page.date), page.label, page.name) == ("2024-07-20", "第03版", "经济")
    assert [s.title for s in page.stories] == ["站前区新建社区食堂"]
    (note,) = [n for n in page.lines if n.text.startswith("本报讯")]
    assert "文末署名：记者 王佳" in note.reason


def test_two_short_lines_over_a_section_stay_in_the_feature(tmp_path):
    page = page_of(tmp_path, (
        "营口港集装箱吞吐量创新高\n\n本报记者 陈立新\n\n上半年，营口港集装箱吞吐量同比增长8%。\n\n"
        "航线网络更密\n\n内贸外贸齐发力\n\n新开通内贸航线3条。\n\n"
        "站前区新建社区食堂\n\n本报讯 站前区新建社区食堂两处。\n"))
    feature, brief = page.stories
    assert [b.text for b in feature.blocks if b.kind == "heading"] == ["航线网络更密", "内贸外贸齐发力"]
    assert brief.title == "站前区新建社区食堂" and brief.kicker == ""
