"""Deploying a built site: to a local folder, over rsync/SSH, or gh-pages."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from yingkou_archive.errors import ArchiveError

TARGETS = ("folder", "rsync", "gh-pages")
# Build bookkeeping kept inside the output (sitebuild/generations.py) that a
# host does not need.
NOT_PUBLISHED = (".archive-state",)


class PublishError(ArchiveError):
    pass


def publish_to_folder(site: Path, destination: Path) -> None:
    """Replace ``destination`` with a copy of ``site``, swapping at the end."""
    destination = destination.resolve()
    if destination == site.resolve() or site.resolve() in destination.parents:
        raise PublishError(f"{destination}: 发布目录不能是输出目录本身或其子目录")
    staging = destination.with_name(f".{destination.name}.publish-{os.getpid()}")
    old = destination.with_name(f".{destination.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(site, staging, ignore=shutil.ignore_patterns(*NOT_PUBLISHED))
    if destination.exists():
        destination.rename(old)
    staging.rename(destination)
    shutil.rmtree(old, ignore_errors=True)


def publish_with_rsync(site: Path, destination: str) -> None:
    """rsync over SSH; --delete keeps the host an exact copy of the build."""
    if not shutil.which("rsync"):
        raise PublishError("找不到 rsync 命令：请先安装 rsync")
    excludes = [f"--exclude=/{name}" for name in NOT_PUBLISHED]
    command = ["rsync", "-az", "--delete", "--checksum", *excludes, f"{site}/", destination]
    if subprocess.run(command).returncode != 0:
        raise PublishError(f"rsync 到 {destination} 失败")


def publish_to_gh_pages(site: Path, push: bool, branch: str = "gh-pages") -> None:
    """Commit the site to a gh-pages branch with ghp-import (.nojekyll added)."""
    command = ["ghp-import", "--no-jekyll", "--force", "--branch", branch,
               "--message", "发布站点", str(site)]
    if push:
        command.insert(1, "--push")
    if subprocess.run(command).returncode != 0:
        raise PublishError(f"ghp-import 到 {branch} 分支失败")
