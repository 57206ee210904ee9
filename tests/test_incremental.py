"""An incremental build gives exactly the output of a clean build."""

from __future__ import annotations

from functools import partial

import pytest

from sitebuild.build import build_site
from tests.helpers import record_calls, tree_digest

NEW = """Title: 站前区新增三处口袋公园 {n}
Date: 2024-12-2{n}
Topic: 城市建设
District: 站前区
Agency: 营口市住房和城乡建设局

本报讯 站前区新建的口袋公园近日向市民开放，编号 {n}。
"""


def _edit(content):
    articles = sorted((content / "articles").rglob("*.md"))
    for n in range(1, 4):  # added
        (content / "articles" / "2024" / "12" / f"2024-12-2{n}-new-park-{n}.md").write_text(
            NEW.format(n=n), encoding="utf-8")
    edited = articles[5]  # body and title edited
    edited.write_text(edited.read_text(encoding="utf-8").replace("Title: ", "Title: 【更新】", 1)
                      + "\n补充一段新的正文。\n", encoding="utf-8")
    articles[10].unlink()  # removed
    retagged = articles[20]  # retagged: another topic and district
    text = retagged.read_text(encoding="utf-8").split("\n")
    text = ["Topic: 科技创新" if line.startswith("Topic:") else
            "District: 盖州市" if line.startswith("District:") else line for line in text]
    retagged.write_text("\n".join(text), encoding="utf-8")
    _edit_issue_files(content)


def _edit_issue_files(content):
    """The printed paper: an issue file reordered with a region moved, a
    page image redrawn, an article dropped from its page, a new issue."""
    import yaml
    from PIL import Image

    path = content / "issues" / "2024" / "2024-09-10-ykxwdaslbm.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    front, city, culture = data["pages"]
    front["articles"].reverse()
    front["articles"][0]["region"] = [50, 220, 950, 660]
    city["name"] = "城市建设"
    culture["articles"].pop()  # still an article, now on no page
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    image = content / front["image"]
    with Image.open(image) as drawn:
        drawn.convert("RGB").transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(image)
    new = content / "issues" / "2024" / "2024-12-21-ykxwdaslbm.yml"
    new.write_text("date: 2024-12-21\nsource: 营口新闻档案示例版面\npages:\n- label: 第01版\n  articles:\n"
                   "  - file: articles/2024/12/2024-12-21-new-park-1.md\n", encoding="utf-8")


@pytest.mark.parametrize("search", [False, True])
def test_incremental_output_equals_clean_build(content_copy, tmp_path, search):
    incremental = tmp_path / "incremental"
    build_site(content_copy, incremental, search=search)
    first = tree_digest(incremental)
    inodes = {p: (incremental / p).stat().st_ino for p in first}
    _edit(content_copy)
    build_site(content_copy, incremental, search=search)

    clean = tmp_path / "clean"
    build_site(content_copy, clean, search=search,
               overrides={"CACHE_PATH": str(tmp_path / "fresh-cache")})
    after, expected = tree_digest(incremental), tree_digest(clean)
    assert after == expected
    assert after != first
    # unchanged files were kept (same inode), not written again
    unchanged = [p for p in first if after.get(p) == first[p]]
    kept = [p for p in unchanged if (incremental / p).stat().st_ino == inodes[p]]
    assert len(unchanged) > 20
    assert len(kept) == len(unchanged), sorted(set(unchanged) - set(kept))


def test_a_failing_search_index_fails_the_build_and_keeps_the_output(content_copy, tmp_path,
                                                                     monkeypatch):
    from search import write as search_index
    from sitebuild.build import BuildError

    output = tmp_path / "site"
    build_site(content_copy, output)
    before = tree_digest(output)
    _edit(content_copy)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    # the index runs in a forked child, which inherits the patched module
    monkeypatch.setattr(search_index, "write_search_index", broken)
    with pytest.raises(BuildError, match="搜索索引生成失败：OSError: disk full"):
        build_site(content_copy, output)
    assert tree_digest(output) == before
    assert not list(tmp_path.glob(".site.build-*"))  # the work folder is gone


