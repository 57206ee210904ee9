"""Turning a page's bytes into text, whatever encoding it arrived in.

E-paper systems still serve GB2312/GBK pages; editors save text dumps as
UTF-8, sometimes with a BOM.  GB2312 and GBK are decoded as GB18030, their
superset, so a character outside GB2312 in a page labelled gb2312 (common)
still decodes.

Big5 (traditional Chinese, e.g. a page from a Hong Kong or Taiwan site)
mostly decodes as GB18030 without an error, into nonsense.  So bytes that
are not UTF-8 are decoded both ways and the reading made of common Chinese
characters wins; Big5 text is converted to simplified characters (OpenCC)
so it matches the vocabulary, and the import says so.
"""

from __future__ import annotations

import codecs
import itertools
import re
from pathlib import Path

from .model import DigestError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_BIG5_FAMILY = {"big5", "big5-hkscs", "big5hkscs", "cp950", "x-x-big5"}
BIG5 = "big5hkscs"
# The most frequent characters of Chinese news text (simplified).  A right
# reading of a page is made of these; a wrong one almost never is.
_COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
    "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体"
    "制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内"
    "数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提"
    "直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计"
    "别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研营口市县镇局委记者报讯项目企业"
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Control characters other than tab, newline, form feed and carriage return
# do not occur in real pages; many of them mean a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    if label in _GB_FAMILY:
        return "gb18030"
    if label in _BIG5_FAMILY:
        return BIG5
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
        if encoding in ("gb18030", BIG5):
            return _chinese_reading(raw, text, encoding, path)
        return _checked(text, path), encoding
    big5 = _try(raw, BIG5)
    if big5 is not None:
        return _checked(_simplified(big5), path), BIG5
    if _looks_big5(raw):
        raise DigestError(path, "看起来是 Big5（繁体中文）编码，但其中有无法解码的字节（文件损坏？）；"
                                "未导入。请用 UTF-8 另存后再导入")
    raise DigestError(path, "无法识别文件编码（试过 UTF-8、GBK/GB18030 与 Big5）")


def _try(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def common_share(text: str, common: frozenset) -> float:
    """The share of a text's Chinese characters that are among ``common``."""
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.0
    return sum(1 for c in han if c in common) / len(han)


def _chinese_reading(raw: bytes, text: str, encoding: str, path) -> tuple[str, str]:
    """GB18030 or Big5, whichever reading is made of common characters."""
    other_encoding = BIG5 if encoding == "gb18030" else "gb18030"
    other = _try(raw, other_encoding)
    simplified, traditional = _common_sets()
    readings = {encoding: text}
    if other is not None:
        readings[other_encoding] = other
    gb = readings.get("gb18030")
    big5 = readings.get(BIG5)
    gb_share = common_share(gb, simplified) if gb is not None else -1
    big5_share = common_share(big5, traditional | simplified) if big5 is not None else -1
    if big5 is not None and big5_share > 0.2 and big5_share > 1.5 * gb_share:
        return _checked(_simplified(big5), path), BIG5
    if gb is None:
        raise DigestError(path, "文件声明为 Big5，但内容不是可读的 Big5 繁体中文文本")
    if gb_share < 0.1 and len(gb) > 200 and big5 is None and _looks_big5(raw):
        raise DigestError(path, "看起来是 Big5（繁体中文）编码，但无法按 Big5 解码；"
                                "请用 UTF-8 另存后再导入")
    return _checked(gb, path), "gb18030"


def _looks_big5(raw: bytes) -> bool:
    """Lead bytes A4-C6 with a second byte 40-7E are Big5's hallmark."""
    pairs = sum(1 for a, b in itertools.pairwise(raw) if 0xA4 <= a <= 0xC6 and 0x40 <= b <= 0x7E)
    return pairs > len(raw) // 20


_SETS: list[frozenset] = []


def _common_sets() -> tuple[frozenset, frozenset]:
    if not _SETS:
        import opencc  # imported here: most pages never need it
        _SETS.append(frozenset(_COMMON))
        _SETS.append(frozenset(opencc.OpenCC("s2t").convert(_COMMON)))
    return _SETS[0], _SETS[1]


def _simplified(text: str) -> str:
    import opencc
    return opencc.OpenCC("t2s").convert(text)


def _checked(text: str, path: str | Path) -> str:
    if not text.strip():
        raise DigestError(path, "文件为空")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 200):
        raise DigestError(path, "含有大量控制字符，看起来不是文本版面（是否为二进制文件？）")
    return _CONTROL.sub("", text)
