"""Pelican adapter: a page per term of every kind, from one table.

Each row of :data:`yingkou_archive.kinds.TAXONOMY_KINDS` names an article
attribute holding canonical term names (set by the archive_content reader)
and a URL folder.  For every kind this plugin

* wraps each term in a :class:`TaxonomyTerm` (a Pelican ``URLWrapper``
  whose slug comes from the vocabulary file, never from slugify);
* writes a paginated page per term (``Writer.write_file`` with
  ``template_name="term"`` so Pelican's paginator applies), an Atom feed per
  term and one overview page listing every term with its count;
* gives every article its related articles (most shared terms, then newest).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import cached_property, partial

from pelican import signals
from pelican.urlwrappers import URLWrapper

from fileutil import load_pickled, save_pickled
from plugins.archive_content.store import STORE_INPUT
from plugins.archive_writer import article_pages_changing, feed_terms, pages_queued
from plugins.archive_writer.keys import list_key
from plugins.build_vocabulary import build_vocabulary
from plugins.forked import Pending, worth_forking
from plugins.list_pages import keyed, known_changes, write_list_pages
from yingkou_archive.article import split_list
from yingkou_archive.errors import ContentError, Problem
from yingkou_archive.kinds import TAXONOMY_KINDS, TaxonomyKind
from yingkou_archive.monthly_chart import MonthlyChart
from yingkou_archive.related import RelatedState, update_related

logger = logging.getLogger(__name__)

RELATED_LIMIT = 5
# The last build's related lists (in CACHE_PATH): a build that only added
# articles updates them instead of computing every article's again.
RELATED_STATE_FILE = "related.pickle"
# The plugin whose writer makes the pages' keys, and renders, only when every
# page is queued (so related lists may come while the pages are queued).
ARCHIVE_WRITER = "plugins.archive_writer"


class TaxonomyTerm(URLWrapper):
    """One term (a topic, a district, …) with its articles (newest first)."""

    def __init__(self, term, kind: TaxonomyKind, settings):
        super().__init__(term.name, settings)
        self.slug = term.slug
        self.term = term
        self.kind = kind
        # what related articles compare (one string per term, made once: a
        # tuple per term and article was 0.4 s of a 50,000-article build)
        self.related_key = f"{kind.plural}/{term.slug}"
        self.articles = []
        # districts: the agencies that belong to them; agencies: the district
        # they belong to, when it has a page (both filled in later)
        self.agencies = []
        self.home_district = None

    # URLWrapper derives URLs from <CLASSNAME>_URL settings; terms take
    # theirs from the kind instead, so one class serves every kind.
    # cached: read for every article of every list and key, and a term's
    # kind and slug do not change once it is made
    @cached_property
    def url(self) -> str:
        return f"{self.kind.plural}/{self.slug}/"

    @property
    def save_as(self) -> str:
        return f"{self.url}index.html"

    @property
    def page_name(self) -> str:
        return self.url.rstrip("/")

    @property
    def feed_url(self) -> str:
        return f"{self.url}atom.xml"

    @property
    def count(self) -> int:
        return len(self.articles)

    def __hash__(self):
        return hash((self.kind.name, self.slug))

    def __eq__(self, other):
        if isinstance(other, TaxonomyTerm):
            return (self.kind.name, self.slug) == (other.kind.name, other.slug)
        return NotImplemented

    def __lt__(self, other):
        return (self.kind.name, self.slug) < (other.kind.name, other.slug)


@dataclass
class TaxonomyIndex:
    """All terms of one kind, in vocabulary order, for templates."""

    kind: TaxonomyKind
    terms: list[TaxonomyTerm] = field(default_factory=list)

    @property
    def used_terms(self) -> list[TaxonomyTerm]:
        return [t for t in self.terms if t.articles]

    @property
    def url(self) -> str:
        return self.kind.url

    @property
    def save_as(self) -> str:
        return f"{self.kind.url}index.html"


def _term_names(article, kind: TaxonomyKind) -> list[str]:
    """The names an article gives for a kind: the archive reader's list
    (``topics``), else the field as Pelican's own reader leaves it
    (``topic: "营商环境、港口物流"``)."""
    names = getattr(article, kind.plural, None)
    if names is None:
        return split_list(str(getattr(article, kind.name, "") or ""))
    return [str(name) for name in names]


def _shown_path(article) -> str:
    return getattr(article, "relative_source_path", article.source_path)


def build_taxonomies(generator):
    """Attach term objects to articles and collect each term's articles."""
    settings = generator.settings
    vocabulary = build_vocabulary(settings)
    indexes = []
    problems = []
    for kind in TAXONOMY_KINDS:
        wrappers = {t.name: TaxonomyTerm(t, kind, settings) for t in vocabulary.terms[kind.name]}
        for article in generator.articles:  # newest first already
            terms = []
            # the archive reader's list, read directly (a call per article
            # and kind was 0.5 s of a build at 100,000 articles)
            names = article.__dict__.get(kind.plural)
            for name in _term_names(article, kind) if names is None else names:
                name = str(name)
                if name not in wrappers:
                    found = vocabulary.find(kind.name, name)
                    if found is None and kind.open_vocabulary:
                        found = vocabulary.add_unlisted(kind.name, name)
                    if found is None:
                        problems.append(Problem(_shown_path(article), f"未知{kind.label}“{name}”"))
                        continue
                    wrappers.setdefault(found.name, TaxonomyTerm(found, kind, settings))
                    name = found.name
                terms.append(wrappers[name])
            for term in terms:
                term.articles.append(article)
            setattr(article, kind.plural, terms)
        indexes.append(TaxonomyIndex(kind, list(wrappers.values())))
    if problems:
        raise ContentError(problems)
    _attach_agencies_to_districts(indexes)
    history = getattr(generator, "archive_history", None)
    _attach_related(generator.articles, generator.settings, history)
    generator.archive_taxonomies = indexes
    generator.context["taxonomies"] = indexes
    generator.context["taxonomy"] = {index.kind.name: index for index in indexes}


