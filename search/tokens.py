"""The search tokenization rule: one place, used by the build and the browser.

Word segmenters disagree about Chinese (jieba at index time and
``Intl.Segmenter`` in the browser cut differently), so search does not
segment at all; it matches runs of characters exactly:

* each character is **normalized** on its own: full-width letters and
  digits to ASCII, traditional to simplified with a character map taken
  from OpenCC (``t2s``), A-Z to a-z.  One character in, one character out,
  so a position in the normalized text is the position in the original text;
* a Han character, an ASCII letter or an ASCII digit is a **token
  character**; every other character (punctuation, spaces, symbols) is a
  **boundary**, and a match never spans one.

A query is cut into runs of token characters; all runs must match.  A page
matches a query exactly when each run is a substring of a run of the page's
normalized text: the index (search/write.py) answers exactly this,
and the benchmark's truth uses the same definition.

The browser mirror is ``theme/static/js/search-tokens.js``; keep the two in
step (``tests/test_search_tokens.py`` runs both on the same samples, the
JavaScript one in Chromium).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

# Han ideograph ranges treated as token characters (after normalization).
HAN_RANGES = (
    (0x3007, 0x3007),    # 〇
    (0x3400, 0x4DBF),    # Extension A
    (0x4E00, 0x9FFF),    # Unified Ideographs
    (0xF900, 0xFAFF),    # Compatibility Ideographs
    (0x20000, 0x2FA1F),  # Extensions B-F and Compatibility Supplement
)

# Characters OpenCC is asked about when the t2s map is built.
_T2S_SOURCE_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2EBEF))

T2S_FORMAT_VERSION = 1



@functools.lru_cache(maxsize=1)
def t2s_map() -> dict[str, str]:
    """Traditional -> simplified, one character to one character, from OpenCC.

    Each character is converted alone (one per line, so OpenCC's phrase
    tables never see neighbours); only changes to exactly one character are
    kept.  The browser gets the same map (:func:`t2s_json`).
    """
    import opencc  # imported here so that importing this module stays cheap

    converter = opencc.OpenCC("t2s")
    chars = [chr(c) for lo, hi in _T2S_SOURCE_RANGES for c in range(lo, hi + 1)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - OpenCC contract
        raise RuntimeError("OpenCC changed the number of lines while converting")
    return {a: b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


def t2s_json() -> str:
    """The t2s map as compact JSON for the browser: pairs in one string."""
    pairs = "".join(a + b for a, b in sorted(t2s_map().items()))
    return json.dumps({"version": T2S_FORMAT_VERSION, "pairs": pairs},
                      ensure_ascii=False, separators=(",", ":"))


def fold_char(ch: str) -> str:
    """Full-width letters/digits to ASCII, ideographic space to space, t2s.

    Case is kept.  Full-width punctuation (，：（）) stays as it is: it is a
    boundary either way and excerpts should show it unchanged.
    """
    code = ord(ch)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return chr(code - 0xFEE0)
    if code == 0x3000:  # ideographic space
        return " "
    return t2s_map().get(ch, ch)


# The browser loads the t2s map only for a query that needs it; this bitmap
# (6 bits per base64 character, U+3400 to U+9FFF) says which characters do.
TRAD_BITMAP_RANGE = (0x3400, 0xA000)
_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def trad_bitmap() -> str:
    """Which characters in TRAD_BITMAP_RANGE the t2s map changes."""
    base, end = TRAD_BITMAP_RANGE
    keys = {ord(k) for k in t2s_map()}
    out = []
    for start in range(base, end, 6):
        value = sum(1 << i for i in range(6) if start + i in keys)
        out.append(_BASE64[value])
    return "".join(out)


def normalize_char(ch: str) -> str:
    """One character, normalized: :func:`fold_char`, then A-Z to a-z."""
    ch = fold_char(ch)
    if "A" <= ch <= "Z":
        return chr(ord(ch) + 32)
    return ch


def is_token_char(ch: str) -> bool:
    """True for a normalized character that is a token: Han, a-z, 0-9."""
    if ("a" <= ch <= "z") or ("0" <= ch <= "9"):
        return True
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in HAN_RANGES)


def normalize(text: str) -> str:
    """The whole text normalized character by character (same length)."""
    return "".join(normalize_char(ch) for ch in text)


def runs(text: str) -> list[str]:
    """The runs of token characters in ``text``, normalized.

    ``runs("營商環境，GDP 5.2%")`` == ``["营商环境", "gdp", "5", "2"]``.
    """
    found: list[str] = []
    current: list[str] = []
    for ch in text:
        ch = normalize_char(ch)
        if is_token_char(ch):
            current.append(ch)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


@dataclass(frozen=True)
class Query:
    """A query as the search page runs it."""

    phrases: tuple[str, ...]  # normalized runs, longest first, no repeats


# Longer queries are cut here: the search stays fast and exact.
MAX_QUERY_CHARS = 100


def parse_query(text: str) -> Query:
    """Phrases of a query typed by a reader (may be empty)."""
    found = sorted(set(runs(text[:MAX_QUERY_CHARS])), key=lambda p: (-len(p), p))
    # a phrase inside a longer one adds nothing: 营商 营商环境 -> 营商环境
    kept: list[str] = []
    for phrase in found:
        if not any(phrase in longer for longer in kept):
            kept.append(phrase)
    return Query(tuple(kept))


def matches(query: Query, text: str) -> bool:
    """The truth: does ``text`` contain every phrase of ``query``?

    Runs of the text are joined with a boundary character so that a phrase
    can only match inside one run, exactly as the index behaves.
    """
    if not query.phrases:
        return False
    haystack = "\x00".join(runs(text))
    return all(p in haystack for p in query.phrases)
