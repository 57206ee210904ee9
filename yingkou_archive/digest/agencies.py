"""Finding the agencies a story names, from structure only.

Two sources, in this order:

1. the vocabulary's agencies, by name or alias (营口海关, 营口港务集团,
   西市区检察院 …);
2. a known place followed by a known agency kind (:mod:`.agency_kinds`):
   ``盖州市卫健委`` → 盖州市卫生健康委员会, ``市人社局`` → 营口市人力资源和社会保障局,
   ``老边区市场监督管理局`` → 营口市老边区市场监督管理局.  A bare ``市`` (or a
   kind's full name with no place, "市场监督管理局") means the story's home
   city: 营口市, or the county-level city a story is only about.  A bare
   ``区`` means the one district a story is about.

Anything else that looks like an agency name (place + a few characters +
局/委员会/办公室) is reported for the editor and never written as a tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..vocabulary import Term, Vocabulary
from .agency_kinds import AGENCY_KINDS, AgencyKind
from .places import county_level_city
from .repair import CJK

# A bare "市" is the city only where a name may start: after punctuation or
# one of these words ("据市交通运输局…", "由市政府…"), never inside 城市/盖州市.
BEFORE_BARE_NAME = "据由和与及从在经向对让同会是将请合赴到至给、"
_NOT_IN_NAME = "的在了将向从把被是于到由已也就都还又并着过这那其该此各每年月日说称获悉介绍等和与及"


@dataclass
class Found:
    position: int
    name: str         # canonical (vocabulary) or built full name
    note: str         # how it was found, for --explain


@dataclass
class Home:
    """Where a bare 市 or 区 points in one story."""

    city: Term | None            # 营口市, or the one county-level city of the story
    district: Term | None        # the one district (区) of the story


def _alternation(names) -> re.Pattern:
    """Longest name first, so 营口经济技术开发区 wins over 营口."""
    ordered = sorted((n for n in names if n), key=lambda n: (-len(n), n))
    if not ordered:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(re.escape(n) for n in ordered))


def name_may_start(text: str, start: int) -> bool:
    if start == 0:
        return True
    before = text[start - 1]
    return not re.match(rf"[{CJK}]", before) or before in BEFORE_BARE_NAME


class AgencyFinder:
    """Matchers built once per vocabulary, used for every story."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.city = next((t for t in vocabulary.terms["district"] if t.citywide), None)
        self._listed: dict[str, Term] = {}
        for term in vocabulary.terms["agency"]:
            for name in (term.name, *term.aliases):
                self._listed.setdefault(name, term)
        self._listed_re = _alternation(self._listed)
        self._kinds: dict[str, tuple[AgencyKind, bool]] = {}
        for kind in AGENCY_KINDS:
            self._kinds.setdefault(kind.name, (kind, False))
            for short in kind.short:
                self._kinds.setdefault(short, (kind, True))
        self._places: dict[str, Term | str] = {}
        if self.city is not None:
            for name in (self.city.name, *self.city.aliases):
                if name.startswith("营口"):
                    self._places[name] = self.city
        for term in vocabulary.terms["district"]:
            if term.citywide:
                continue
            for name in (term.name, *term.aliases):
                self._places.setdefault(name, term)
                if self.city is not None and not name.startswith("营口"):
                    self._places.setdefault(self.city.name + name, term)
        self._places.update({"市": "市", "区": "区"})
        # kinds are found first, then the place that ends right before one
        self._kind_re = _alternation(self._kinds)
        self._place_lengths = sorted({len(p) for p in self._places}, reverse=True)
        districts = "|".join(re.escape(n) for n in sorted(self._places, key=len, reverse=True)
                             if len(n) > 1)
        self._lookalike = re.compile(
            rf"(?:{districts})(?:(?![{_NOT_IN_NAME}])[{CJK}]){{2,8}}?(?:局|委员会|管委会|办公室)")

    # ------------------------------------------------------------------
    def find(self, text: str, where: str, home: Home) -> tuple[list[Found], list[str]]:
        """Agencies named in ``text`` (by position) and lookalikes to report."""
        found: list[Found] = []
        masked = list(text)
        for match in self._listed_re.finditer(text):
            name = match.group(0)
            if name.startswith("市") and not name_may_start(text, match.start()):
                continue
            if name.startswith("市") and home.city is not None and not home.city.citywide:
                continue        # 市… in a story about 盖州市 is 盖州市's: built below
            if name.startswith("区") and home.district is not None:
                continue
            term = self._listed[name]
            how = "名称" if name == term.name else "别名"
            found.append(Found(match.start(), term.name, f"词表{how}“{name}”（{where}）"))
            masked[match.start():match.end()] = "\0" * (match.end() - match.start())
        text_left = "".join(masked)
        for match in self._kind_re.finditer(text_left):
            start = match.start()
            place = next((text_left[start - n:start] for n in self._place_lengths
                          if n <= start and text_left[start - n:start] in self._places), None)
            built = self._build(place, match.group(0), start - len(place or ""), text_left, home, where)
            if built is None and place is not None:     # "城市管理局": not 市 + 管理局
                built = self._build(None, match.group(0), start, text_left, home, where)
            if built is None:
                continue
            found.append(built)
            masked[built.position:match.end()] = "\0" * (match.end() - built.position)
        lookalikes = [m.group(0) for m in self._lookalike.finditer("".join(masked))]
        return sorted(found, key=lambda f: f.position), lookalikes

    def _build(self, place_text: str | None, kind_text: str, start: int, text: str,
               home: Home, where: str) -> Found | None:
        kind, short = self._kinds[kind_text]
        if place_text in (None, "市", "区") and not name_may_start(text, start):
            return None
        if place_text is None:
            if short or not kind.bare:
                return None        # "政府", "法院" alone are no one's
            place, how_place = home.city, "没有地名，指本篇的主城市"
        elif place_text == "市":
            place, how_place = home.city, "“市”指本篇的主城市"
        elif place_text == "区":
            place, how_place = home.district, "“区”指本篇所写的区"
        else:
            place = self._places[place_text]
            how_place = f"地名“{place_text}”"
        if place is None:
            return None
        city_level = bool(place.citywide)
        if city_level or county_level_city(place):
            prefix = place.name
        else:
            prefix = (self.city.name if self.city else "") + place.name
        full = prefix + kind.full(city_level)
        raw = (place_text or "") + kind_text
        how_kind = f"部门类型“{kind.full(city_level)}”" + (f"（简称“{kind_text}”）" if short else "")
        term = self.vocabulary.find("agency", full)
        if term is not None:
            note = f"文中“{raw}”（{where}）：{how_place}+{how_kind}，即词表中的“{term.name}”"
            return Found(start, term.name, note)
        note = (f"文中“{raw}”（{where}）：{how_place}+{how_kind}，构成“{full}”"
                "（未列入词表，按部门类型表构成）")
        return Found(start, full, note)


def built_from_known_kind(name: str, vocabulary: Vocabulary) -> bool:
    """Is ``name`` a known place's full name followed by a known kind's full name?"""
    city = next((t for t in vocabulary.terms["district"] if t.citywide), None)
    prefixes = []
    for term in vocabulary.terms["district"]:
        if term.citywide:
            prefixes.append((term.name, True))
        elif county_level_city(term):
            prefixes.append((term.name, False))
        else:
            prefixes.append(((city.name if city else "") + term.name, False))
    for prefix, city_level in prefixes:
        if name.startswith(prefix):
            rest = name[len(prefix):]
            if any(rest == kind.full(city_level) for kind in AGENCY_KINDS):
                return True
    return False