def _attach_agencies_to_districts(indexes):
    by_kind = {index.kind.name: index for index in indexes}
    if "district" not in by_kind or "agency" not in by_kind:
        return
    districts = {term.name: term for term in by_kind["district"].terms}
    for agency in by_kind["agency"].terms:
        home = districts.get(agency.term.district or "")
        if home is None and agency.articles:
            # an unlisted agency belongs where most of its articles are
            counts = {}
            for article in agency.articles:
                for district in article.districts:
                    counts[district.name] = counts.get(district.name, 0) + 1
            home = districts.get(max(counts, key=counts.get)) if counts else None
        if home is not None:
            home.agencies.append(agency)
            if home.articles and home.name == agency.term.district:  # not a guess
                agency.home_district = home


_related = Pending()
# (ids of the articles whose related lists may differ from those of the
# build that kept its lists, ids of those new since, that build's store
# state, the articles, the store history), for changing_related; None: not
# known
_related_changes = [None]


def _attach_related(articles, settings, history=None):
    """Every article's related articles.  At 50,000 articles that is 1 s of
    Python over every article, needed only when the writer makes the pages'
    keys: with the archive writer (which queues pages and makes keys only
    when every page is queued) it runs in a forked process meanwhile, and
    :func:`attach_pending_related` gives the answer to the articles."""
    cache_dir = settings.get("CACHE_PATH")
    store_state = None if history is None else history.state()
    _related_changes[0] = None
    if worth_forking(len(articles)) and ARCHIVE_WRITER in settings.get("PLUGINS", ()):
        _related.start("相关文章计算", related_lists, articles, cache_dir, store_state,
                       context=(articles, history))
        return
    _related.stop()
    _give_related(articles, history, *related_lists(articles, cache_dir, store_state))


def attach_pending_related(*_args, **_kwargs):
    taken = _related.take()
    if taken is not None:
        (related, changes), (articles, history) = taken
        _give_related(articles, history, related, changes)


def related_lists(articles, cache_dir: str | None, store_state: dict | None = None) -> tuple:
    """Each article's related articles, as indices into ``articles``; and
    (the positions whose lists may differ from those kept by the last
    build, that build's ``store_state``), or None when not known."""
    plurals = [kind.plural for kind in TAXONOMY_KINDS]
    term_sets = [
        frozenset([term.related_key for plural in plurals for term in getattr(article, plural, ())])
        for article in articles
    ]
    newness = [article.date.timestamp() for article in articles]
    keys = [_shown_path(article) for article in articles]
    state_file = os.path.join(cache_dir, RELATED_STATE_FILE) if cache_dir else None
    kept = load_pickled(state_file) if state_file else None
    # (RelatedState, the store state it was made at); an older cache kept the bare state
    previous, kept_store = kept if isinstance(kept, tuple) and len(kept) == 2 else (kept, None)
    previous = previous if isinstance(previous, RelatedState) else None
    related, state = update_related(keys, term_sets, newness, RELATED_LIMIT, previous)
    if state_file:
        save_pickled(state_file, (state, store_state))
    if previous is None or kept_store is None:
        return related, None
    return related, (*_changed_positions(keys, related, previous), kept_store)