def test_a_search_index_process_that_dies_fails_the_build(content_copy, tmp_path, monkeypatch):
    import os

    from search import write as search_index
    from sitebuild.build import BuildError

    def killed(*args, **kwargs):
        os._exit(9)  # as if the system killed it: no word back

    monkeypatch.setattr(search_index, "write_search_index", killed)
    with pytest.raises(BuildError, match="进程意外结束（退出码 9）"):
        build_site(content_copy, tmp_path / "site")
    assert not (tmp_path / "site").exists()


@pytest.mark.slow
def test_a_daily_build_rewrites_few_files(tmp_path):
    """+10 new articles to a 600-article archive: the output equals a clean
    build, and only the pages that show the new articles are rewritten."""
    import datetime as dt
    import json

    from yingkou_archive.synthetic import ArticleGenerator, generate_archive
    from yingkou_archive.vocabulary import load_vocabulary

    content = tmp_path / "content"
    generate_archive(content, 600, seed=9)
    output = tmp_path / "output"
    build_site(content, output, search=True)
    total = len(tree_digest(output))
    generator = ArticleGenerator(load_vocabulary(content / "taxonomy.yml"), seed=10)
    for index in range(600, 610):
        rel, text = generator.article(index, dt.date(2026, 1, 15))  # the newest articles
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    result = build_site(content, output, search=True)
    clean = tmp_path / "clean"
    build_site(content, clean, search=True, overrides={"CACHE_PATH": str(tmp_path / "fresh")})
    assert tree_digest(output) == tree_digest(clean)
    changed = json.loads((output / ".archive-state" / "generation.json").read_text(encoding="utf-8"))["changed"]
    site = [p for p in changed if not p.startswith(("search/", ".archive-state/"))]
    print(f"\n+10 articles to 600: {len(changed)} of {total} files rewritten, "
          f"{len(site)} outside the search index: {sorted(site)}")
    assert result.changed == len(changed)
    new_pages = [p for p in site if p.startswith("2026/01/") and p.count("/") == 3]
    assert len(new_pages) == 10
    assert len(site) < 120, sorted(site)


def test_a_changed_vocabulary_term_equals_a_clean_build(content_copy, tmp_path):
    """An agency's slug changes in taxonomy.yml and nothing else: the
    article pages that link to it are made again although no article
    changed (article page keys name their articles by source file)."""
    incremental = tmp_path / "incremental"
    build_site(content_copy, incremental, search=False)
    first = tree_digest(incremental)
    vocabulary = content_copy / "taxonomy.yml"
    text = vocabulary.read_text(encoding="utf-8")
    assert "slug: yingkou-gangwu-jituan" in text
    vocabulary.write_text(text.replace("slug: yingkou-gangwu-jituan", "slug: yingkou-gang-jituan"),
                          encoding="utf-8")
    build_site(content_copy, incremental, search=False)
    clean = tmp_path / "clean"
    build_site(content_copy, clean, search=False, overrides={"CACHE_PATH": str(tmp_path / "fresh-cache")})
    after = tree_digest(incremental)
    assert after == tree_digest(clean)
    relinked = [p for p in first if p.endswith("index.html") and p.startswith("20") and after.get(p) != first[p]]
    assert relinked, "no article page links to the renamed agency"


def test_a_changed_dict_or_function_setting_equals_a_clean_build(content_copy, tmp_path):
    """Settings that are not plain values (the Jinja options, a template
    filter) are part of every page's key too."""
    from plugins.pelican_run import read_build_settings

    base = read_build_settings("pelicanconf.py")
    incremental = tmp_path / "incremental"
    build_site(content_copy, incremental, search=False)
    first = tree_digest(incremental)
    def filters(person):  # an article page's structured data names its authors through this filter
        return {**base["JINJA_FILTERS"], "jsonld_person": person}

    changed = [
        # whitespace of every page
        ("JINJA_ENVIRONMENT", {**base["JINJA_ENVIRONMENT"], "lstrip_blocks": False}),
        ("JINJA_FILTERS", filters(lambda name: {"@type": "Person", "name": f"记者{name}"})),
        # the same function with another argument bound
        ("JINJA_FILTERS", filters(partial(_person_with_title, "通讯员"))),
        ("JINJA_FILTERS", filters(partial(_person_with_title, "特约记者"))),
        # the same code closing over another value
        ("JINJA_FILTERS", filters(_titled_person("编辑"))),
        ("JINJA_FILTERS", filters(_titled_person("摄影记者"))),
    ]
    overrides = {}
    for step, (name, value) in enumerate(changed):  # one more changed at each step
        overrides[name] = value
        build_site(content_copy, incremental, search=False, overrides=overrides)
        clean = tmp_path / f"clean-{step}"
        build_site(content_copy, clean, search=False,
                   overrides={**overrides, "CACHE_PATH": str(tmp_path / f"fresh-{step}")})
        after = tree_digest(incremental)
        assert after == tree_digest(clean), step
        assert after != first, step
        first = after


