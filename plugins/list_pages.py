"""Writing a list of articles as stable pages (yingkou_archive/paging.py),
each with a render key from what it shows, so an unchanged page is not
rendered again (plugins/archive_writer).  Used by the taxonomy and date
plugins."""

from __future__ import annotations

from dataclasses import dataclass

from plugins.archive_writer.keys import list_key
from yingkou_archive.paging import page_url, stable_pages


@dataclass(frozen=True)
class PageNav:
    """What a list page's template needs to link its neighbours."""

    is_front: bool
    number: int | None
    newer_url: str | None
    older_url: str | None
    oldest_url: str | None
    front_url: str
    span: str  # the dates the page covers, e.g. 2021年3月2日—2021年5月7日

    def key(self) -> tuple:
        return (self.is_front, self.number, self.newer_url, self.older_url, self.oldest_url, self.span)


def keyed(writer, key: str) -> dict:
    """``render_key=key`` for the archive's writer; Pelican's own writer
    (a plugin's test site) takes no keys."""
    return {"render_key": key} if hasattr(writer, "page_keys") else {}


def _span(articles) -> str:
    if not articles:
        return ""
    def label(article) -> str:  # the archive reader's date_label, else Pelican's locale_date
        return getattr(article, "date_label", None) or article.locale_date

    newest, oldest = label(articles[0]), label(articles[-1])
    return newest if newest == oldest else f"{oldest}—{newest}"


def write_list_pages(write, template, context, base_url: str, articles: list, per_page: int,
                     front_data: tuple, page_data: tuple, **kwargs) -> None:
    """``write`` is the writer's ``write_file`` (with relative_urls bound);
    ``front_data`` and ``page_data`` are everything else the template shows
    on the front page and on a numbered page (plain values): a numbered
    page shows less (no counts), so it does not change with them."""
    for page in stable_pages(articles, per_page):
        def url(number):
            return None if number is None else page_url(base_url, number)

        nav = PageNav(page.is_front, page.number, url(page.newer), url(page.older), url(page.oldest),
                      base_url, _span(page.articles))
        address = page_url(base_url, page.number)
        write(f"{address}index.html", template, context, articles=page.articles, dates=page.articles,
              list_page=nav, url=address,
              render_key=list_key(page.articles, address, nav.key(), front_data if page.is_front else page_data),
              **kwargs)
