"""Turning a page's bytes into text, whatever encoding it arrived in.

E-paper systems still serve GB2312/GBK pages; editors save text dumps as
UTF-8, sometimes with a BOM.  GB2312 and GBK are decoded as GB18030, their
superset, so a character outside GB2312 in a page labelled gb2312 (common)
still decodes.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from .model import DigestError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Control characters other than tab, newline, form feed and carriage return
# do not occur in real pages; many of them mean a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(raw: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag, if any."""
    match = _META_CHARSET.search(raw[:8192])
    return _codec(match.group(1).decode("ascii", "replace")) if match else None


def decode_page(raw: bytes, path: str | Path, html: bool = False) -> tuple[str, str]:
    """(text, encoding used); DigestError if the bytes are not a text page."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(raw[len(bom):].decode(encoding), path), encoding
            except UnicodeDecodeError:
                raise DigestError(path, f"文件以 {encoding} BOM 开头，但内容无法按 {encoding} 解码") from None
    if b"\x00" in raw:
        raise DigestError(path, "看起来是二进制文件，不是文本或 HTML 版面")
    candidates = []
    if html:
        declared = declared_charset(raw)
        if declared:
            candidates.append(declared)
    # UTF-8 first: valid UTF-8 is almost never valid-looking GBK by accident,
    # while GB18030 accepts most byte strings.
    candidates += ["utf-8", "gb18030"]
    for encoding in dict.fromkeys(candidates):
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return _checked(text, path), encoding
    raise DigestError(path, "无法识别文件编码（试过 UTF-8 与 GBK/GB18030）")


def _checked(text: str, path: str | Path) -> str:
    if not text.strip():
        raise DigestError(path, "文件为空")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 200):
        raise DigestError(path, "含有大量控制字符，看起来不是文本版面（是否为二进制文件？）")
    return _CONTROL.sub("", text)
