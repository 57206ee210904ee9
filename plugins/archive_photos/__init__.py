"""Pelican adapter: an article's photos with srcset, sizes, width, height
and lazy loading, and its first photo as og:image and JSON-LD image
(yingkou_archive/photos.py; the resized copies come from
plugins/archive_images, which must come before this plugin in PLUGINS).

An article whose body shows content images gets ``archive_photos``: their
image sets, in order (others have none: read it with ``getattr(article,
"archive_photos", ())``; part of the render key,
plugins/archive_writer/keys.py: a replaced photo has new copies, so the
page is rendered again).  Templates get ``article_body(article, SITEURL)``
and ``share_image(article)``.
"""

from __future__ import annotations

import re

from pelican import signals
from pelican.generators import ArticlesGenerator

from plugins.archive_images import image_set
from yingkou_archive.images import ImageError
from yingkou_archive.photos import responsive_images
from yingkou_archive.photos import share_image as first_photo

_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')
# A static file is published at its path under content/ (images/…).
_CONTENT_IMAGE = re.compile(r"(?:^|/)(images/[^?#]+)")
_settings: dict = {}


def photos_of(article) -> tuple:
    found = []
    for src in _IMG_SRC.findall(article.content or ""):
        match = _CONTENT_IMAGE.search(src)
        if not match:
            continue
        try:
            photo = image_set(match.group(1))
        except ImageError:
            continue  # not a content image (check and build refuse missing ones)
        if photo not in found:
            found.append(photo)
    return tuple(found)


def attach_photos(generators):
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            _settings.update(site=generator.settings.get("SITE_ABSOLUTE_URL")
                             or generator.settings.get("SITEURL", ""))
            for article in _may_show_photos(generator):
                photos = photos_of(article)
                if photos:  # the others have none: getattr(article, "archive_photos", ())
                    article.archive_photos = photos


def _may_show_photos(generator) -> list:
    """The published and hidden articles whose bodies may show photos.  The
    archive reader lists the articles whose bodies reference files (few);
    without it (a site without plugins.archive_content) every body is
    searched."""
    with_files = getattr(generator, "archive_with_files", None)
    if with_files is None:
        return [*generator.articles, *getattr(generator, "hidden_articles", [])]
    return [article for article in with_files if article.status in ("published", "hidden")
            and any(_CONTENT_IMAGE.search(target) for target, _resolved in article.archive_checked.files)]


def article_body(article, siteurl: str) -> str:
    photos = getattr(article, "archive_photos", ())
    if not photos:
        return article.content
    return responsive_images(article.content, {s.source: s for s in photos}, siteurl)


def share_image(article) -> dict | None:
    return first_photo(getattr(article, "archive_photos", ()), _settings.get("site", ""))


def add_helpers(generator):
    env = getattr(generator, "env", None)
    if env is not None:
        env.globals["article_body"] = article_body
        env.globals["share_image"] = share_image


def register():
    signals.generator_init.connect(add_helpers)
    signals.all_generators_finalized.connect(attach_photos)
