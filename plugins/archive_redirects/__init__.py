"""Pelican adapter: old URLs keep working after a slug changes.

An article lists its former URLs in ``Aliases:``; a term lists its former
slugs in ``old_slugs`` in taxonomy.yml.  Each old URL gets a small page that
redirects to the current one (meta refresh plus a link, and a canonical
link for search engines).  The pages are written through the writer's
overwrite guard but not ``Writer.write_file``, so they stay out of the
sitemap.
"""

from __future__ import annotations

import os
import posixpath

from pelican import signals

from plugins.pelican_internals import open_through_guard
from yingkou_archive.article import split_list
from yingkou_archive.errors import ContentError, Problem


def _relative(from_url: str, to_url: str) -> str:
    """Link from the folder page ``from_url`` to ``to_url`` (both site paths)."""
    return posixpath.relpath("/" + to_url, "/" + from_url.rstrip("/")).rstrip("/") + "/"


def _aliases(article) -> list[str]:
    """Old URLs of an article: the archive reader's checked list, or the
    field as Pelican's own reader leaves it (a string)."""
    aliases = getattr(article, "aliases", [])
    if isinstance(aliases, str):
        return [alias.strip("/") + "/" for alias in split_list(aliases)]
    return list(aliases)


def collect_redirects(generator):
    """(old url, new url, file that asked for it) for articles and terms."""
    redirects = []
    for article in generator.articles + generator.hidden_articles:
        for alias in _aliases(article):
            redirects.append((alias, article.url, article.relative_source_path))
    vocabulary_file = os.path.join(os.path.basename(generator.settings["PATH"]), "taxonomy.yml")
    for index in getattr(generator, "archive_taxonomies", []):
        for term in index.terms:
            if term.articles:
                for old in term.term.old_slugs:
                    redirects.append((f"{index.kind.plural}/{old}/", term.url, vocabulary_file))
    return redirects


def _live_urls(generator) -> set[str]:
    urls = {a.url for a in generator.articles + generator.hidden_articles}
    urls |= {p.url for p in generator.context.get("pages", [])}
    for index in getattr(generator, "archive_taxonomies", []):
        urls |= {t.url for t in index.terms} | {index.url}
    return urls


def check_redirects(redirects, live: set[str]) -> list[Problem]:
    problems = []
    targets: dict[str, str] = {}
    for old, new, source in redirects:
        if old in live:
            problems.append(Problem(source, f"旧网址 /{old} 仍是一个现有页面，不能再指向 /{new}"))
        elif targets.setdefault(old, new) != new:
            problems.append(Problem(source, f"旧网址 /{old} 同时指向 /{targets[old]} 和 /{new}"))
    return problems


def write_redirects(generator, writer):
    redirects = collect_redirects(generator)
    if not redirects:
        return
    problems = check_redirects(redirects, _live_urls(generator))
    if problems:
        raise ContentError(problems)
    template = generator.get_template("redirect")
    settings = generator.settings
    for old, new, source in redirects:
        target = _relative(old, new) if settings["RELATIVE_URLS"] else f"{settings['SITEURL']}/{new}"
        html = template.render(
            generator.context,
            target=target,
            canonical=f"{settings['SITE_ABSOLUTE_URL']}/{new}",
        )
        name = os.path.join(old, "index.html")
        if hasattr(writer, "write_text"):  # the archive's writer: replaced only if changed
            writer.write_text(name, html, source)
            continue
        path = os.path.join(writer.output_path, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open_through_guard(writer, path, source) as handle:
            handle.write(html)


def register():
    signals.article_writer_finalized.connect(write_redirects)
