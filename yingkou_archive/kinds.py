"""The kinds of terms the archive files articles under: one table.

Everything that knows "topic, district, agency" reads it: the vocabulary
file's sections, the article fields and their rules, the taxonomy pages
and their URLs, the templates (as ``taxonomy_kinds``), the search facets
and, through ``manifest.json``, the search page.  A new kind is a new row
here plus its section in taxonomy.yml.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaxonomyKind:
    name: str          # "topic": the metadata field (Topic:), and Term.kind
    plural: str        # "topics": taxonomy.yml section, article attribute, URL folder, data-* attribute
    label: str         # "专题": what readers and editors see
    required: bool     # every article needs at least one
    in_brief: bool     # shown in article lists and search results, not only on the article
    # a term the vocabulary does not list is accepted with a warning and
    # still gets its page (agencies: papers name more than any list holds)
    open_vocabulary: bool = False

    @property
    def field(self) -> str:
        """The metadata field as an editor types it: Topic, District, Agency."""
        return self.name.title()

    @property
    def url(self) -> str:
        """The overview page of all terms of this kind."""
        return f"{self.plural}/"


TAXONOMY_KINDS = (
    TaxonomyKind("topic", "topics", "专题", required=True, in_brief=True),
    TaxonomyKind("district", "districts", "地区", required=True, in_brief=True),
    TaxonomyKind("agency", "agencies", "部门", required=False, in_brief=False, open_vocabulary=True),
)
KINDS = tuple(kind.name for kind in TAXONOMY_KINDS)
KIND_LABELS = {kind.name: kind.label for kind in TAXONOMY_KINDS}
BY_NAME = {kind.name: kind for kind in TAXONOMY_KINDS}
