"""Splitting pages into stories: the text sample, e-paper pages, encodings."""

from __future__ import annotations

import pytest

from tests.digest_support import FIXTURES
from yingkou_archive.digest.importer import read_page
from yingkou_archive.digest.model import DigestError

SAMPLE = FIXTURES / "yingkou-page-2024-06-18.txt"


@pytest.fixture(scope="module")
def sample():
    return read_page(SAMPLE)


def test_sample_page_splits_into_lead_and_four_briefs(sample):
    assert [s.title for s in sample.stories] == [
        "港城打造东北海陆大通道新枢纽",
        "海铁联运班列再添新线路",
        "盖州市推进冷链物流园建设",
        "站前区开展“港城夜市”消费季活动",
        "营口海关优化进出口通关流程",
    ]
    assert [s.position for s in sample.stories] == [1, 2, 3, 4, 5]


def test_lead_has_subtitle_summary_and_sections(sample):
    lead = sample.stories[0]
    assert lead.subtitle == "航线再加密 通关再提速 服务再升级"
    assert lead.summary.startswith("入夏以来，营口港集装箱作业区一派繁忙。")
    assert lead.summary.endswith("把营口建设成为东北海陆大通道的重要枢纽。")
    headings = [b.text for b in lead.blocks if b.kind == "heading"]
    assert headings == ["打通物流“主动脉”", "培育开放发展“新引擎”", "提升服务保障“软实力”"]
    # 核心提示 is the Summary, not also a body paragraph
    assert not any("入夏以来" in p for p in lead.paragraphs)
    assert len(lead.paragraphs) == 8


def test_briefs_keep_their_paragraphs(sample):
    brief = sample.stories[1]
    assert len(brief.paragraphs) == 2
    assert brief.paragraphs[0].startswith("本报讯 6月12日，记者从营口港务集团获悉")
    assert brief.paragraphs[1].endswith("力争年内实现每周两列常态化运行。")


def test_page_credit_is_every_storys_author_and_not_body(sample):
    assert all(s.authors == ["王晓东"] for s in sample.stories)
    everything = "".join(b.text for s in sample.stories for b in s.blocks)
    assert "本版稿件由" not in everything
    assert "本版照片除署名外" not in everything
    assert "KUAIXUN" not in everything and "营口快讯" not in everything


def test_captions_are_figures_of_the_lead_with_credit(sample):
    lead = sample.stories[0]
    captions = [b.text for b in lead.blocks if b.kind == "caption"]
    assert captions == [
        "营口港鲅鱼圈港区集装箱码头作业现场。 营口港务集团 提供",
        "鲅鱼圈区工作人员在营口综合保税区了解企业进出口业务情况。 本报记者 王晓东 摄",
        "大石桥市镁质材料产品展厅。 营口港务集团 提供",
        "营口港集装箱码头夜景。 本报记者 王晓东 摄",
    ]
    assert not any("码头夜景" in p for p in lead.paragraphs)
    # captions stay where they were printed: the first before any section
    assert lead.blocks[0].kind == "caption"


def test_sample_text_page_has_no_printed_date_or_label(sample):
    assert sample.date is None and sample.label == ""


def test_gb2312_epaper_sample():
    page = read_page(FIXTURES / "epaper-article-2024-06-18-08-02.html")
    assert page.encoding == "gb18030"
    assert str(page.date) == "2024-06-18" and page.label == "第08版"
    (story,) = page.stories
    assert story.title == "盖州市推进冷链物流园建设"
    assert story.kicker == "冷链项目预计8月底投入使用"
    assert story.subtitle == ""          # empty <h2>
    assert story.authors == ["王晓东"]
    assert story.paragraphs == [
        "本报讯 日前，记者在盖州市发展和改革局获悉，盖州市冷链物流园一期工程主体已经完工，预计8月底投入使用。",
        "该项目总投资4.6亿元，建设冷藏库、速冻库和分拣中心，建成后年周转能力可达30万吨。",
        "园区同步建设电商直播基地，帮助果农拓宽销售渠道。",
    ]
    (caption,) = [b for b in story.blocks if b.kind == "caption"]
    assert caption.text == "盖州市冷链物流园一期工程建设现场。 本报记者 王晓东 摄"
    assert caption.image.source is None      # the photo is not beside the page


