"""E-paper pages: Founder fields, photos, encodings, 版面 pages and the issue file."""

from __future__ import annotations

import shutil

import pytest
import yaml
from PIL import Image as PILImage

from tests.digest_support import FIXTURES, articles, field, make_content
from yingkou_archive.digest.decode import decode_page
from yingkou_archive.digest.importer import ImportOptions, import_paths, read_page
from yingkou_archive.digest.model import DigestError

ISSUE = FIXTURES / "issue-2024-07-12"


@pytest.fixture()
def content(tmp_path):
    return make_content(tmp_path)


def do_import(content, *paths, **options):
    options.setdefault("source", "营口日报")
    return import_paths(paths, ImportOptions(content_dir=content, **options))


# --- Founder article pages ----------------------------------------------

def test_founder_tags_win_over_the_papers_h1():
    (story,) = read_page(ISSUE / "content_1101.htm").stories
    assert story.title == "营口港鲅鱼圈港区新建两个五万吨级泊位"          # not 营口日报
    assert story.kicker == "推进港产城融合发展"
    assert story.subtitle == "投用后年新增吞吐能力800万吨"
    assert [(c.role, c.name) for c in story.credits] == [("记者", "刘思远"), ("通讯员", "王堃")]


def test_enpproperty_and_enpcontent_without_founder_tags():
    page = read_page(ISSUE / "content_1102.htm")
    (story,) = page.stories
    assert story.title == "站前区建成首批“口袋公园”" and story.kicker == "城市更新惠民生"
    assert page.label == "第01版" and page.name == "要闻" and str(page.date) == "2024-07-12"
    assert story.paragraphs[0].startswith("本报讯 记者日前从站前区住建局获悉")
    assert not any("上一篇" in b.text for b in story.blocks)


def test_gbk_page_keeps_characters_outside_gb2312():
    raw = (ISSUE / "content_1101.htm").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")          # the page is GBK, labelled gb2312
    text, encoding = decode_page(raw, "x.htm", html=True)
    assert encoding == "gb18030" and "王堃" in text and "张喆" in text


def test_each_photo_gets_its_own_caption_and_decoration_is_dropped():
    page = read_page(ISSUE / "content_1101.htm")
    (story,) = page.stories
    photos = [(b.text, b.image.name) for b in story.blocks if b.kind == "caption"]
    assert photos == [("新建泊位施工现场。 本报记者 刘思远 摄", "a1101-1.jpg"),
                      ("自动化装卸设备正在调试。 通讯员 王堃 摄", "a1101-2.jpg")]
    dropped = {n.text: n.reason for n in page.lines if n.role == "furniture"}
    assert "icon_print" in "".join(dropped) and "arrow" in "".join(dropped)
    assert not any(b.image and b.image.name in ("logo.gif", "p01.jpg") for b in story.blocks)


def test_caption_paragraph_after_a_photo_is_not_body():
    (story,) = read_page(ISSUE / "content_1201.htm").stories
    assert [b.kind for b in story.blocks] == ["para", "para", "caption"]
    assert story.blocks[-1].text == "果农在果园里采摘早熟苹果。 本报记者 吴昊 摄"


def test_sec_line_byline_and_h3_kicker():
    (story,) = read_page(ISSUE / "content_1103.htm").stories
    assert story.kicker == "惠及企业职工1200余人" and story.authors == ["白雪"]


def test_a_table_of_figures_in_an_epaper_body_stays_a_table(tmp_path):
    page = tmp_path / "table-2024-07-12-03-01.html"
    page.write_text(
        "<html><head><meta charset='utf-8'></head><body><h1>上半年各区县地区生产总值</h1><div id='ozoom'>"
        "<p>本报讯 上半年全市经济运行稳中有进。</p><table><tr><th>地区</th><th>增速</th></tr>"
        "<tr><td>鲅鱼圈区</td><td>6.1%</td></tr><tr><td>大石桥市</td><td>5.4%</td></tr></table>"
        "<p>下半年将继续发力。</p></div></body></html>", encoding="utf-8")
    (story,) = read_page(page).stories
    assert [b.kind for b in story.blocks] == ["para", "table", "para"]
    assert story.blocks[1].rows == [["地区", "增速"], ["鲅鱼圈区", "6.1%"], ["大石桥市", "5.4%"]]


