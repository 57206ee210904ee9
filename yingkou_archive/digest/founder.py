"""What Founder (方正) e-paper pages carry besides their visible HTML.

Founder systems write an article's fields twice: as tags (``<founder-title>``,
``<founder-subtitle>``, ``<founder-introtitle>``, ``<founder-author>``,
``<founder-content>``) in newer templates, and in an ``enpproperty`` comment
in older ones::

    <!--enpproperty <articleid>…</articleid><date>2024-07-12 00:00:00.0</date>
    <author>本报记者 王晓东</author><title>…</title><subtitle>…</subtitle>
    <introtitle>…</introtitle><nodename>第01版：要闻</nodename>…/enpproperty-->

with the body between ``<!--enpcontent-->`` and ``<!--/enpcontent-->``.
These fields name the article; the page around them names the paper, so
they win over ``<h1>`` and ``<title>``.
"""

from __future__ import annotations

import html
import re

_PROPERTY_BLOCK = re.compile(r"<!--\s*enpproperty(?P<body>.*?)/enpproperty\s*-->", re.DOTALL | re.IGNORECASE)
_FIELD = re.compile(r"<(?P<key>[a-z]+)>(?P<value>.*?)</(?P=key)>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_CONTENT_START = re.compile(r"<!--\s*enpcontent\s*-->", re.IGNORECASE)
_CONTENT_END = re.compile(r"<!--\s*/\s*enpcontent\s*-->", re.IGNORECASE)
FIELDS = ("title", "subtitle", "introtitle", "author", "date", "nodename")


def _plain(value: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub("", value))).strip()


def enp_properties(text: str) -> dict[str, str]:
    """The enpproperty fields (lower-case keys), tags inside values removed."""
    match = _PROPERTY_BLOCK.search(text)
    if not match:
        return {}
    fields = {}
    for field in _FIELD.finditer(match["body"]):
        key = field["key"].lower()
        fields.setdefault(key, _plain(field["value"]))
    return fields


def enp_content(text: str) -> str | None:
    """The HTML between the first <!--enpcontent--> and the last <!--/enpcontent-->."""
    start = _CONTENT_START.search(text)
    if not start:
        return None
    ends = list(_CONTENT_END.finditer(text, start.end()))
    if not ends:
        return None
    return text[start.end():ends[-1].start()]


def founder_fields(soup) -> dict[str, str]:
    """<founder-title> and its kin, as plain text."""
    fields = {}
    for key in FIELDS:
        tag = soup.find(f"founder-{key}")
        if tag is not None:
            value = re.sub(r"\s+", " ", tag.get_text(" ")).strip()
            if value:
                fields[key] = value
    return fields
