"""The search page carries the index's manifest.

On a slow phone connection the manifest was a request of its own beside
the page's script: they shared the bandwidth, and the script's
``fetch()`` of it resolved only after the page's first layout and paint
(about 170 ms at 4x CPU slowdown; docs/benchmarks.md).  Written into the
page, it arrives with the HTML and is read synchronously.  The page keeps
``manifest.json`` as the fallback when the element is empty (a site built
without the index), and the Python reader and tools read that file.

The template leaves an empty element::

    <script type="application/json" id="search-manifest"></script>

and :func:`embed_manifest` fills it (again) after every index write, so a
kept page never carries the last build's manifest.  The JSON is data, not
script (``type="application/json"`` is never run), and ``<``, ``>`` and ``&``
in it are written as ``\\u003c`` … so nothing in a name can end the element.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from fileutil import replace_if_changed

from .format import MANIFEST_NAME, SEARCH_DIR

ELEMENT_ID = "search-manifest"
_ELEMENT = re.compile(
    r'(<script type="application/json" id="' + ELEMENT_ID + r'">)(.*?)(</script>)', re.S)


class PageManifestError(ValueError):
    pass


def manifest_json(manifest: dict) -> str:
    """The manifest as the page carries it: compact, with no character that
    HTML could read as markup."""
    text = json.dumps(manifest, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _the_element(html: str, page: str) -> re.Match:
    found = list(_ELEMENT.finditer(html))
    if len(found) != 1:
        raise PageManifestError(f"{page}: 搜索页应有且只有一个 id 为 {ELEMENT_ID} 的 JSON 元素，"
                                f"找到 {len(found)} 个")
    return found[0]


def embed_manifest(site_dir: Path, page: str) -> bool:
    """Write the site's manifest into the search page ``page`` (a path in
    ``site_dir``); True when the page's bytes changed.  A site without the
    page or without an index is left alone."""
    page_path = Path(site_dir) / page
    manifest_path = Path(site_dir) / SEARCH_DIR / MANIFEST_NAME
    if not page_path.is_file() or not manifest_path.is_file():
        return False
    html = page_path.read_text(encoding="utf-8")
    element = _the_element(html, page)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    filled = html[:element.start(2)] + manifest_json(manifest) + html[element.end(2):]
    # a new file in place of the page (fileutil): the page may be a hard
    # link the live generation shares (sitebuild/generations.py)
    return replace_if_changed(page_path, filled.encode("utf-8"))


def embedded_manifest(html: str, page: str = "search/index.html") -> dict | None:
    """The manifest a search page carries (None: its element is empty)."""
    text = _the_element(html, page).group(2).strip()
    return json.loads(text) if text else None
