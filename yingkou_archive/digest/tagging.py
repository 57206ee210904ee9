"""Choosing an article's topics, districts and agencies, and saying why.

Everything comes from the vocabulary (``content/taxonomy.yml``):

* districts: every name, alias and town/street (乡镇/街道) of a district,
  and their short forms (:mod:`.places`: 熊岳 for 熊岳镇, 站前 for 站前区),
  count for the district.  营口市 (the whole city) leads when the city is
  named at least as often as any one district or when three or more
  districts share the story; it is also the answer when no place is named,
  since every story on the page is about 营口.  ``全市`` in a story about one
  county-level city (盖州市, 大石桥市) is that city, not 营口市.
* topics: each topic's keywords are counted; the best topic wins and others
  scoring at least half as much are added (at most three).
* agencies: :mod:`.agencies` -- vocabulary names and aliases, and a known
  place followed by a known agency kind, never free text.

Words in the title count three times, in the summary and first paragraph
twice, elsewhere once.  Every tag carries a :class:`Reason` for ``--explain``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..vocabulary import Term, Vocabulary
from .agencies import AgencyFinder, Home
from .model import Story
from .places import county_level_city, place_names

WEIGHTS = {"title": 3, "lead": 2, "body": 1}
WHERE = {"title": "标题", "lead": "导语", "body": "正文"}
SECONDARY_TOPIC_SHARE = 0.5
MAX_TOPICS = 3
# "全市" stands for the city of the story, which need not be 营口市.
WHOLE_CITY = "全市"


@dataclass
class Reason:
    kind: str                 # "topic" | "district" | "agency"
    name: str
    score: float
    evidence: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.name}（得分 {self.score:g}）：" + "；".join(self.evidence)


@dataclass
class Tags:
    topics: list[str]
    districts: list[str]
    agencies: list[str]
    reasons: list[Reason]
    warnings: list[str] = field(default_factory=list)
    uncertain: bool = False   # no topic keyword at all: an editor must decide


class Tagger:
    """Matchers built once per vocabulary, used for every story."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.city = next((t for t in vocabulary.terms["district"] if t.citywide), None)
        self._places = place_names(vocabulary)
        self._place_re = _alternation(self._places)
        self.agencies = AgencyFinder(vocabulary)
        # every topic keyword found in one pass over a text (longest first),
        # each match also counting the keywords inside it (项目 in 重点项目)
        keywords = sorted({k for t in vocabulary.terms["topic"] for k in t.keywords if k},
                          key=lambda k: (-len(k), k))
        self._keyword_re = re.compile("|".join(re.escape(k) for k in keywords)) if keywords else None
        self._inside = {k: [(p, k.count(p)) for p in keywords if p in k] for k in keywords}
        self._keyword_topics: dict[str, list[tuple[int, int]]] = {}
        for order, term in enumerate(vocabulary.terms["topic"]):
            for keyword_order, keyword in enumerate(term.keywords):
                self._keyword_topics.setdefault(keyword, []).append((order, keyword_order))

    def _keyword_counts(self, text: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        if self._keyword_re is None:
            return counts
        for found in self._keyword_re.findall(text):
            for keyword, times in self._inside[found]:
                counts[keyword] = counts.get(keyword, 0) + times
        return counts

    # ------------------------------------------------------------------
    def tag(self, story: Story) -> Tags:
        sections = story.text_for_tagging()
        reasons: list[Reason] = []
        warnings: list[str] = []
        topics, uncertain = self._topics(sections, reasons)
        districts = self._districts_of(sections, reasons)
        agencies = self._agencies(sections, reasons, warnings, self._home(districts, sections))
        if uncertain:
            warnings.append(
                f"《{story.title}》没有命中任何专题关键词，暂标为“{topics[0]}”并设为草稿"
                "（Status: draft），请编辑确认 Topic"
            )
        for warning in list(warnings):
            if warning.startswith("“"):
                warnings[warnings.index(warning)] = f"《{story.title}》中的{warning}"
        return Tags(topics, districts, agencies, reasons, warnings, uncertain)

    # ------------------------------------------------------------------
    def _topics(self, sections, reasons) -> tuple[list[str], bool]:
        terms = self.vocabulary.terms["topic"]
        hits: dict[int, list] = {}
        for where_order, (where, text) in enumerate(sections.items()):
            for keyword, count in self._keyword_counts(text).items():
                for order, keyword_order in self._keyword_topics[keyword]:
                    hits.setdefault(order, []).append((keyword_order, where_order, keyword, count, where))
        scored = []
        for order in sorted(hits):
            term = terms[order]
            found = sorted(hits[order])
            score = sum(count * WEIGHTS[where] for _, _, _, count, where in found)
            evidence = [f"关键词“{keyword}”×{count}（{WHERE[where]}）" for _, _, keyword, count, where in found]
            if score:
                scored.append((-score, order, term, evidence))
        scored.sort(key=lambda item: item[:2])
        if not scored:
            fallback = self.vocabulary.terms["topic"][0]
            reasons.append(Reason("topic", fallback.name, 0,
                                  ["没有命中任何关键词：暂用词表第一个专题，文章设为草稿"]))
            return [fallback.name], True
        best = -scored[0][0]
        chosen = []
        for neg, _, term, evidence in scored:
            if len(chosen) < MAX_TOPICS and -neg >= best * SECONDARY_TOPIC_SHARE:
                chosen.append(term.name)
                note = "最高分" if not chosen[:-1] else f"不低于最高分 {best:g} 的一半"
                reasons.append(Reason("topic", term.name, -neg, evidence + [note]))
        return chosen, False

    # ------------------------------------------------------------------
    def _districts_of(self, sections, reasons) -> list[str]:
        scores: dict[str, float] = {}
        evidence: dict[str, list[str]] = {}
        first_seen: dict[str, int] = {}
        whole_city: list[tuple[str, int]] = []     # "全市" matches, decided below
        counter = 0
        for where, text in sections.items():
            counts: dict[tuple[str, str, str], int] = {}
            for match in self._place_re.finditer(text):
                term, how = self._places[match.group(0)]
                if match.group(0) == WHOLE_CITY and term.citywide:
                    whole_city.append((where, counter))
                    counter += 1
                    continue
                key = (term.name, match.group(0), how)
                counts[key] = counts.get(key, 0) + 1
                scores[term.name] = scores.get(term.name, 0) + WEIGHTS[where]
                first_seen.setdefault(term.name, counter)
                counter += 1
            for (name, found, how), count in counts.items():
                evidence.setdefault(name, []).append(f"“{found}”（{how}）×{count}（{WHERE[where]}）")
        city = self.city.name if self.city else None
        specific = [n for n in scores if n != city]
        owner = city
        if len(specific) == 1 and city not in scores and county_level_city(self._term(specific[0])):
            owner = specific[0]          # 全市 in a story about 盖州市 is 盖州市
        for where, order in whole_city:
            if owner is None:
                break
            scores[owner] = scores.get(owner, 0) + WEIGHTS[where]
            first_seen.setdefault(owner, order)
            note = "（全市的别名）" if owner == city else f"（本篇只写{owner}，“全市”指{owner}）"
            evidence.setdefault(owner, []).append(f"“全市”{note}（{WHERE[where]}）")
        specific = sorted((n for n in scores if n != city), key=lambda n: (-scores[n], first_seen[n]))
        city_score = scores.get(city, 0) if city else 0
        chosen: list[str] = []
        if city and (not specific or city_score >= scores[specific[0]] or len(specific) >= 3):
            chosen.append(city)
            if city_score:
                note = "全市性报道：市名出现不少于任何一个区县" if specific and city_score >= scores[specific[0]] else (
                    "涉及三个及以上区县，按全市报道" if specific else "只提到全市")
                reasons.append(Reason("district", city, city_score, evidence[city] + [note]))
            else:
                note = "涉及三个及以上区县，按全市报道" if specific else "文中没有提到具体区县，默认为全市"
                reasons.append(Reason("district", city, 0, [note]))
        for name in specific:
            chosen.append(name)
            reasons.append(Reason("district", name, scores[name], evidence[name]))
        return chosen

    def _term(self, name: str) -> Term:
        return self.vocabulary.find("district", name)

    def _home(self, districts: list[str], sections) -> Home:
        """营口市, unless the story is only about one county-level city."""
        specific = [self._term(n) for n in districts if self.city is None or n != self.city.name]
        names_yingkou = any("营口" in text for text in sections.values())
        city = self.city
        if len(specific) == 1 and county_level_city(specific[0]) and not names_yingkou:
            city = specific[0]
        one_district = specific[0] if len(specific) == 1 and not county_level_city(specific[0]) else None
        return Home(city=city, district=one_district)

    # ------------------------------------------------------------------
    def _agencies(self, sections, reasons, warnings, home: Home) -> list[str]:
        found: dict[str, Reason] = {}
        for where, text in sections.items():
            hits, lookalikes = self.agencies.find(text, WHERE[where], home)
            for hit in hits:
                reason = found.setdefault(hit.name, Reason("agency", hit.name, 0, []))
                reason.score += WEIGHTS[where]
                if hit.note not in reason.evidence:
                    reason.evidence.append(hit.note)
            for name in dict.fromkeys(lookalikes):
                note = (f"“{name}”像部门名称，但既不在词表中，也不是“地名+已知部门类型”，"
                        "未标注；如确是部门，请补进 taxonomy.yml 或部门类型表（agency_kinds.py）")
                if note not in warnings:
                    warnings.append(note)
        reasons += found.values()
        return list(found)


def _alternation(names) -> re.Pattern:
    """Longest name first, so 营口经济技术开发区 wins over 营口."""
    ordered = sorted((n for n in names if n), key=lambda n: (-len(n), n))
    if not ordered:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(re.escape(n) for n in ordered))
