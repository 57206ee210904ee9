"""The content plugin alone: the archive's reader with its rules."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from yingkou_archive.errors import ContentError

TEST_DATA = Path(__file__).resolve().parent / "test_data"
SETTINGS = {"ARTICLE_URL": "{date:%Y}/{date:%m}/{slug}/", "ARTICLE_SAVE_AS": "{date:%Y}/{date:%m}/{slug}/index.html",
            "STATIC_PATHS": ["images"]}


@pytest.fixture()
def content(tmp_path) -> Path:
    shutil.copytree(TEST_DATA / "content", tmp_path / "content")
    return tmp_path / "content"


def _build(build_tiny_site, content, out):
    return build_tiny_site(content, out, ["plugins.archive_content"], TEST_DATA / "theme", **SETTINGS)


def test_an_article_is_validated_resolved_and_made_safe(content, tmp_path, build_tiny_site):
    out = _build(build_tiny_site, content, tmp_path / "out")
    head, body = (out / "2024/06/beach/index.html").read_text(encoding="utf-8").split("\n", 1)
    title, topics, districts, date, summary = head.split("|")
    assert title == "红海滩观景栈道重新开放"  # markup in a title is removed
    assert (topics, districts, date) == ("乡村振兴", "盖州市,鲅鱼圈区", "2024年6月1日")
    assert summary.startswith("栈道全长三公里") and summary.endswith("…") and len(summary) <= 112
    assert '<figure><img alt="退潮后的红海滩。" loading="lazy" src="/images/beach.png">' in body
    assert "<figcaption>退潮后的红海滩。 本报记者 李卓 摄</figcaption>" in body
    assert "<script" not in body and "alert" not in body and "第二段照常显示。" in body


def test_every_bad_file_is_named_in_one_error(content, tmp_path, build_tiny_site):
    folder = content / "articles"
    (folder / "no-title.md").write_text("Date: 2024-06-02\nTopic: 乡村振兴\nDistrict: 盖州市\n\n正文。\n",
                                        encoding="utf-8")
    (folder / "bad-date.md").write_text("Title: 日期\nDate: 2024-02-30\nTopic: 乡村振兴\nDistrict: 盖州市\n\n正文。\n",
                                        encoding="utf-8")
    (folder / "lost-photo.md").write_text(
        "Title: 照片\nDate: 2024-06-03\nTopic: 乡村振兴\nDistrict: 盖州市\n\n![图]({static}/images/gone.png)\n",
        encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        _build(build_tiny_site, content, tmp_path / "out")
    shown = {problem.path.rsplit("/", 1)[-1]: problem.message for problem in failure.value.problems}
    assert set(shown) == {"no-title.md", "bad-date.md", "lost-photo.md"}
    assert "缺少 Title" in shown["no-title.md"] and "没有 30 日" in shown["bad-date.md"]
    assert "images/gone.png" in shown["lost-photo.md"]


def test_two_files_for_one_url_fail_naming_both(content, tmp_path, build_tiny_site):
    text = (content / "articles" / "beach.md").read_text(encoding="utf-8")
    (content / "articles" / "beach-copy.md").write_text(text.replace("Date:", "Slug: beach\nDate:"),
                                                       encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        _build(build_tiny_site, content, tmp_path / "out")
    message = str(failure.value)
    assert "beach.md" in message and "beach-copy.md" in message and "/2024/06/beach/" in message


def test_the_store_of_records_is_rewritten_only_when_they_changed(content, tmp_path, build_tiny_site):
    records = tmp_path / "out-cache" / "articles"
    _build(build_tiny_site, content, tmp_path / "out")
    first = {path.name: path.stat().st_ino for path in records.iterdir()}
    assert first
    _build(build_tiny_site, content, tmp_path / "out")
    assert {path.name: path.stat().st_ino for path in records.iterdir()} == first  # nothing changed
    (content / "articles" / "2024").mkdir()
    (content / "articles" / "2024" / "later.md").write_text(
        "Title: 营口港新航线开通\nDate: 2024-07-02\nTopic: 乡村振兴\nDistrict: 盖州市\n"
        "Summary: 新航线。\n\n正文第一段。\n", encoding="utf-8")
    _build(build_tiny_site, content, tmp_path / "out")
    after = {path.name: path.stat().st_ino for path in records.iterdir()}
    # the new folder's records are a new file; the other folders' are not written again
    assert len(after) == len(first) + 1 and all(after[name] == inode for name, inode in first.items())
    (content / "articles" / "2024" / "later.md").unlink()
    _build(build_tiny_site, content, tmp_path / "out")
    assert {path.name: path.stat().st_ino for path in records.iterdir()} == first  # its records went


def test_the_one_file_store_of_earlier_versions_is_removed(content, tmp_path, build_tiny_site):
    old_store = tmp_path / "out-cache" / "articles.pickle"
    _build(build_tiny_site, content, tmp_path / "out")
    old_store.write_bytes(b"records an earlier version kept")
    _build(build_tiny_site, content, tmp_path / "out")
    assert not old_store.exists()
    assert any((tmp_path / "out-cache" / "articles").iterdir())  # the store itself stays


def test_records_of_another_format_are_read_again_and_removed(content, tmp_path, build_tiny_site):
    from plugins.archive_content.store import RECORDS_FORMAT

    records = tmp_path / "out-cache" / "articles"
    out = _build(build_tiny_site, content, tmp_path / "out")
    page = (out / "2024/06/beach/index.html").read_bytes()
    bucket = next(records.iterdir())
    made_in, kept = pickle.loads(bucket.read_bytes())
    assert made_in == RECORDS_FORMAT and kept
    # an earlier version's bucket (the bare dict), with a title the files do not have
    stale = pickle.dumps({rel: {**record, "metadata": {**record["metadata"], "title": "旧标题"}}
                          for rel, record in kept.items()})
    bucket.write_bytes(stale)
    (records / "0123456789abcdef.pickle").write_bytes(stale)  # and one of no folder
    out = _build(build_tiny_site, content, tmp_path / "out")
    assert (out / "2024/06/beach/index.html").read_bytes() == page
    assert pickle.loads(bucket.read_bytes())[0] == RECORDS_FORMAT
    assert sorted(records.iterdir()) == [bucket]


def test_urls_kept_in_the_records_follow_a_change_of_the_url_settings(content, tmp_path, build_tiny_site):
    out = _build(build_tiny_site, content, tmp_path / "out")
    assert (out / "2024/06/beach/index.html").is_file()
    moved = {**SETTINGS, "ARTICLE_URL": "news/{slug}/", "ARTICLE_SAVE_AS": "news/{slug}/index.html"}
    out = build_tiny_site(content, tmp_path / "out", ["plugins.archive_content"], TEST_DATA / "theme", **moved)
    assert (out / "news/beach/index.html").is_file()


def test_article_files_are_the_files_pelican_lists(tmp_path):
    """The store lists article files itself (faster); the list must be the
    Markdown files Pelican's Generator.get_files gives for the same paths."""
    from pelican.generators import ArticlesGenerator

    from plugins.archive_content.store import article_files
    from plugins.conftest import tiny_settings
    from yingkou_archive.links import SOURCE_SUFFIXES

    content = tmp_path / "content"
    for name in ["articles/a.md", "articles/b.markdown", "articles/c.rst", "articles/.#lock.md",
                 "articles/draft.md~", "articles/.x.md.swp", "articles/2024/06/d.md", "articles/.hidden/e.md",
                 "articles/pages/f.md", "articles/2024/pages/g.md", "articles/notes.txt", "articles/h.MD",
                 "articles/x~/i.md", "other/j.md", "articles/deep/er/k.md"]:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x", encoding="utf-8")
    (content / "articles" / "linked").symlink_to(content / "other", target_is_directory=True)
    for paths, excludes, ignores in [(["articles"], ["articles/pages"], [".#*", "*~", ".*.swp"]),
                                     ([""], ["other"], ["**/.*"]), (["articles", "other"], [], []),
                                     (["articles/a.md"], [], ["*~"])]:
        settings = tiny_settings(content, tmp_path / "out", [], ARTICLE_PATHS=paths, ARTICLE_EXCLUDES=excludes,
                                 IGNORE_FILES=ignores)
        generator = ArticlesGenerator(context={}, settings=settings, path=str(content),
                                      theme=settings["THEME"], output_path=str(tmp_path / "out"))
        pelican = sorted(f for f in generator.get_files(paths, exclude=excludes) if f.endswith(SOURCE_SUFFIXES))
        assert article_files(str(content), paths, excludes, ignores) == pelican, (paths, excludes, ignores)
        assert pelican  # each case lists something


def test_files_of_a_disabled_reader_are_still_reported(content, tmp_path, build_tiny_site, monkeypatch, caplog):
    """The walk for disabled readers is skipped only when none is disabled."""
    from pelican.generators import Generator
    from pelican.readers import RstReader

    walks = []
    real = Generator._check_disabled_readers
    monkeypatch.setattr(Generator, "_check_disabled_readers",
                        lambda self, *a, **k: (walks.append(type(self).__name__), real(self, *a, **k)))
    (content / "articles" / "notes.rst").write_text("Notes\n=====\n", encoding="utf-8")
    _build(build_tiny_site, content, tmp_path / "out")
    assert "ArticlesGenerator" not in walks  # every reader enabled: nothing to find, no walk
    monkeypatch.setattr(RstReader, "enabled", False)
    with caplog.at_level("WARNING"):
        _build(build_tiny_site, content, tmp_path / "out")
    assert "ArticlesGenerator" in walks
    assert any("notes.rst" in record.getMessage() for record in caplog.records)
