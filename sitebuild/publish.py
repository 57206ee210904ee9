"""Deploying a built site: to a local folder, over rsync/SSH, or gh-pages.

Publishing never deletes what it does not own.  Every publish leaves a
marker, ``.yingkou-publish.json``, at the top of what it wrote, listing the
files it wrote.  A destination is published over only when it is empty or
holds that marker; files the marker does not list (a host's
``.well-known/``, uploads, another app) are foreign: they are kept, and a
site file that would replace one stops the publish naming it.  A
destination that holds the project, its content or the output's parent is
refused outright (``--dest .`` would otherwise replace the project).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from yingkou_archive.errors import ArchiveError

TARGETS = ("folder", "rsync", "gh-pages")
# Build bookkeeping kept inside the output (sitebuild/generations.py) that a
# host does not need.
NOT_PUBLISHED = (".archive-state",)
MARKER = ".yingkou-publish.json"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Shown when a message lists files: enough to recognise the folder.
SHOWN_FILES = 10


class PublishError(ArchiveError):
    pass


def site_files(site: Path) -> list[str]:
    """The files a publish writes: every file of the build but bookkeeping."""
    files = []
    for folder, _subfolders, names in os.walk(site):
        for name in names:
            relative = Path(folder, name).relative_to(site).as_posix()
            if relative in NOT_PUBLISHED or relative == MARKER:
                continue
            if not _is_site_path(relative):  # the marker could not name it
                raise PublishError(f"{relative!r}: 文件名含换行等控制字符，不能发布")
            files.append(relative)
    return sorted(files)


def marker_bytes(files: Iterable[str]) -> bytes:
    return json.dumps({"files": sorted(files)}, ensure_ascii=False, indent=0).encode("utf-8")


def owned_files(marker: bytes | None, where: str) -> set[str] | None:
    """The files a previous publish wrote, from its marker (None: no marker)."""
    if marker is None:
        return None
    damaged = PublishError(f"{where}: 发布标记 {MARKER} 已损坏；请检查该目录后删除标记重新发布")
    try:
        files = json.loads(marker.decode("utf-8"))["files"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise damaged from None
    if not isinstance(files, list) or not all(_is_site_path(name) for name in files):
        raise damaged  # a name the build cannot have written: nothing is deleted by it
    return set(files)


def _is_site_path(name) -> bool:
    """A path a build writes: relative, inside the site, on one line."""
    if not isinstance(name, str) or not name or any(ch in name for ch in "\n\r\0"):
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts)


def _listing(files: Iterable[str]) -> str:
    files = sorted(files)
    shown = "、".join(files[:SHOWN_FILES])
    return shown + (f" 等 {len(files)} 个" if len(files) > SHOWN_FILES else "")


def foreign_files(present: set[str], owned: set[str] | None, where: str) -> set[str]:
    """Files at the destination no publish wrote.  A destination without a
    marker must be empty: it was not made by publish."""
    present = present - {MARKER}
    if owned is None:
        if present:
            raise PublishError(
                f"{where}: 目录不是由 invoke publish 创建的（没有 {MARKER}），里面已有文件："
                f"{_listing(present)}；为避免删除它们，请发布到一个空目录")
        return set()
    return present - owned


def refuse_clashes(foreign: set[str], files: Iterable[str], where: str) -> None:
    clashes = foreign.intersection(files)
    if clashes:
        raise PublishError(f"{where}: 这些文件不是上次发布写的，会被站点文件覆盖："
                           f"{_listing(clashes)}；请先移走它们")


def guard_destination(destination: Path, site: Path, project: Path = PROJECT_ROOT,
                      content: Path | None = None) -> None:
    """Refuse a destination that holds the project, the content or the
    output's parent, or lies inside the content or the output."""
    destination = destination.resolve()
    site, project = site.resolve(), project.resolve()
    content = (content or project / "content").resolve()
    for kept in (site, site.parent, project, content):
        if destination == kept or destination in kept.parents:
            raise PublishError(f"{destination}: 发布目录不能包含 {kept}（发布会替换整个目录）")
    for inside in (site, content):
        if inside in destination.parents:
            raise PublishError(f"{destination}: 发布目录不能在 {inside} 里面")


