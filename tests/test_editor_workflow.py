"""Editors' workflow: new, check, redirects, publishing, precompression."""

from __future__ import annotations

import datetime as dt
import gzip
import re

import brotli
import pytest
from invoke import Context, Exit

import tasks
from sitebuild.build import build_site
from sitebuild.publish import MARKER, publish_to_folder
from tests.helpers import sitemap_entries, tree_digest
from tests.test_bad_content import CASES, GOOD
from yingkou_archive.article import BODY_PLACEHOLDER
from yingkou_archive.content_check import check_content
from yingkou_archive.errors import ArchiveError, ContentError
from yingkou_archive.new_article import new_article
from yingkou_archive.vocabulary import load_vocabulary


@pytest.fixture()
def vocabulary(content_copy):
    return load_vocabulary(content_copy / "taxonomy.yml")


def test_new_article_passes_check_and_builds(content_copy, vocabulary, tmp_path):
    path = new_article(content_copy, vocabulary, "营口港开通新航线 助力外贸发展",
                       {"topic": "港口物流、对外开放", "district": "鲅鱼圈", "agency": "营口港集团"},
                       date=dt.date(2024, 5, 6), authors="王晓东")
    assert path == content_copy / "articles/2024/05/2024-05-06-ying-kou-gang-kai-tong-xin-hang-xian.md"
    text = path.read_text(encoding="utf-8")
    assert "Topic: 港口物流、对外开放" in text and "District: 鲅鱼圈区" in text
    assert "Agency: 营口港务集团" in text
    assert "Summary:" not in text  # an empty one would be an error
    # the placeholder body is refused until the editor writes one
    report = check_content(content_copy)
    assert [(p.path.rsplit("/", 1)[-1], "占位文字" in p.message) for p in report.problems] == \
        [(path.name, True)]
    path.write_text(text.replace(BODY_PLACEHOLDER, "新航线每周两班。"), encoding="utf-8")
    report = check_content(content_copy)
    assert report.ok, report.problems
    build_site(content_copy, tmp_path / "out", search=False)
    page = tmp_path / "out/2024/05" / path.stem / "index.html"
    assert "营口港开通新航线" in page.read_text(encoding="utf-8")


def test_new_never_overwrites(content_copy, vocabulary):
    first = new_article(content_copy, vocabulary, "同一个标题", {"topic": "营商环境", "district": "站前区"},
                        date=dt.date(2024, 5, 6))
    first.write_text(first.read_text(encoding="utf-8") + "编辑改过的正文\n", encoding="utf-8")
    second = new_article(content_copy, vocabulary, "同一个标题", {"topic": "营商环境", "district": "站前区"},
                         date=dt.date(2024, 5, 6))
    assert second != first and second.name.endswith("-2.md")
    assert "编辑改过的正文" in first.read_text(encoding="utf-8")


def test_new_rejects_unknown_topic_with_suggestion(content_copy, vocabulary):
    with pytest.raises(ArchiveError, match="是不是“营商环境”"):
        new_article(content_copy, vocabulary, "标题", {"topic": "营商环镜", "district": "站前区"})
    assert not list((content_copy / "articles").rglob("*biao-ti*"))


def test_invoke_new_task(content_copy, monkeypatch):
    monkeypatch.setattr(tasks, "CONTENT", content_copy)
    monkeypatch.setattr(tasks, "ROOT", content_copy.parent)
    tasks.new(Context(), "西市区启动老旧小区改造", topic="城市建设", district="西市区",
              date="2024-07-01")
    assert (content_copy / "articles/2024/07").is_dir()
    with pytest.raises(Exit):
        tasks.new(Context(), "标题", topic="城市建设", district="西市区", date="2024-13-01")


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_catches_what_the_build_catches(content_copy, case):
    text, expected = CASES[case]
    bad = content_copy / "articles" / "2024" / "03" / f"bad-{case}.md"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text(text, encoding="utf-8")
    report = check_content(content_copy)
    message = "\n".join(map(str, report.problems))
    assert not report.ok and bad.name in message
    for fragment in expected:
        assert fragment in message


@pytest.mark.parametrize("name,data,fragment", [
    ("gbk.md", GOOD.encode("gbk"), "GBK"),
    ("photo.md", (GOOD + "\n![x]({static}/images/none.png)\n").encode(), "images/none.png"),
])
def test_check_catches_encoding_and_missing_files(content_copy, name, data, fragment):
    (content_copy / "articles" / "2024" / "03").mkdir(parents=True, exist_ok=True)
    (content_copy / "articles" / "2024" / "03" / name).write_bytes(data)
    report = check_content(content_copy)
    assert any(name in str(p) and fragment in str(p) for p in report.problems)


def test_check_catches_url_collision(content_copy):
    folder = content_copy / "articles" / "2024" / "03"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("one.md", "two.md"):
        (folder / name).write_text(GOOD.replace("Topic:", "Slug: clash\nTopic:"), encoding="utf-8")
    problems = "\n".join(map(str, check_content(content_copy).problems))
    assert "one.md" in problems and "two.md" in problems and "clash" in problems


