"""Precompressed siblings (``page.html.gz``, ``page.html.br``) for hosts
that serve them directly (nginx ``gzip_static``/``brotli_static``, S3 with
Content-Encoding).  Enabled with the ``PRECOMPRESS`` setting.

Output is deterministic (gzip without a timestamp) so unchanged pages give
unchanged bytes and deploys stay small.  Only files this build changed are
compressed again; an unchanged file keeps the sibling it had.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from pathlib import Path

from fileutil import replace_if_changed

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".txt", ".svg"}
FORMATS = ("gz", "br")
# Below this, compression saves less than a network packet.
MIN_BYTES = 512


@dataclass
class Siblings:
    produced: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)


def _compress(data: bytes, fmt: str) -> bytes:
    if fmt == "gz":
        return gzip.compress(data, compresslevel=9, mtime=0)
    import brotli

    return brotli.compress(data, quality=11)


def precompress_files(root: Path, produced: set[str], changed: set[str], formats,
                      previous_produced: set[str]) -> Siblings:
    """Siblings of the produced text files under ``root``: made anew for the
    changed ones, kept (when the previous build made them) for the others."""
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"PRECOMPRESS: 不支持的格式 {sorted(unknown)}，可用：gz、br")
    out = Siblings()
    for rel in sorted(produced):
        if os.path.splitext(rel)[1] not in COMPRESSIBLE:
            continue
        for fmt in formats:
            sibling = f"{rel}.{fmt}"
            if rel not in changed:
                if sibling in previous_produced and os.path.isfile(root / sibling):
                    out.produced.add(sibling)
                continue
            data = (root / rel).read_bytes()
            packed = _compress(data, fmt) if len(data) >= MIN_BYTES else None
            if packed is not None and len(packed) < len(data):
                out.produced.add(sibling)
                if replace_if_changed(root / sibling, packed):
                    out.changed.add(sibling)
    return out
