"""What content may point at, and what may be published from content/.

One place decides, for ``invoke check`` and the build alike:

* a URL the site makes (a page's, the search index's) is a **site path**:
  relative, no scheme, no ``..``, only URL-safe characters
  (:func:`is_site_path`);
* a ``{static}``/``{filename}`` reference resolves to a file **inside
  content/** that may be published (:func:`content_reference`);
* nothing in content/ is a **symbolic link** (Pelican follows them: a link
  to /etc would publish /etc) (:func:`symlink_problems`);
* every static file is an **image Pillow can open**, of the type its name
  says; SVG (it can carry scripts), HTML, scripts and unknown types are
  refused (:func:`static_problems`).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem

STATIC_PATHS = ("images",)
PAGE_PATHS = ("pages",)
ARTICLE_PATHS = ("articles",)
IGNORE_FILES = (".#*", "*~", ".*.swp")
# suffix -> the format Pillow must find in the file
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
SOURCE_SUFFIXES = (".md", ".markdown")

_SITE_PATH = re.compile(r"^(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*/)*(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*)?$")
# Pelican's intrasite links: {static}x, |filename|x (INTRASITE_LINK_REGEX)
_INTRASITE = re.compile(r"^[{|](?P<what>[a-z]+)[|}](?P<target>.*)$", re.S)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_site_path(url: str) -> bool:
    """A path inside the site, as the site writes it: "2024/03/slug/".

    No scheme (``javascript:``), no host (``//evil``), no leading "/", no
    "." or ".." segment, no spaces, quotes or backslashes.
    """
    return bool(_SITE_PATH.match(url))


def is_ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORE_FILES)


def through_symlink(path: Path, root: Path) -> bool:
    """Whether ``path`` or a folder between it and ``root`` is a link."""
    return any(part.is_symlink() for part in (path, *path.parents) if part.is_relative_to(root))


def shown(path: Path, base: Path) -> str:
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def symlink_problems(content_dir: Path, base: Path) -> list[Problem]:
    """Every symbolic link under content/, file or folder, named (entries
    read with scandir, whose file types cost no stat: islink() for each of
    50,000 files took 0.2 s of every build)."""
    problems = []

    def visit(folder: str) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_symlink():  # a link is named, not followed
                    problems.append(Problem(shown(Path(entry.path), base),
                                            f"是符号链接（指向 {os.readlink(entry.path)}），"
                                            "不会发布；请换成真实的文件或文件夹"))
                elif entry.is_dir():
                    visit(entry.path)

    visit(str(content_dir))
    return problems


def image_problem(path: Path) -> str | None:
    """Why a static file may not be published, or None."""
    from PIL import Image  # only checks import Pillow

    suffix = path.suffix.lower()
    if suffix == ".svg":
        return "SVG 图片可能带有脚本，不能发布；请另存为 PNG 或 JPEG"
    expected = IMAGE_FORMATS.get(suffix)
    if expected is None:
        allowed = "、".join(sorted(IMAGE_FORMATS))
        return f"不是允许发布的图片类型（{suffix or '没有扩展名'}）；只能放 {allowed} 图片"
    try:
        with Image.open(path) as image:
            found = image.format
            image.verify()
    except Exception as error:  # Pillow raises many kinds for a damaged file
        return f"无法作为 {expected} 图片打开（{type(error).__name__}）；文件是否损坏？"
    if found != expected:
        return f"扩展名是 {suffix}，内容却是 {found} 图片；请改正扩展名"
    return None


def static_files(content_dir: Path) -> list[Path]:
    found = []
    for folder in STATIC_PATHS:
        for path in sorted((content_dir / folder).rglob("*")):
            if path.is_file() and not path.is_symlink() and not is_ignored(path.name):
                found.append(path)
    return found


def static_problems(content_dir: Path, base: Path) -> list[Problem]:
    problems = []
    for path in static_files(content_dir):
        message = image_problem(path)
        if message:
            problems.append(Problem(shown(path, base), message))
    return problems


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (made absolute without following links) lies in root."""
    return Path(os.path.normpath(path)).is_relative_to(root)


def content_reference(what: str, target: str, source_file: Path,
                      content_root: Path) -> tuple[Path | None, str | None]:
    """Where a ``{static}``/``{attach}``/``{filename}`` reference points in
    content/ (as Pelican resolves it), or why it may not.

    ``/images/x.png`` is relative to the content folder, ``x.png`` to the
    article's own folder.
    """
    written = f"{{{what}}}{target}"
    path = unquote(urlsplit(target).path)
    base = content_root if path.startswith("/") else source_file.parent
    resolved = Path(os.path.normpath(base / path.lstrip("/")))
    if not inside(resolved, content_root):
        return None, f"引用的文件不在内容目录里：{written}"
    if what in ("static", "attach"):
        if not any(resolved.is_relative_to(content_root / folder) for folder in STATIC_PATHS):
            folders = "、".join(f"content/{folder}/" for folder in STATIC_PATHS)
            return None, f"{{{what}}} 只能引用 {folders} 中的图片：{written}"
    elif what == "filename":
        if resolved.suffix not in SOURCE_SUFFIXES:
            return None, f"{{filename}} 只能引用文章或页面（.md）；图片请用 {{static}}：{written}"
    else:
        return None, f"站内没有 {{{what}}} 页面：{written}"
    return resolved, None


def site_link(url: str, page_url: str) -> str | None:
    """The site path a plain link in a page at ``page_url`` leads to, or
    None for a link that leaves the site or stays on the page."""
    if _SCHEME.match(url) or url.startswith("//"):
        return None
    path = unquote(urlsplit(url).path)
    if not path:
        return None
    target = posixpath.normpath(posixpath.join("/" + page_url, path)).lstrip("/")
    if target.endswith("index.html"):
        target = target[: -len("index.html")]
    elif path.endswith("/") and target:
        target += "/"
    return target


def intrasite(url: str) -> tuple[str, str] | None:
    """("static", "/images/x.png") for Pelican's ``{static}/images/x.png``."""
    match = _INTRASITE.match(url)
    return (match["what"], match["target"]) if match else None


def is_external(url: str) -> bool:
    return bool(_SCHEME.match(url)) or url.startswith("//")
