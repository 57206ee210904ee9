"""Place names a story may use for a district, from the vocabulary.

Besides each district's name, aliases and towns (乡镇/街道), papers write
short forms: a district without its 区 or 市 (站前, 盖州), a town without its
镇 or 乡 (熊岳, 芦屯).  A short form that is also an everyday word (柳树
"willow", 红旗 "red flag", 果园 "orchard") is not used: only the full name
counts for those.  Street names (街道) are never shortened, because most
are everyday words (建设, 胜利, 东风).
"""

from __future__ import annotations

import re

from ..vocabulary import Term, Vocabulary

# Town short forms that are everyday words; extend when a new town's short
# form is one.
EVERYDAY_WORDS = frozenset({
    "红旗", "万福", "果园", "水源", "永安", "周家", "柳树", "边城", "路南", "九寨", "沟沿",
    "石佛", "建一", "暖泉", "团山", "西海", "东城", "西城", "鼓楼", "金桥", "石桥",
})
_TOWN_SUFFIX = re.compile(r"(?:满族镇|朝鲜族乡|镇|乡)$")
_DISTRICT_SUFFIX = re.compile(r"[区市县]$")


def place_names(vocabulary: Vocabulary) -> dict[str, tuple[Term, str]]:
    """Every name that counts for a district -> (district, how it counts)."""
    places: dict[str, tuple[Term, str]] = {}
    for term in vocabulary.terms["district"]:
        for name in (term.name, *term.aliases):
            places.setdefault(name, (term, "名称" if name == term.name else "别名"))
        for town in term.towns:
            places.setdefault(town, (term, f"{term.name}的乡镇/街道"))
    # short forms come last: a full name or alias always wins
    for term in vocabulary.terms["district"]:
        if not term.citywide:
            short = _DISTRICT_SUFFIX.sub("", term.name)
            if len(short) >= 2:
                places.setdefault(short, (term, f"{term.name}的简称"))
        for town in term.towns:
            if not _TOWN_SUFFIX.search(town):
                continue
            short = _TOWN_SUFFIX.sub("", town)
            if len(short) >= 2 and short not in EVERYDAY_WORDS:
                places.setdefault(short, (term, f"{town}（{term.name}）的简称"))
    return places


def county_level_city(term: Term) -> bool:
    """盖州市 and 大石桥市 name their own agencies, districts (区) take 营口市."""
    return not term.citywide and term.name.endswith("市")
