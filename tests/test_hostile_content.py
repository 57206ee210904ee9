"""Hostile and careless input: nothing lost, nothing live, nothing outside the site.

The refusals themselves are the CASES of tests/test_bad_content.py; these
are the inputs that must pass, and the rules that hold where URLs are made.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from search.errors import SearchIndexError
from search.extract import read_article_page
from sitebuild.build import build_site
from tests.test_bad_content import GOOD
from yingkou_archive.article import read_article
from yingkou_archive.content_check import check_content, prepare_page, site_urls
from yingkou_archive.errors import ArchiveError, VocabularyError
from yingkou_archive.issues import read_issues
from yingkou_archive.links import is_site_path, static_files
from yingkou_archive.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent


def _write(content: Path, name: str, text: str) -> Path:
    path = content / "articles" / "2024" / "03" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_links_into_the_site_pass_check(content_copy):
    _write(content_copy, "links.md", GOOD + """
[生态](/2023/04/2023-04-07-eco-pact/) [同月](../../../2023/04/2023-04-07-eco-pact/)
[专题](/topics/gangkou-wuliu/) [关于](/pages/about/) [归档](/archives/) [年](/2023/)
[首页](/) [本段](#top) [信](mailto:news@example.org) [外站](https://example.org/a)
[文件]({filename}/articles/2023/04/2023-04-07-eco-pact.md) [图](/images/2023/port-cranes.png)
[订阅](/topics/gangkou-wuliu/atom.xml) [无斜杠](/2023/04/2023-04-07-eco-pact)

![港口]({static}/images/2023/port-cranes.png)
""")
    report = check_content(content_copy)
    assert report.ok, report.problems


def test_the_site_url_model_is_what_the_build_writes(demo_site):
    """The URLs links are checked against are exactly the pages built (but
    pagination, the theme's files, resized photos and the search index's)."""
    content = ROOT / "content"
    report = check_content(content)
    pages = [prepare_page(p.read_bytes(), p.name, p, content).checked.meta
             for p in sorted((content / "pages").glob("*.md"))]
    static = [p.relative_to(content).as_posix() for p in static_files(content)]
    articles = {Path(meta.path).relative_to("content").as_posix() for meta in report.articles}
    issues, problems = read_issues(content, ROOT, articles)
    assert issues and not problems
    model = site_urls(report.articles, pages, load_vocabulary(content / "taxonomy.yml"), static, issues=issues)
    built = set()
    for path in demo_site.rglob("*"):
        relative = path.relative_to(demo_site).as_posix()
        if not path.is_file() or re.match(r"theme/|derived/|search/(?!index\.html$)|\.archive-state/|(.*/)?page/\d+/",
                                          relative):
            continue
        built.add(relative[: -len("index.html")] if relative.endswith("index.html") else relative)
    assert model == built


def test_a_draft_is_checked_but_never_published(content_copy, tmp_path):
    _write(content_copy, "draft-story.md", GOOD.replace("一篇正常的文章", "尚未定稿的草稿")
           .replace("Topic:", "Status: draft\nTopic:"))
    assert check_content(content_copy).ok
    out = tmp_path / "out"
    build_site(content_copy, out)
    assert not list(out.rglob("*draft-story*"))
    for path in out.rglob("*"):
        if path.suffix in (".html", ".xml"):
            assert "尚未定稿的草稿" not in path.read_text(encoding="utf-8"), path
    docs = b"".join(gzip.decompress(p.read_bytes()) for p in (out / "search" / "doc").glob("*.bin"))
    assert "尚未定稿的草稿".encode() not in docs and b"draft-story" not in docs


def test_a_link_to_a_draft_is_a_dead_link(content_copy):
    _write(content_copy, "draft-story.md", GOOD.replace("Topic:", "Status: draft\nTopic:"))
    _write(content_copy, "links-draft.md", GOOD + "\n[草稿](/2024/03/draft-story/)\n")
    problems = [str(p) for p in check_content(content_copy).problems]
    assert problems == ["content/articles/2024/03/links-draft.md: 站内链接 /2024/03/draft-story/ 指向的页面不存在"]


def test_titles_lose_bidi_and_zero_width_characters(content_copy):
    vocabulary = load_vocabulary(content_copy / "taxonomy.yml")
    text = GOOD.replace("一篇正常的文章", "营口\u202e港\u200b口\u2066新闻\u2069")
    result = read_article(text.encode(), "a.md", vocabulary)
    assert result.meta.title == "营口港口新闻"


def test_a_caption_without_a_photo_is_a_warning(content_copy):
    _write(content_copy, "lone-caption.md", GOOD + "\n![港口夜景 本报记者 王晓东 摄]()\n")
    report = check_content(content_copy)
    assert report.ok
    assert [str(w) for w in report.warnings if "lone-caption" in w.path] == [
        "content/articles/2024/03/lone-caption.md: 图片说明“港口夜景 本报记者 王晓东 摄”没有图片（图片地址为空）"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/x/", "https://evil.example/",
                                 "2024/03/../../x/", "2024/03/a b/", "./x/", "\\\\evil.example\\x"])
def test_the_search_index_takes_only_site_paths(url):
    page = (f'<article class="article" data-url="{url}" data-date="2024-03-05"><h1>标题</h1>'
            '<div class="article-body"><p>正文</p></div></article>')
    assert not is_site_path(url)
    with pytest.raises(SearchIndexError, match="不是站内路径"):
        read_article_page(page, "2024/03/x/")


def test_site_paths():
    for url in ("", "2024/03/slug/", "pages/about/", "images/2023/a.png", "feeds/all.atom.xml"):
        assert is_site_path(url), url


def test_an_article_url_setting_that_leaves_the_site_fails_the_build(content_copy, tmp_path):
    with pytest.raises(ArchiveError, match="不是站内路径"):
        build_site(content_copy, tmp_path / "out", search=False,
                   overrides={"ARTICLE_URL": "javascript:alert({slug})/"})


def test_a_repeated_key_in_the_vocabulary_is_an_error(content_copy):
    vocabulary = content_copy / "taxonomy.yml"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8").replace(
        "    slug: gangkou-wuliu\n", "    slug: gangkou-wuliu\n    slug: port\n"), encoding="utf-8")
    with pytest.raises(VocabularyError, match="键“slug”在第 33 行和第 34 行各写了一次"):
        load_vocabulary(vocabulary)
    with pytest.raises(VocabularyError, match="taxonomy.yml"):
        check_content(content_copy)
