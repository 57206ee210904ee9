"""Whatever a page holds, the importer imports it or names it in an error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.digest_support import make_content
from yingkou_archive.article import read_article
from yingkou_archive.content_check import check_content
from yingkou_archive.digest.importer import ImportOptions, import_paths
from yingkou_archive.vocabulary import load_vocabulary

# Pieces of real page shapes, mixed with arbitrary text, so the parser's
# branches (headings, briefs, captions, credits, breaks) are all exercised.
PIECES = [
    "营口快讯 KUAIXUN", "核心提示", "本版稿件由本报记者王晓东采写", "本版照片除署名外由营口港务集团提供",
    "海铁联运班列再添新线路", "打通物流“主动脉”", "本报讯 6月12日，熊岳镇温泉小镇接待游客8万人次。",
    "营口港集装箱码头夜景。 本报记者 王晓东 摄", "为腹地企业提供了更加便捷的通", "道。",
    "西市区人民检察院联合老边区市场监督管理局开展普法，", "2024年6月18日 星期二 第08版",
    "# 标题", "<script>alert(1)</script>", "Title: 伪造", "*", "[x](y)", "——", "", "", "\t\u3000",
]
lines = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=60)), max_size=30)
SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def check_import(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        content = make_content(tmp)
        page = tmp / f"page-2024-06-18{suffix}"
        page.write_bytes(data)
        report = import_paths([page], ImportOptions(content_dir=content))
        for error in report.failed_pages:
            assert page.name in str(error)          # a clear error naming the file
        assert report.failed == []                   # no story fails validation
        vocabulary = load_vocabulary(content / "taxonomy.yml")
        for path in (content / "articles").rglob("*.md"):
            result = read_article(path.read_bytes(), str(path), vocabulary)
            assert result.problems == [], result.problems
        assert check_content(content).ok
        if not report.failed_pages:
            assert report.written, "a page that imports writes at least one article"


@pytest.mark.slow
@SETTINGS
@given(lines)
def test_arbitrary_text_pages(parts):
    check_import("\n".join(parts).encode("utf-8"), ".txt")


@pytest.mark.slow
@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data):
    check_import(data, ".txt")


@pytest.mark.slow
@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=40)), max_size=12),
       st.sampled_from(["utf-8", "gb18030"]))
def test_arbitrary_html_pages(parts, encoding):
    paragraphs = "".join(f"<p>{p}</p>" for p in parts)
    html = (f'<html><head><meta charset="{encoding}"></head><body>'
            f'<h1>{parts[0] if parts else ""}</h1><div class="article-content">{paragraphs}</div></body></html>')
    check_import(html.encode(encoding, errors="replace"), ".html")
