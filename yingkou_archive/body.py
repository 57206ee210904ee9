"""An article's or page's body: Markdown to safe HTML, and what it links to.

The build's reader plugin and ``invoke check`` both render through
:func:`render_body`, so a body that loses text to the sanitizer, links a
file outside content/ or a page that does not exist, or shows a caption
without a photo is found by both, with the same message.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown import Markdown

from .errors import Problem
from .figures import FigureExtension
from .links import content_reference, intrasite, is_external, site_link
from .sanitize import clean_html, removed_text

# Pelican's MARKDOWN setting (pelicanconf.py imports it): one configuration
# for the build and the check.
MARKDOWN_CONFIG = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}

# What clean_html leaves that points somewhere: <a href>, <img src>.
_REFERENCE = re.compile(r'<(a|img)\b[^>]*?\s(href|src)="([^"]*)"')
_FIGURE_WITHOUT_PHOTO = re.compile(r'<figure><img(?=[^>]*\ssrc="\s*")[^>]*?\salt="([^"]*)"')

_converter: Markdown | None = None


def _markdown() -> Markdown:
    """One Markdown instance per process, reset per file: building a new
    one per file is a measurable share of the read time."""
    global _converter
    if _converter is None:
        config = MARKDOWN_CONFIG
        _converter = Markdown(extensions=[*config["extension_configs"], FigureExtension()],
                              extension_configs=config["extension_configs"],
                              output_format=config["output_format"])
    _converter.reset()
    return _converter


@dataclass
class Body:
    html: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # {static}/{filename} references: (as written, resolved path), checked
    # again on builds that take the article from the reader cache
    files: list[tuple[str, str]] = field(default_factory=list)
    # plain links into the site, as site paths; checked against the site's
    # URLs once every file is read
    site_links: list[str] = field(default_factory=list)


def render_body(text: str, path: str, source_file: Path, content_root: Path, page_url: str) -> Body:
    """Render, sanitize and check one body (``path`` is the name shown)."""
    raw = _markdown().convert(text)
    body = Body(clean_html(raw))
    lost = removed_text(raw, body.html)
    if lost:
        body.problems.append(Problem(path, f"正文中“{lost}…”会被当作不安全的 HTML 删掉；"
                                           "要显示尖括号请写 &lt; 或全角“＜＞”"))
    for caption in _FIGURE_WITHOUT_PHOTO.findall(body.html):
        body.warnings.append(Problem(path, f"图片说明“{html.unescape(caption)}”没有图片（图片地址为空）"))
    for tag, _attr, value in _REFERENCE.findall(body.html):
        _check_reference(body, tag, html.unescape(value), path, source_file, content_root, page_url)
    return body


def _check_reference(body: Body, tag: str, url: str, path: str, source_file: Path,
                     content_root: Path, page_url: str) -> None:
    if not url.strip():
        return  # an empty image: the caption warning above
    reference = intrasite(url)
    if reference:
        resolved, message = content_reference(*reference, source_file, content_root.resolve())
        if message:
            body.problems.append(Problem(path, message))
        else:
            body.files.append((reference[1], str(resolved)))
        return
    if is_external(url):
        if tag == "img":  # the site makes no requests to other hosts
            body.problems.append(Problem(path, f"图片必须是站内文件（用 {{static}} 引用）：{url}"))
        return
    target = site_link(url, page_url)
    if target is not None:
        body.site_links.append(target)


def missing_files(files: list[tuple[str, str]], path: str) -> list[Problem]:
    """Pelican only logs a link to a missing file and publishes it broken."""
    return [Problem(path, f"引用的文件不存在：{target}")
            for target, resolved in files if not Path(resolved).is_file()]
