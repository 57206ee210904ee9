"""The archive's controlled vocabulary: the terms of each kind (yingkou_archive/kinds.py).

Loaded from one YAML file (``content/taxonomy.yml``).  Every term carries an
explicit ASCII slug because Pelican's slugify merges homophones
(市场/试场 -> shi-chang) and misreads rare characters (鲅 -> bo); two terms of
one kind with one slug are an error, never a silent merge.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import VocabularyError
from .kinds import BY_NAME, KIND_LABELS, KINDS, TAXONOMY_KINDS

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Term:
    kind: str
    name: str
    slug: str
    aliases: tuple[str, ...] = ()
    # districts: towns and streets (乡镇/街道) inside the district
    towns: tuple[str, ...] = ()
    # topics: words the importer scores article text against
    keywords: tuple[str, ...] = ()
    # agencies: the district the agency belongs to
    district: str | None = None
    citywide: bool = False
    # False for an agency an article named that the vocabulary does not list
    listed: bool = True
    # slugs this term had before: their URLs redirect to the current one
    old_slugs: tuple[str, ...] = ()


@dataclass
class Vocabulary:
    """All terms, with lookup by canonical name or alias."""

    terms: dict[str, list[Term]] = field(default_factory=dict)
    source: str = "taxonomy.yml"
    _lookup: dict[tuple[str, str], Term] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        for kind in KINDS:
            self.terms.setdefault(kind, [])
        for terms in self.terms.values():
            for term in terms:
                self._index(term)
        self.check_slugs()

    def _index(self, term: Term) -> None:
        for name in (term.name, *term.aliases):
            key = (term.kind, name)
            other = self._lookup.get(key)
            if other is not None and other.name != term.name:
                raise VocabularyError(
                    f"{self.source}: 名称“{name}”同时指向{KIND_LABELS[term.kind]}"
                    f"“{other.name}”和“{term.name}”"
                )
            self._lookup[key] = term

    def check_slugs(self) -> None:
        for kind, terms in self.terms.items():
            seen: dict[str, Term] = {}
            for term in terms:
                for slug in (term.slug, *term.old_slugs):
                    if not SLUG_RE.match(slug):
                        raise VocabularyError(
                            f"{self.source}: {KIND_LABELS[kind]}“{term.name}”的 slug "
                            f"“{slug}”无效：只能用小写字母、数字和连字符"
                        )
                    if slug in seen:
                        raise VocabularyError(
                            f"{self.source}: {KIND_LABELS[kind]}“{seen[slug].name}”和"
                            f"“{term.name}”的 slug 相同（{slug}），网址会冲突；"
                            "请给其中一个换一个 slug"
                        )
                    seen[slug] = term

    def find(self, kind: str, name: str) -> Term | None:
        """The term a name or alias stands for, or None."""
        return self._lookup.get((kind, name.strip()))

    def names(self, kind: str) -> list[str]:
        return [t.name for t in self.terms[kind]]

    def suggest(self, kind: str, name: str) -> str | None:
        """The closest canonical name or alias, to suggest for a typo."""
        candidates = [n for (k, n) in self._lookup if k == kind]
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.3)
        if not close:
            return None
        return self._lookup[(kind, close[0])].name

    def add_unlisted(self, kind: str, name: str) -> Term:
        """Register a term of an open kind (agencies) that an article names
        and the file does not list.

        It gets a pinyin slug; if that slug is already taken the build must
        fail rather than merge two terms into one page.
        """
        existing = self.find(kind, name)
        if existing:
            return existing
        term = Term(kind=kind, name=name, slug=pinyin_slug(name), listed=False)
        clash = next((t for t in self.terms[kind] if t.slug == term.slug), None)
        if clash:
            raise VocabularyError(
                f"{KIND_LABELS[kind]}“{name}”自动生成的 slug“{term.slug}”与“{clash.name}”相同；"
                f"请把“{name}”写进 {self.source} 并给它一个不同的 slug"
            )
        self.terms[kind].append(term)
        self._index(term)
        return term

    def district_of_place(self, place: str) -> Term | None:
        """The district a town or street (乡镇/街道) lies in."""
        for term in self.terms["district"]:
            if place in term.towns:
                return term
        return None


def pinyin_slug(text: str) -> str:
    """An ASCII slug from Chinese text, one pinyin syllable per character.

    pypinyin knows rare characters (鲅 -> ba) that unidecode gets wrong.
    """
    from pypinyin import Style, lazy_pinyin  # loaded only when a slug is made (0.4 s)

    syllables = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    words = []
    for syllable in syllables:
        word = re.sub(r"[^a-z0-9]+", "-", syllable.lower()).strip("-")
        if word:
            words.append(word)
    return "-".join(words)


def _as_tuple(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise VocabularyError(f"{where}: 应为名称列表")
    return tuple(str(v) for v in value)


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's last-one-wins for a repeated key would silently change a
    term (a second ``slug:`` changes its URL): a repeated key is an error."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"键“{key}”在第 {seen[key] + 1} 行和第 {key_node.start_mark.line + 1} "
                    "行各写了一次，只能写一次", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def load_vocabulary(path: str | Path) -> Vocabulary:
    path = Path(path)
    try:
        # a SafeLoader that also refuses repeated keys
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except FileNotFoundError:
        raise VocabularyError(f"{path}: 找不到词表文件") from None
    except UnicodeDecodeError:
        raise VocabularyError(f"{path}: 不是 UTF-8 编码") from None
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{path}: YAML 格式错误：{exc}") from None
    if not isinstance(data, dict):
        sections = "、".join(kind.plural for kind in TAXONOMY_KINDS)
        raise VocabularyError(f"{path}: 应包含 {sections} {len(TAXONOMY_KINDS)} 节")
    terms: dict[str, list[Term]] = {}
    for kind in KINDS:
        section = BY_NAME[kind].plural
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise VocabularyError(f"{path}: {section} 应为列表")
        terms[kind] = []
        for i, entry in enumerate(entries, 1):
            where = f"{path}: {section} 第 {i} 项"
            if not isinstance(entry, dict) or not entry.get("name") or not entry.get("slug"):
                raise VocabularyError(f"{where}: 需要 name 和 slug")
            terms[kind].append(
                Term(
                    kind=kind,
                    name=str(entry["name"]).strip(),
                    slug=str(entry["slug"]).strip(),
                    aliases=_as_tuple(entry.get("aliases"), where),
                    towns=_as_tuple(entry.get("towns"), where),
                    keywords=_as_tuple(entry.get("keywords"), where),
                    district=entry.get("district"),
                    citywide=bool(entry.get("citywide", False)),
                    old_slugs=_as_tuple(entry.get("old_slugs"), where),
                )
            )
    vocabulary = Vocabulary(terms=terms, source=str(path))
    for agency in vocabulary.terms["agency"]:
        if agency.district and not vocabulary.find("district", agency.district):
            raise VocabularyError(
                f"{path}: 部门“{agency.name}”所属地区“{agency.district}”不在 districts 中"
            )
    return vocabulary
