"""Versioned theme assets: every URL of a theme file carries a content hash.

Hosts cache ``/theme/*`` for a year (docs/hosting.md), so a changed file
must get a new URL.  Pages link ``theme/css/site.css?v=<hash>``; the
browser's ES modules import each other (``import … from "./search-pack.js"``),
so the published copy of a module names each module it imports with that
module's version too.  A module's version is the hash of its published
bytes, which contain the versions of what it imports: a change anywhere
below a module changes its URL as well (a Merkle tree over the imports).

Used by the templates (the ``asset_version`` filter of pelicanconf.py) and
by plugins/archive_static (the published bytes), so both agree.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .bundle import BUNDLE_SUFFIX, bundle, entry_of

VERSION_CHARS = 10
# ``import x from "./a.js"``, ``export { y } from './b.js'``, ``import "./c.js"``,
# ``import("./d.js")``: relative module specifiers in the same folder tree.
_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}/[A-Za-z0-9_./-]+\.m?js)\2""")

_cache: dict[str, tuple[tuple, str, bytes]] = {}


def _stamp(path: Path) -> tuple:
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size)


def _resolve(importer: Path, specifier: str) -> Path:
    return Path(os.path.normpath(importer.parent / specifier))


def published(path: Path, _seen: tuple = ()) -> tuple[str, bytes]:
    """The version and the published bytes of a theme file (``path``):
    JavaScript modules get their relative imports versioned."""
    path = Path(os.path.abspath(path))
    key = str(path)
    if key in _seen:
        raise ValueError(f"模块循环引用：{' → '.join([*_seen, key])}")
    data = path.read_bytes()
    if path.suffix in (".js", ".mjs"):
        text = data.decode("utf-8")
        deps = sorted({m.group(3) for m in _IMPORT.finditer(text)})
        versions = {dep: published(_resolve(path, dep), (*_seen, key))[0] for dep in deps}
        stamp = (_stamp(path), tuple(sorted(versions.items())))
    else:
        stamp = (_stamp(path),)
    cached = _cache.get(key)
    if cached and cached[0] == stamp:
        return cached[1], cached[2]
    if path.suffix in (".js", ".mjs"):
        data = _IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}?v={versions[m.group(3)]}"
                           f"{m.group(2)}", text).encode("utf-8")
    version = _version(data)
    _cache[key] = (stamp, version, data)
    return version, data


def bundled(entry: Path) -> tuple[str, bytes]:
    """The version and bytes of the bundle of a module (yingkou_archive/bundle.py)."""
    data = bundle(entry)
    return _version(data), data


def _version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:VERSION_CHARS]


def asset_version(static_root: str | Path, rel: str) -> str:
    """The ``?v=`` value of ``rel`` (e.g. ``js/search.js``, or the bundle
    ``js/search.bundle.js``) under the theme's static folder."""
    if rel.endswith(BUNDLE_SUFFIX):
        return bundled(Path(static_root) / entry_of(rel))[0]
    return published(Path(static_root) / rel)[0]
