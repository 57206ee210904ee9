"""Shared fixtures: the demo archive built once into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitebuild.build import build_site

ROOT = Path(__file__).resolve().parent.parent

DEMO_CONTENT = ROOT / "content"


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo content, built with search index, as a reader would get it."""
    output = tmp_path_factory.mktemp("demo") / "output"
    build_site(DEMO_CONTENT, output)
    return output


@pytest.fixture()
def content_copy(tmp_path) -> Path:
    """A private copy of the demo content that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(DEMO_CONTENT, target)
    return target
