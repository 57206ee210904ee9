"""Publishing deletes nothing it does not own (temporary folders only)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from invoke import Context, Exit

import tasks
from sitebuild.publish import (
    MARKER,
    PublishError,
    publish_to_folder,
    publish_to_gh_pages,
    publish_with_rsync,
)
from tests.helpers import tree_digest


def _site(root: Path, pages: dict[str, str]) -> Path:
    site = root / "output"
    shutil.rmtree(site, ignore_errors=True)
    for name, text in pages.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    (site / ".archive-state").mkdir()  # the build's bookkeeping: never published
    (site / ".archive-state" / "generation.json").write_text("{}", encoding="utf-8")
    return site


@pytest.fixture()
def project(tmp_path):
    """A stand-in project: its content/ and output/ beside each other."""
    root = tmp_path / "project"
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "articles" / "a.md").write_text("Title: a\n", encoding="utf-8")
    (root / "tasks.py").write_text("# the project\n", encoding="utf-8")
    return root


def _protected(project):
    return {"project": project, "content": project / "content"}


def _published(folder: Path) -> dict[str, str]:
    files = tree_digest(folder)
    files.pop(MARKER)
    return files


FIRST = {"index.html": "home", "2024/03/old/index.html": "old page"}
SECOND = {"index.html": "home 2", "2024/03/new/index.html": "new page"}


def test_folder_publish_replaces_its_own_files_and_keeps_foreign_ones(project, tmp_path):
    dest = tmp_path / "www"
    publish_to_folder(_site(project, FIRST), dest, **_protected(project))
    (dest / ".well-known").mkdir()
    (dest / ".well-known" / "acme").write_text("token", encoding="utf-8")
    (dest / "uploads").mkdir()  # an empty foreign folder stays too
    publish_to_folder(_site(project, SECOND), dest, **_protected(project))
    files = _published(dest)
    assert set(files) == {"index.html", "2024/03/new/index.html", ".well-known/acme"}
    assert (dest / "index.html").read_text(encoding="utf-8") == "home 2"
    assert (dest / "uploads").is_dir()


def test_folder_publish_refuses_a_folder_it_did_not_create(project, tmp_path):
    dest = tmp_path / "www"
    (dest / "other-app").mkdir(parents=True)
    (dest / "other-app" / "index.php").write_text("<?php", encoding="utf-8")
    with pytest.raises(PublishError, match="other-app/index.php") as failure:
        publish_to_folder(_site(project, FIRST), dest, **_protected(project))
    assert MARKER in str(failure.value)
    assert (dest / "other-app" / "index.php").is_file()


def test_folder_publish_refuses_to_overwrite_a_foreign_file(project, tmp_path):
    dest = tmp_path / "www"
    publish_to_folder(_site(project, FIRST), dest, **_protected(project))
    (dest / "robots.txt").write_text("the host's own", encoding="utf-8")
    with pytest.raises(PublishError, match="robots.txt"):
        publish_to_folder(_site(project, {**SECOND, "robots.txt": "ours"}), dest,
                          **_protected(project))
    assert (dest / "robots.txt").read_text(encoding="utf-8") == "the host's own"


@pytest.mark.parametrize("where", [".", "content", "content/articles", "output", "output/x", ".."])
def test_folder_publish_refuses_the_project_content_and_output(project, where):
    site = _site(project, FIRST)
    before = tree_digest(project.parent)
    with pytest.raises(PublishError):
        publish_to_folder(site, project / where, **_protected(project))
    assert tree_digest(project.parent) == before


def test_invoke_publish_refuses_the_project_before_building(monkeypatch, project):
    monkeypatch.setenv("SITEURL", "https://news.example.org")
    monkeypatch.setattr(tasks, "_publish_build", lambda *_: pytest.fail("built"))
    with pytest.raises(Exit):
        tasks.publish(Context(), target="folder", dest=str(tasks.ROOT))
    with pytest.raises(Exit):
        tasks.publish(Context(), target="folder", dest=str(tasks.CONTENT))


def test_rsync_publish_deletes_only_what_it_wrote(project, tmp_path):
    dest = tmp_path / "host"
    publish_with_rsync(_site(project, FIRST), str(dest), **_protected(project))
    assert set(_published(dest)) == set(FIRST)
    (dest / ".well-known").mkdir()
    (dest / ".well-known" / "acme").write_text("token", encoding="utf-8")
    (dest / "2024" / "03" / "old" / "notes.txt").write_text("mine", encoding="utf-8")
    publish_with_rsync(_site(project, SECOND), str(dest), **_protected(project))
    assert set(_published(dest)) == {"index.html", "2024/03/new/index.html",
                                     ".well-known/acme", "2024/03/old/notes.txt"}
    assert (dest / "index.html").read_text(encoding="utf-8") == "home 2"
    assert not any(p.startswith(".archive-state") for p in _published(dest))


def test_rsync_publish_deletes_a_file_named_like_a_pattern_not_what_it_matches_nor_a_folder_in_its_place(project, tmp_path):
    dest = tmp_path / "host"
    first = {"index.html": "home", "images/a[1]*.jpg": "ours", "images/old.jpg": "ours too",
             "images/gone.jpg": "ours as well"}
    publish_with_rsync(_site(project, first), str(dest), **_protected(project))
    # a reader of rsync patterns would take a[1]*.jpg to match these
    (dest / "images" / "a1.jpg").write_text("theirs", encoding="utf-8")
    (dest / "images" / "a1-b.jpg").write_text("theirs", encoding="utf-8")
    # where our file was, the host now has a folder of its own
    (dest / "images" / "old.jpg").unlink()
    (dest / "images" / "old.jpg").mkdir()
    (dest / "images" / "old.jpg" / "keep.txt").write_text("theirs", encoding="utf-8")
    (dest / "images" / "gone.jpg").unlink()
    (dest / "images" / "gone.jpg").mkdir()  # an empty one too
    publish_with_rsync(_site(project, {"index.html": "home"}), str(dest), **_protected(project))
    assert set(_published(dest)) == {"index.html", "images/a1.jpg", "images/a1-b.jpg",
                                     "images/old.jpg/keep.txt"}
    assert (dest / "images" / "gone.jpg").is_dir()


@pytest.mark.parametrize("name", ["../outside/page.html", "/etc/page.html", "2024//page.html",
                                  "2024/./page.html", "line\none.html", ""])
def test_a_marker_naming_a_path_no_build_writes_is_refused_and_nothing_is_deleted(project, tmp_path, name):
    dest = tmp_path / "host"
    publish_with_rsync(_site(project, FIRST), str(dest), **_protected(project))
    marker = dest / MARKER
    marker.write_text(json.dumps({"files": [*FIRST, name]}), encoding="utf-8")
    before = tree_digest(dest)
    with pytest.raises(PublishError, match=MARKER):
        publish_with_rsync(_site(project, SECOND), str(dest), **_protected(project))
    assert tree_digest(dest) == before
    assert not (tmp_path / "outside").exists()


def test_a_site_file_whose_name_the_marker_could_not_hold_is_refused_before_anything_is_written(project, tmp_path):
    dest = tmp_path / "host"
    with pytest.raises(PublishError, match="two"):
        publish_with_rsync(_site(project, {"index.html": "home", "one\ntwo.html": "x"}), str(dest),
                           **_protected(project))
    assert not dest.exists()


def test_rsync_publish_refuses_a_folder_it_did_not_create(project, tmp_path):
    dest = tmp_path / "host"
    dest.mkdir()
    (dest / "photo.jpg").write_bytes(b"jpeg")
    with pytest.raises(PublishError, match="photo.jpg"):
        publish_with_rsync(_site(project, FIRST), str(dest), **_protected(project))
    assert sorted(p.name for p in dest.iterdir()) == ["photo.jpg"]
    with pytest.raises(PublishError):
        publish_with_rsync(_site(project, FIRST), str(project), **_protected(project))


def _git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture()
def repo(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "editor@example.org")
    _git(repo, "config", "user.name", "Editor")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "start")
    return repo


def _branch_files(repo, branch="gh-pages"):
    return set(_git(repo, "ls-tree", "-r", "--name-only", branch).split())


def test_gh_pages_keeps_files_it_did_not_write(project, repo):
    publish_to_gh_pages(_site(project, FIRST), push=False, repo=repo)
    assert _branch_files(repo) == {*FIRST, MARKER, ".nojekyll"}
    # someone adds a CNAME on the branch by hand
    _git(repo, "checkout", "-q", "gh-pages")
    (repo / "CNAME").write_text("news.example.org\n", encoding="utf-8")
    _git(repo, "add", "CNAME")
    _git(repo, "commit", "-q", "-m", "CNAME")
    _git(repo, "checkout", "-q", "main")
    publish_to_gh_pages(_site(project, SECOND), push=False, repo=repo)
    assert _branch_files(repo) == {*SECOND, MARKER, ".nojekyll", "CNAME"}
    assert _git(repo, "show", "gh-pages:CNAME") == "news.example.org\n"


def test_gh_pages_refuses_a_branch_it_did_not_create(project, repo):
    _git(repo, "checkout", "-q", "-b", "gh-pages")
    (repo / "docs.html").write_text("other docs", encoding="utf-8")
    _git(repo, "add", "docs.html")
    _git(repo, "commit", "-q", "-m", "docs")
    before = _git(repo, "rev-parse", "gh-pages")
    _git(repo, "checkout", "-q", "main")
    with pytest.raises(PublishError, match="docs.html"):
        publish_to_gh_pages(_site(project, FIRST), push=False, repo=repo)
    assert _git(repo, "rev-parse", "gh-pages") == before