def test_paragraphs_separated_by_br_in_one_block(tmp_path):
    page = tmp_path / "br-2024-07-12-03-02.html"
    page.write_text(
        "<html><head><meta charset='utf-8'></head><body><h1>西市区开展消夏文艺演出</h1><div id='ozoom'><p>"
        "　　本报讯 7月5日晚，西市区在辽河广场举办消夏文艺演出。<br>　　演出持续到8月底，每周六晚举行。"
        "<br>　　市民可免费观看。</p></div></body></html>", encoding="utf-8")
    (story,) = read_page(page).stories
    assert story.paragraphs == ["本报讯 7月5日晚，西市区在辽河广场举办消夏文艺演出。", "演出持续到8月底，每周六晚举行。",
                                "市民可免费观看。"]


# --- Big5 ----------------------------------------------------------------

def test_big5_pages_are_converted_to_simplified():
    page = read_page(FIXTURES / "big5-page-2024-07-16.txt")
    assert page.encoding == "big5hkscs"
    assert [s.title for s in page.stories] == ["营口鲅鱼圈港区开通至高雄集装箱航线", "熊岳温泉吸引海外游客"]
    assert any("Big5" in w for w in page.warnings)


def test_big5_labelled_gb2312_is_still_read_as_big5(tmp_path):
    raw = (FIXTURES / "big5-epaper-2024-07-16-05-01.html").read_bytes().replace(b"charset=big5", b"charset=gb2312")
    wrong = tmp_path / "mislabelled-2024-07-16.html"
    wrong.write_bytes(raw)
    (story,) = read_page(wrong).stories
    assert story.title == "盖州市举办苹果采摘节"


def test_damaged_big5_is_refused_naming_the_file(tmp_path):
    raw = (FIXTURES / "big5-page-2024-07-16.txt").read_bytes()
    damaged = tmp_path / "damaged-2024-07-16.txt"
    damaged.write_bytes(raw[:300] + b"\xff\xfe" + raw[300:])
    with pytest.raises(DigestError, match="damaged-2024-07-16.txt.*Big5"):
        read_page(damaged)


def test_gbk_page_is_not_taken_for_big5(tmp_path):
    text = (FIXTURES / "pages" / "ykrb-p08-2024-07-10.txt").read_text(encoding="utf-8")
    page = tmp_path / "gbk-2024-07-10.txt"
    page.write_bytes(text.encode("gbk"))
    parsed = read_page(page)
    assert parsed.encoding == "gb18030" and parsed.stories[0].title == "站前区老旧小区改造惠及居民1.2万户"


# --- 版面 pages and issues -----------------------------------------------

def test_page_view_alone_imports_its_articles_in_page_order(tmp_path, content):
    folder = tmp_path / "issue"
    shutil.copytree(ISSUE, folder)
    report = do_import(content, folder / "node_1.htm")
    assert [o.title for o in report.outcomes] == [
        "营口港鲅鱼圈港区新建两个五万吨级泊位", "站前区建成首批“口袋公园”", "市人社局公布首批技能人才补贴名单"]
    texts = articles(content)
    assert [field(t, "Position") for t in texts.values()] == ["1", "2", "3"]
    assert {field(t, "Page") for t in texts.values()} == {"第01版"}


def test_page_view_without_its_articles_imports_nothing_and_says_so(content):
    page = FIXTURES / "pageview-alone-2024-07-13" / "node_3.htm"
    report = do_import(content, page)
    (error,) = report.failed_pages
    assert "node_3.htm" in str(error) and "content_1301.htm" in str(error) and "没有导入任何文章" in str(error)
    assert not (content / "articles").exists() and not (content / "issues").exists()


