"""Choosing an article's topics, districts and agencies, and saying why.

Everything comes from the vocabulary (``content/taxonomy.yml``):

* districts: every name, alias and town/street (乡镇/街道) of a district is
  looked for; 熊岳镇 counts for 鲅鱼圈区.  营口市 (the whole city) leads
  when the city is named at least as often as any one district or when three
  or more districts share the story; it is also the answer when no place is
  named, since every story on the page is about 营口.
* topics: each topic's keywords are counted; the best topic wins and others
  scoring at least half as much are added (at most three).
* agencies: the vocabulary's names and aliases, plus a pattern for names not
  listed yet (…局 …委员会 …委 …检察院 …法院 …中心 …办公室 after a city or
  district prefix), normalised to full names.

Words in the title count three times, in the summary and first paragraph
twice, elsewhere once.  Every tag carries a :class:`Reason` for ``--explain``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..vocabulary import Term, Vocabulary, pinyin_slug
from .model import Story
from .repair import CJK

WEIGHTS = {"title": 3, "lead": 2, "body": 1}
WHERE = {"title": "标题", "lead": "导语", "body": "正文"}
SECONDARY_TOPIC_SHARE = 0.5
MAX_TOPICS = 3

# A bare "市" is the city only where a name may start: after punctuation or
# one of these words ("据市交通运输局…", "由市政府…"), never inside 城市/盖州市.
_BEFORE_BARE_CITY = "据由和与及从在经向对让同会是将请"
# Characters never inside an agency's name; they stop the pattern early.
_NOT_IN_NAME = "在的了将向从把被是于到由已也就都还又并着过这那其该此各每年月日说称获悉介绍等"
_SUFFIX = r"(?:委员会|检察院|法院|办公室|中心(?![城区地点任])|局(?![面部限势])|委(?![托员屈婉]))"


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
        self._places: dict[str, tuple[Term, str]] = {}
        for term in vocabulary.terms["district"]:
            for name in (term.name, *term.aliases):
                self._places.setdefault(name, (term, "名称" if name == term.name else "别名"))
            for town in term.towns:
                self._places.setdefault(town, (term, f"{term.name}的乡镇/街道"))
        self._place_re = _alternation(self._places)
        self._agency_names: dict[str, Term] = {}
        for term in vocabulary.terms["agency"]:
            for name in (term.name, *term.aliases):
                self._agency_names.setdefault(name, term)
        self._agency_re = _alternation(self._agency_names)
        self._districts = [t for t in vocabulary.terms["district"] if not t.citywide]
        names = "|".join(re.escape(t.name) for t in sorted(self._districts, key=lambda t: -len(t.name)))
        body = rf"(?:(?![{_NOT_IN_NAME}])[{CJK}]){{2,16}}?"
        prefixes = [rf"营口市(?:{names})?", rf"(?:{names})", r"营口(?!市)",
                    rf"(?<![{CJK}])市", rf"(?<=[{_BEFORE_BARE_CITY}])市"]
        if not names:
            prefixes = prefixes[0:1] + prefixes[2:]
        self._pattern = re.compile(rf"(?:{'|'.join(prefixes)}){body}{_SUFFIX}")

    # ------------------------------------------------------------------
    def tag(self, story: Story) -> Tags:
        sections = story.text_for_tagging()
        reasons: list[Reason] = []
        warnings: list[str] = []
        topics, uncertain = self._topics(sections, reasons)
        districts = self._districts_of(sections, reasons)
        agencies = self._agencies(sections, reasons, warnings)
        if uncertain:
            warnings.append(
                f"《{story.title}》没有命中任何专题关键词，暂标为“{topics[0]}”并设为草稿"
                "（Status: draft），请编辑确认 Topic"
            )
        return Tags(topics, districts, agencies, reasons, warnings, uncertain)

    # ------------------------------------------------------------------
    def _topics(self, sections, reasons) -> tuple[list[str], bool]:
        scored = []
        for order, term in enumerate(self.vocabulary.terms["topic"]):
            score, evidence = 0, []
            for keyword in term.keywords:
                for where, text in sections.items():
                    count = text.count(keyword)
                    if count:
                        score += count * WEIGHTS[where]
                        evidence.append(f"关键词“{keyword}”×{count}（{WHERE[where]}）")
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
        counter = 0
        for where, text in sections.items():
            counts: dict[tuple[str, str, str], int] = {}
            for match in self._place_re.finditer(text):
                term, how = self._places[match.group(0)]
                key = (term.name, match.group(0), how)
                counts[key] = counts.get(key, 0) + 1
                scores[term.name] = scores.get(term.name, 0) + WEIGHTS[where]
                first_seen.setdefault(term.name, counter)
                counter += 1
            for (name, found, how), count in counts.items():
                evidence.setdefault(name, []).append(f"“{found}”（{how}）×{count}（{WHERE[where]}）")
        city = self.city.name if self.city else None
        specific = sorted((n for n in scores if n != city),
                          key=lambda n: (-scores[n], first_seen[n]))
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

    # ------------------------------------------------------------------
    def _agencies(self, sections, reasons, warnings) -> list[str]:
        found: dict[str, Reason] = {}
        order: list[str] = []

        def add(name: str, weight: int, note: str) -> None:
            if name not in found:
                found[name] = Reason("agency", name, 0, [])
                order.append(name)
            found[name].score += weight
            if note not in found[name].evidence:
                found[name].evidence.append(note)

        for where, text in sections.items():
            hits: list[tuple[int, str, str]] = []     # (position, name, note)
            masked = list(text)
            for match in self._agency_re.finditer(text):
                name = match.group(0)
                if name.startswith("市") and not _bare_city_ok(text, match.start()):
                    continue
                term = self._agency_names[name]
                kind = "名称" if name == term.name else "别名"
                hits.append((match.start(), term.name, f"词表{kind}“{name}”（{WHERE[where]}）"))
                masked[match.start():match.end()] = "\0" * (match.end() - match.start())
            for match in self._pattern.finditer("".join(masked)):
                raw = match.group(0)
                name, how = self._normalise(raw)
                if name is None:
                    warnings.append(how)
                    continue
                hits.append((match.start(), name, f"文中“{raw}”（{WHERE[where]}），{how}"))
            for _, name, note in sorted(hits, key=lambda hit: hit[0]):
                add(name, WEIGHTS[where], note)
        for name in order:
            reasons.append(found[name])
        return order

    def _normalise(self, raw: str) -> tuple[str | None, str]:
        """Full name of an agency the pattern found, and how it was made."""
        candidates = [raw, "营口市" + raw, "营口" + raw]
        for candidate in candidates:
            term = self.vocabulary.find("agency", candidate)
            if term is not None:
                return term.name, f"对应词表中的“{term.name}”"
        full = self._full_name(raw)
        term = self.vocabulary.find("agency", full)
        if term is not None:
            return term.name, f"补全为“{full}”，对应词表中的“{term.name}”"
        slug = pinyin_slug(full)
        clash = next((t for t in self.vocabulary.terms["agency"] if t.slug == slug), None)
        if clash is not None:
            return None, f"部门“{full}”的拼音 slug 与“{clash.name}”相同，未标注；请写进 taxonomy.yml"
        note = "未列入词表，按部门名称规则识别" + (f"并补全为全称“{full}”" if full != raw else "")
        return full, note

    def _full_name(self, raw: str) -> str:
        if raw.startswith("营口市"):
            return raw
        if raw.startswith("营口"):
            return "营口市" + raw[2:]
        for district in self._districts:
            if raw.startswith(district.name):
                # districts (区) of the city take its name; county-level
                # cities (盖州市, 大石桥市) stand on their own
                return ("营口市" + raw) if district.name.endswith("区") else raw
        if raw.startswith("市场"):
            return "营口市" + raw      # "市场监督管理局" is the city's
        if raw.startswith("市"):
            return "营口市" + raw[1:]
        return raw


def _alternation(names) -> re.Pattern:
    """Longest name first, so 营口经济技术开发区 wins over 营口."""
    ordered = sorted((n for n in names if n), key=lambda n: (-len(n), n))
    if not ordered:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(re.escape(n) for n in ordered))


def _bare_city_ok(text: str, start: int) -> bool:
    if start == 0:
        return True
    before = text[start - 1]
    return not re.match(rf"[{CJK}]", before) or before in _BEFORE_BARE_CITY
