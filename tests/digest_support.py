"""Shared bits for the digest importer tests (fixtures live in fixtures/digest)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "digest"
TAXONOMY = ROOT / "content" / "taxonomy.yml"


def make_content(tmp_path: Path) -> Path:
    """An empty content folder with the real vocabulary, private to a test."""
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(TAXONOMY, content / "taxonomy.yml")
    return content


def copy_fixture(name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copy(FIXTURES / name, target)
    return target


def articles(content: Path) -> dict[str, str]:
    return {str(p.relative_to(content)): p.read_text(encoding="utf-8")
            for p in sorted((content / "articles").rglob("*.md"))}


def field(text: str, key: str) -> str | None:
    for line in text.split("\n"):
        if not line.strip():
            return None
        if line.startswith(f"{key}: "):
            return line[len(key) + 2:]
    return None


def body(text: str) -> str:
    return text.split("\n\n", 1)[1]