def test_utf8_epaper_strips_navigation_scripts_and_handlers():
    page = read_page(FIXTURES / "epaper-utf8-2024-05-20-03-01.html")
    assert page.encoding == "utf-8" and page.label == "第03版"
    (story,) = page.stories
    assert story.title == "营口港开通首条至东南亚集装箱直航航线"
    assert story.kicker == "港口物流提质增效再添新动能"
    assert story.subtitle == "单程航行时间缩短至9天"
    assert story.authors == ["陈立新"]
    text = "\n".join(b.text for b in story.blocks)
    for noise in ("脚本里的字", "样式里的字", "注入", "数字报首页", "第01版", "上一篇", "版权所有"):
        assert noise not in text
    assert "主要运输汽车配件" in text            # text of the stripped link is kept
    assert [b.kind for b in story.blocks] == ["caption", "para", "para", "heading", "para"]
    assert story.blocks[0].image.source == FIXTURES / "images" / "port-0520.jpg"


def test_gbk_epaper_with_characters_outside_gb2312():
    page = read_page(FIXTURES / "epaper-gbk-2024-05-21-05-03.html")
    (story,) = page.stories
    assert story.authors == ["王堃"]
    assert "签约企业代表张喆表示" in story.paragraphs[1]
    assert story.blocks[-1].text == "签约仪式现场。 本报记者 王堃 摄"


def test_utf8_page_mislabelled_as_gb2312_still_decodes(tmp_path):
    html = (FIXTURES / "epaper-utf8-2024-05-20-03-01.html").read_text(encoding="utf-8")
    wrong = tmp_path / "x-2024-05-20.html"
    wrong.write_bytes(html.replace('charset="utf-8"', 'charset="gb2312"').encode("utf-8"))
    page = read_page(wrong)
    assert page.stories[0].title == "营口港开通首条至东南亚集装箱直航航线"


@pytest.mark.parametrize("name, message", [
    ("garbage-2024-05-01.txt", "二进制"),
    ("not-an-article-2024-05-01.html", "找不到文章标题或正文"),
])
def test_unrecognisable_files_are_errors_naming_them(name, message):
    with pytest.raises(DigestError) as error:
        read_page(FIXTURES / name)
    assert name in str(error.value) and message in str(error.value)


def test_text_without_any_heading_is_unrecognisable(tmp_path):
    page = tmp_path / "prose-2024-05-01.txt"
    page.write_text("这是一段没有标题的文字，它不属于任何版面。\n\n第二段也没有标题。\n", encoding="utf-8")
    with pytest.raises(DigestError, match="prose-2024-05-01.txt"):
        read_page(page)


def test_masthead_line_gives_date_and_page_label():
    page = read_page(FIXTURES / "briefs-places-2024-05-15.txt")
    assert str(page.date) == "2024-05-15" and page.label == "第06版"
    assert len(page.stories) == 4
    assert page.stories[0].authors == ["周宁", "李娜"]
    assert not any("星期三" in b.text for s in page.stories for b in s.blocks)


def test_inline_summary_label_and_feature_without_briefs(tmp_path):
    page = tmp_path / "feature-2024-05-05.txt"
    page.write_text(
        "辽河口湿地迎来候鸟迁徙高峰——观鸟游客同比增长三成\n\n"
        "核心提示：春季以来，辽河口湿地观测到候鸟四十余种。\n\n"
        "湿地保护见成效\n\n"
        "西市区持续开展湿地保护修复，水质明显改善，鸟类栖息环境越来越好。\n\n"
        "责任编辑：张三\n",
        encoding="utf-8")
    (story,) = read_page(page).stories
    assert story.title == "辽河口湿地迎来候鸟迁徙高峰"
    assert story.subtitle == "观鸟游客同比增长三成"
    assert story.summary == "春季以来，辽河口湿地观测到候鸟四十余种。"
    assert [b.kind for b in story.blocks] == ["heading", "para"]
    assert story.authors == []