def test_issue_folder_writes_articles_issue_file_and_assets(tmp_path, content):
    folder = tmp_path / "issue-2024-07-12"
    shutil.copytree(ISSUE, folder)
    report = do_import(content, folder)
    assert len(report.written) == 5 and report.failed_pages == []
    assert any("content_1203.htm" in w for w in report.warnings)       # the missing one
    (issue,) = (content / "issues" / "2024").glob("*.yml")
    assert issue.name == "2024-07-12-ykrb.yml"
    data = yaml.safe_load(issue.read_text(encoding="utf-8"))
    assert data["source"] == "营口日报" and str(data["date"]) == "2024-07-12"
    assert [p["label"] for p in data["pages"]] == ["第01版", "第02版"]
    first = data["pages"][0]
    for key in ("image", "pdf"):
        assert (content / first[key]).is_file()
    for page in data["pages"]:
        for article in page["articles"]:
            text = (content / article["file"]).read_text(encoding="utf-8")
            assert field(text, "Page") == page["label"]
    # area coordinates were for the image shown at half size: doubled
    width, height = PILImage.open(content / first["image"]).size
    assert (width, height) == (1000, 1400)
    assert first["articles"][0]["region"] == [[40, 60], [960, 60], [960, 520], [40, 520]]
    assert first["articles"][2]["region"] == [500, 540, 960, 1120]   # two areas: their bounding box
    # 2.5x for the second page (style width only, height from the aspect ratio)
    assert data["pages"][1]["articles"][1]["region"][0] == [40, 625]


def test_reimporting_an_issue_changes_nothing(tmp_path, content):
    folder = tmp_path / "issue-2024-07-12"
    shutil.copytree(ISSUE, folder)
    do_import(content, folder)
    before = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    report = do_import(content, folder)
    assert report.written == [] and report.images == []
    assert report.issue_files[0][1] == "unchanged"
    assert {p: p.read_bytes() for p in content.rglob("*") if p.is_file()} == before


def test_issue_file_keeps_hand_edits(tmp_path, content):
    folder = tmp_path / "issue-2024-07-12"
    shutil.copytree(ISSUE, folder)
    (folder / "node_2.htm").unlink()
    do_import(content, folder)
    (issue,) = (content / "issues" / "2024").glob("*.yml")
    data = yaml.safe_load(issue.read_text(encoding="utf-8"))
    data["pages"][0]["name"] = "要闻·头版"          # an editor's correction
    data["pages"][0]["articles"][0]["region"] = [1, 2, 3, 4]
    issue.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copy(ISSUE / "node_2.htm", folder / "node_2.htm")
    report = do_import(content, folder)
    assert report.issue_files[0][1] == "updated"
    data = yaml.safe_load(issue.read_text(encoding="utf-8"))
    assert data["pages"][0]["name"] == "要闻·头版"
    assert data["pages"][0]["articles"][0]["region"] == [1, 2, 3, 4]
    assert [p["label"] for p in data["pages"]] == ["第01版", "第02版"]


def test_damaged_issue_file_is_left_alone(tmp_path, content):
    folder = tmp_path / "issue-2024-07-12"
    shutil.copytree(ISSUE, folder)
    issue = content / "issues" / "2024" / "2024-07-12-ykrb.yml"
    issue.parent.mkdir(parents=True)
    issue.write_text("pages: [unclosed\n", encoding="utf-8")
    report = do_import(content, folder)
    assert issue.read_text(encoding="utf-8") == "pages: [unclosed\n"
    assert any(str(issue) in w and "未改动" in w for w in report.warnings)


def test_not_an_article_html_is_still_an_error():
    with pytest.raises(DigestError, match="not-an-article"):
        read_page(FIXTURES / "not-an-article-2024-05-01.html")


def test_enpcontent_markers_in_different_elements(tmp_path):
    page = tmp_path / "split-2024-07-12-02-03.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>营口日报</title></head><body>"
        "<!--enpproperty <title>老边区举办农民丰收节</title><author>记者 苗青</author>"
        "<nodename>第02版：县区</nodename><date>2024-07-12</date>/enpproperty-->"
        "<div class='a'><!--enpcontent--><p>本报讯 老边区日前举办农民丰收节。</p></div>"
        "<div class='b'><p>活动持续三天。</p><!--/enpcontent--></div></body></html>", encoding="utf-8")
    page_ = read_page(page)
    (story,) = page_.stories
    assert story.title == "老边区举办农民丰收节" and story.authors == ["苗青"] and page_.label == "第02版"
    assert story.paragraphs == ["本报讯 老边区日前举办农民丰收节。", "活动持续三天。"]