def _entries_under(folder: Path) -> set[str]:
    """Files (and links) under ``folder``, and its empty folders as "name/"."""
    if not folder.is_dir():
        return set()
    entries = set()
    for path in folder.rglob("*"):
        if path.is_symlink() or path.is_file():
            entries.add(path.relative_to(folder).as_posix())
        elif path.is_dir() and not any(path.iterdir()):
            entries.add(path.relative_to(folder).as_posix() + "/")
    return entries


def publish_to_folder(site: Path, destination: Path, **protected: Path) -> None:
    """Replace ``destination`` with a copy of ``site`` plus the foreign files
    it held, swapping at the end so a server never sees half a site.

    ``protected``: ``project`` and ``content`` folders for guard_destination.
    """
    guard_destination(destination, site, **protected)
    destination = destination.resolve()
    if destination.exists() and not destination.is_dir():
        raise PublishError(f"{destination}: 发布目标不是目录")
    marker = destination / MARKER
    owned = owned_files(marker.read_bytes() if marker.is_file() else None, str(destination))
    foreign = foreign_files(_entries_under(destination), owned, str(destination))
    files = site_files(site)
    refuse_clashes(foreign, files, str(destination))
    staging = destination.with_name(f".{destination.name}.publish-{os.getpid()}")
    old = destination.with_name(f".{destination.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        shutil.copytree(site, staging, ignore=shutil.ignore_patterns(*NOT_PUBLISHED, MARKER))
        for name in sorted(foreign):
            target = staging / name
            if name.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(destination / name, target, follow_symlinks=False)
        (staging / MARKER).write_bytes(marker_bytes(files))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if destination.exists():
        destination.rename(old)
    staging.rename(destination)
    shutil.rmtree(old, ignore_errors=True)


# -- rsync -----------------------------------------------------------------

def is_remote(destination: str) -> bool:
    """rsync's rule: "host:path" is remote unless a slash precedes the colon."""
    head = destination.split("/", 1)[0]
    return ":" in head


def _rsync(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["rsync", *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise PublishError(f"rsync {' '.join(args[-2:])} 失败：{result.stderr.strip()}")
    return result


# rsync's exit code for "some files could not be transferred", which is
# what asking for a file or folder that does not exist gives.
RSYNC_PARTIAL = 23


def _remote_state(destination: str) -> tuple[bytes | None, set[str]]:
    """The marker at the destination (or None) and every file there."""
    target = destination.rstrip("/") + "/"
    listing = _rsync("-r", "--list-only", target, check=False)
    if listing.returncode == RSYNC_PARTIAL and not listing.stdout.strip():
        return None, set()  # the folder does not exist yet
    if listing.returncode != 0:
        raise PublishError(f"无法列出 {destination}：{listing.stderr.strip()}")
    present = set()
    for line in listing.stdout.splitlines():
        parts = line.split(None, 4)
        if len(parts) == 5 and not line.startswith("d"):
            present.add(parts[4])
    if MARKER not in present:
        return None, present
    with tempfile.TemporaryDirectory() as folder:
        _rsync(target + MARKER, folder + "/")
        return (Path(folder) / MARKER).read_bytes(), present


_WILDCARDS = ("*", "?", "[")


def _rule_path(name: str) -> str:
    """A path as an rsync filter pattern that matches it alone: rsync reads
    a backslash as an escape only in a pattern with a wildcard in it."""
    if any(ch in name for ch in _WILDCARDS):
        for ch in ("\\", *_WILDCARDS):
            name = name.replace(ch, "\\" + ch)
    return name


def deletion_rules(removed: list[str]) -> str:
    """rsync filter rules under which ``--delete`` reaches exactly the
    ``removed`` files: each of them and the folders leading to it are
    included, everything else is excluded (and so protected).  A folder
    that now stands where one of those files was is not ours: excluded
    (rsync takes the first rule that matches)."""
    folders, lines = set(), []
    for name in sorted(removed):  # site paths (owned_files checked them)
        parts = PurePosixPath(name).parts
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        pattern = _rule_path(name)
        lines += [f"- /{pattern}/", f"+ /{pattern}"]
    lines += [f"+ /{_rule_path(f)}/" for f in sorted(folders)]
    return "\n".join([*lines, "- *"]) + "\n"


def publish_with_rsync(site: Path, destination: str, **protected: Path) -> None:
    """rsync without --delete: upload changed files, then delete exactly the
    files the previous publish wrote that the new build no longer has."""
    if not shutil.which("rsync"):
        raise PublishError("找不到 rsync 命令：请先安装 rsync")
    if not is_remote(destination):
        guard_destination(Path(destination), site, **protected)
    marker, present = _remote_state(destination)
    owned = owned_files(marker, destination)
    files = site_files(site)
    refuse_clashes(foreign_files(present, owned, destination), files, destination)
    target = destination.rstrip("/") + "/"
    removed = sorted((owned or set()) - set(files))
    excludes = [f"--exclude=/{name}" for name in (*NOT_PUBLISHED, MARKER)]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "marker").mkdir()
        # until the old files are gone, the marker owns old and new files alike
        (work / "marker" / MARKER).write_bytes(marker_bytes(set(files) | set(removed)))
        _rsync("-az", "--checksum", *excludes, f"{site}/", target)
        _rsync("-a", f"{work / 'marker'}/", target)
        if removed:
            # their folders, without the files, and rules that let --delete
            # see those files only: rsync deletes each of them and nothing
            # else (--delete-missing-args would say this directly, but the
            # security fixes of 2025 broke it: rsync issue #910)
            for name in removed:
                (work / "gone" / PurePosixPath(name).parent).mkdir(parents=True, exist_ok=True)
            (work / "removed.rules").write_text(deletion_rules(removed), encoding="utf-8")
            _rsync("-r", "--delete", f"--filter=merge {work / 'removed.rules'}",
                   f"{work / 'gone'}/", target)
        (work / "marker" / MARKER).write_bytes(marker_bytes(files))
        _rsync("-a", "--checksum", f"{work / 'marker'}/", target)


# -- gh-pages ----------------------------------------------------------------

def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True)


def _branch_refs(repo: Path, branch: str) -> list[str]:
    """The commits ghp-import builds on: the local branch and origin's."""
    refs = []
    for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        if _git(repo, "rev-parse", "--verify", "--quiet", ref).returncode == 0:
            refs.append(ref)
    return refs


def publish_to_gh_pages(site: Path, push: bool, branch: str = "gh-pages",
                        repo: Path = PROJECT_ROOT) -> None:
    """Commit the site to a gh-pages branch with ghp-import (.nojekyll added),
    keeping the files on the branch that no publish wrote (a CNAME, …)."""
    files = site_files(site)
    foreign: dict[str, str] = {}  # path -> the ref it is read from
    for ref in _branch_refs(repo, branch):
        listed = _git(repo, "ls-tree", "-r", "-z", "--name-only", ref)
        present = {p.decode("utf-8") for p in listed.stdout.split(b"\0") if p}
        shown = _git(repo, "show", f"{ref}:{MARKER}")
        owned = owned_files(shown.stdout if shown.returncode == 0 else None, f"{branch} 分支")
        for name in foreign_files(present - {".nojekyll"}, owned, f"{branch} 分支"):
            foreign.setdefault(name, ref)
    refuse_clashes(set(foreign), files, f"{branch} 分支")
    with tempfile.TemporaryDirectory() as folder:
        staging = Path(folder) / "site"
        shutil.copytree(site, staging, ignore=shutil.ignore_patterns(*NOT_PUBLISHED, MARKER))
        for name, ref in foreign.items():
            target = staging / PurePosixPath(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_git(repo, "show", f"{ref}:{name}").stdout)
        (staging / MARKER).write_bytes(marker_bytes(files))
        # no --force: a branch someone else moved is not overwritten
        command = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--branch", branch,
                   "--message", "发布站点", str(staging)]
        if push:
            command.insert(3, "--push")
        if subprocess.run(command, cwd=repo).returncode != 0:
            raise PublishError(f"ghp-import 到 {branch} 分支失败")