def _changed_positions(keys: list, related: list[list[int]], previous: RelatedState) -> tuple[set[int], set[int]]:
    """The positions whose related list names other articles (by key) than
    ``previous`` did, and of those the ones ``previous`` had no list for
    (new articles)."""
    before = dict(zip(previous.keys, previous.related, strict=True))
    old_keys = previous.keys
    changed, new = set(), set()
    for position, (key, mine) in enumerate(zip(keys, related, strict=True)):
        old = before.get(key)
        if old is None:
            new.add(position)
        if old is None or [old_keys[i] for i in old] != [keys[i] for i in mine]:
            changed.add(position)
    return changed, new


def _give_related(articles, history, related: list[list[int]], changes) -> None:
    for article, indices in zip(articles, related, strict=True):
        article.related_articles = [articles[i] for i in indices]
    if changes is not None and history is not None:
        positions, new, kept_store = changes
        _related_changes[0] = ({id(articles[p]) for p in positions}, {id(articles[p]) for p in new},
                               kept_store, articles, history)


def changing_related(writer, **_kwargs) -> set[int] | None:
    """For plugins.archive_writer (article_pages_changing): the articles
    whose related lists differ from the output's build, and those whose
    lists hold an article changed since (its title or summary may have)."""
    found = _related_changes[0]
    if found is None:
        return None
    ids, new, kept_store, articles, history = found
    output_store = writer.previous_inputs.get(STORE_INPUT)
    if kept_store != output_store:
        return None  # the lists compared with are not the output's
    changed = history.changed_since(output_store)
    if changed is None:
        return None
    # a new article is only in lists made now (named already); an edited
    # one may be in any
    if not changed <= new:
        ids = ids | {id(a) for a in articles if not changed.isdisjoint(map(id, a.related_articles))}
    return ids


def _term_data(term: TaxonomyTerm) -> tuple:
    """What a term's front page shows besides its articles and their chart
    (for its key)."""
    return (term.kind.name, term.name, term.url, term.count, term.feed_url, term.term.aliases,
            term.term.district, term.home_district and (term.home_district.name, term.home_district.url),
            tuple((a.name, a.url, a.count) for a in term.agencies))


def _feed_key(articles, title: str) -> str:
    """A feed shows its articles whole: their sources, links and terms (its
    categories) decide it."""
    return list_key(articles, title, tuple((getattr(a, "source_hash", ""), tuple(feed_terms(a)))
                                           for a in articles))


def write_taxonomies(generator, writer):
    settings = generator.settings
    write = partial(writer.write_file, relative_urls=settings["RELATIVE_URLS"])
    term_template = generator.get_template("term")
    overview_template = generator.get_template("terms")
    per_page = settings.get("TERM_PAGE_SIZE", 20)
    feed_size = settings.get("FEED_MAX_ITEMS") or 50
    changes = known_changes(generator, writer)
    for index in generator.archive_taxonomies:
        for term in index.used_terms:
            chart = MonthlyChart((a.date for a in term.articles), term.name, term.url, per_page)
            write_list_pages(write, term_template, generator.context, term.url, term.articles, per_page,
                             _term_data(term), (term.kind.name, term.name, term.url), changes,
                             front_derived=lambda chart=chart: chart.series,
                             taxonomy=index, term=term, chart_svg=chart, page_name=term.page_name)
            title = f"{index.kind.label}：{term.name}"
            writer.write_feed(term.articles, generator.context, term.feed_url, term.feed_url,
                              feed_type="atom", feed_title=title,
                              **keyed(writer, _feed_key(term.articles[:feed_size], title)))
        write(
            index.save_as,
            overview_template,
            generator.context,
            taxonomy=index,
            url=index.url,
            page_name=index.kind.plural,
            render_key=list_key((), index.kind.name,
                                tuple((t.name, t.url, t.count, tuple((a.name, a.url, a.count) for a in t.agencies))
                                      for t in index.terms)),
        )


def register():
    signals.article_generator_finalized.connect(build_taxonomies)
    signals.article_writer_finalized.connect(write_taxonomies)
    pages_queued.connect(attach_pending_related)
    article_pages_changing.connect(changing_related)
