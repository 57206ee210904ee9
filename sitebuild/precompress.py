"""Precompressed siblings (``page.html.gz``, ``page.html.br``) for hosts
that serve them directly (nginx ``gzip_static``/``brotli_static``, S3 with
Content-Encoding).  Enabled with the ``PRECOMPRESS`` setting.

Output is deterministic (gzip without a timestamp) so unchanged pages give
unchanged bytes and deploys stay small.
"""

from __future__ import annotations

import gzip
from pathlib import Path

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".txt", ".svg"}
FORMATS = ("gz", "br")
# Below this, compression saves less than a network packet.
MIN_BYTES = 512


def _compress(data: bytes, fmt: str) -> bytes:
    if fmt == "gz":
        return gzip.compress(data, compresslevel=9, mtime=0)
    import brotli

    return brotli.compress(data, quality=11)


def precompress_tree(root: Path, formats) -> int:
    """Write compressed siblings for every text file under root; return count."""
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"PRECOMPRESS: 不支持的格式 {sorted(unknown)}，可用：gz、br")
    written = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in COMPRESSIBLE or not path.is_file():
            continue
        data = path.read_bytes()
        if len(data) < MIN_BYTES:
            continue
        for fmt in formats:
            packed = _compress(data, fmt)
            if len(packed) < len(data):
                path.with_name(f"{path.name}.{fmt}").write_bytes(packed)
                written += 1
    return written