def test_invoke_check_exit_code(content_copy, capsys):
    tasks.check(Context(), content=str(content_copy))
    articles = len(list((content_copy / "articles").rglob("*.md")))
    issue_files = len(list((content_copy / "issues").rglob("*.yml")))
    assert issue_files > 0
    assert f"检查通过：{articles} 篇文章，{issue_files} 个版面文件" in capsys.readouterr().out
    (content_copy / "articles" / "bad.md").write_text(CASES["invalid_date"][0], encoding="utf-8")
    with pytest.raises(Exit) as failure:
        tasks.check(Context(), content=str(content_copy))
    assert failure.value.code == 1


def _redirect_target(page):
    html = page.read_text(encoding="utf-8")
    return re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html).group(1)


def test_renamed_article_and_term_slugs_redirect(content_copy, tmp_path):
    article = next((content_copy / "articles" / "2023").rglob("*.md"))
    old_url = f"2023/{article.parent.name}/{article.stem}/"
    renamed = article.with_name("renamed-story.md")
    article.rename(renamed)
    text = renamed.read_text(encoding="utf-8")
    renamed.write_text(text.replace("Title:", f"Aliases: {old_url}\nTitle:", 1), encoding="utf-8")
    vocab = content_copy / "taxonomy.yml"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace(
        "    slug: gangkou-wuliu\n", "    slug: port-logistics\n    old_slugs: [gangkou-wuliu]\n"),
        encoding="utf-8")
    out = tmp_path / "out"
    build_site(content_copy, out, search=False)

    old_page = out / old_url / "index.html"
    target = _redirect_target(old_page)
    assert (old_page.parent / target / "index.html").resolve() == \
        (out / f"2023/{article.parent.name}/renamed-story/index.html").resolve()
    term_redirect = out / "topics/gangkou-wuliu/index.html"
    assert (term_redirect.parent / _redirect_target(term_redirect) / "index.html").resolve() == \
        (out / "topics/port-logistics/index.html").resolve()
    assert not any("gangkou-wuliu" in loc for loc in sitemap_entries(out))


def test_redirect_over_a_live_page_fails(content_copy, tmp_path):
    first, second = sorted((content_copy / "articles" / "2023").rglob("*.md"))[:2]
    live = f"2023/{second.parent.name}/{second.stem}/"
    first.write_text(first.read_text(encoding="utf-8").replace("Title:", f"Aliases: {live}\nTitle:", 1),
                     encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(first.name)):
        build_site(content_copy, tmp_path / "out", search=False)


def test_urls_do_not_change_when_articles_are_added(content_copy, tmp_path):
    build_site(content_copy, tmp_path / "a", search=False)
    before = {p for p in tree_digest(tmp_path / "a") if re.match(r"\d{4}/\d\d/[^/]+/index.html", p)}
    folder = content_copy / "articles" / "2022" / "01"
    (folder / "2022-01-01-earliest.md").write_text(GOOD.replace("2024-03-05", "2022-01-01"),
                                                    encoding="utf-8")
    build_site(content_copy, tmp_path / "b", search=False)
    after = set(tree_digest(tmp_path / "b"))
    assert before <= after
    assert "2022/01/2022-01-01-earliest/index.html" in after


def test_publish_to_folder_gives_the_build_tree(tmp_path, monkeypatch):
    monkeypatch.setenv("SITEURL", "https://news.example.org")
    built = tmp_path / "built"
    build_site(output_dir=built, settings_file=tasks.ROOT / "publishconf.py")
    dest = tmp_path / "site"
    tasks.publish(Context(), target="folder", dest=str(dest), output=str(tmp_path / "out"))
    expected = tree_digest(built)  # without the build's bookkeeping, which is not published
    published = tree_digest(dest)
    assert published.pop(MARKER)
    assert published == expected
    assert not (dest / ".archive-state").exists()
    html = (dest / "index.html").read_text(encoding="utf-8")
    assert 'href="https://news.example.org/theme/css/site.css?v=' in html


def test_publish_refuses_output_as_destination(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(ArchiveError):
        publish_to_folder(tmp_path / "out", tmp_path / "out" / "inner")


def test_publish_without_siteurl_fails(monkeypatch, tmp_path):
    monkeypatch.delenv("SITEURL", raising=False)
    with pytest.raises(Exit):
        tasks.publish(Context(), target="folder", dest=str(tmp_path / "d"))


def test_precompressed_siblings(content_copy, tmp_path):
    out = tmp_path / "out"
    build_site(content_copy, out, search=False, overrides={"PRECOMPRESS": ("gz", "br")})
    page = out / "index.html"
    assert gzip.decompress((out / "index.html.gz").read_bytes()) == page.read_bytes()
    assert brotli.decompress((out / "index.html.br").read_bytes()) == page.read_bytes()
    assert (out / "theme/css/site.css.gz").exists()
    assert not list(out.rglob("*.png.gz"))