def _person_with_title(title, name):
    return {"@type": "Person", "name": f"{title}{name}"}


def _titled_person(title):
    return lambda name: {"@type": "Person", "name": f"{title}{name}"}


OLDER = """Title: 营口港新增两条集装箱航线 {n}
Date: 2024-01-1{n} 09:30
Topic: 港口物流
District: 鲅鱼圈区
Agency: 营口港务集团

本报讯 营口港近日开通两条新的集装箱航线，第 {n} 条通往东南亚。
"""


def test_a_daily_build_makes_keys_only_for_article_pages_that_may_have_changed(content_copy, tmp_path,
                                                                                 monkeypatch):
    """New articles among old ones (new neighbours, new related articles)
    and an old article's body edited: the writer makes the keys of the
    pages the plugins name (article_pages_changing), keeps the others'
    without making them, and the output equals a clean build.  The
    autouse check makes the kept keys anyway and fails on any that
    changed."""
    import yaml

    import plugins.archive_writer as writer_module

    output = tmp_path / "output"
    build_site(content_copy, output, search=False)
    articles = sorted((content_copy / "articles").rglob("*.md"))
    for n in range(1, 3):  # between older articles, sharing terms with many
        (content_copy / "articles" / "2024" / "01" / f"2024-01-1{n}-new-route-{n}.md").write_text(
            OLDER.format(n=n), encoding="utf-8")
    edited = articles[3]  # its body only: same place in every list
    edited.write_text(edited.read_text(encoding="utf-8") + "\n记者补充了一段新的正文。\n", encoding="utf-8")
    issue = content_copy / "issues" / "2024" / "2024-09-10-ykxwdaslbm.yml"  # a printed page reordered
    data = yaml.safe_load(issue.read_text(encoding="utf-8"))
    data["pages"][0]["articles"].reverse()
    issue.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    monkeypatch.setattr(writer_module, "CHECK_UNNAMED_PAGES", False)
    made = record_calls(monkeypatch, writer_module, "article_page_key", lambda _site, name, *_: name)
    build_site(content_copy, output, search=False)
    clean = tmp_path / "clean"
    build_site(content_copy, clean, search=False, overrides={"CACHE_PATH": str(tmp_path / "fresh-cache")})
    assert tree_digest(output) == tree_digest(clean)
    pages = [p for p in tree_digest(clean) if p.startswith("20") and p.count("/") == 3]
    incremental_keys = made[:len(made) - len(pages)]  # the clean build makes every key
    assert len(made) - len(incremental_keys) == len(pages)
    print(f"\nkeys made for {len(incremental_keys)} of {len(pages)} article pages: {sorted(incremental_keys)}")
    # the demo's printed pages and photos make many keys; the rest are kept unmade
    assert len(pages) - len(incremental_keys) >= 20, sorted(incremental_keys)
    assert {"2024/01/2024-01-11-new-route-1/index.html", "2024/01/2024-01-12-new-route-2/index.html"} \
        <= set(incremental_keys)


def test_an_old_article_edited_renders_the_pages_that_list_it_as_related(tmp_path):
    """A body edit keeps an article in its place in every list, but the
    pages that show it as a related article name it by its source: their
    keys are made (the autouse check fails the build if one is kept
    unmade), and the output equals a clean build."""
    from yingkou_archive.synthetic import generate_archive

    content = tmp_path / "content"
    generate_archive(content, 300, seed=4)
    output = tmp_path / "output"
    build_site(content, output, search=False)
    edited = sorted((content / "articles").rglob("*.md"))[150]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n记者补充了一段新的正文。\n", encoding="utf-8")
    build_site(content, output, search=False)
    clean = tmp_path / "clean"
    build_site(content, clean, search=False, overrides={"CACHE_PATH": str(tmp_path / "fresh-cache")})
    assert tree_digest(output) == tree_digest(clean)
