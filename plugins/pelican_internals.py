"""Every use of Pelican's private internals, in one place.

Checked against pelican 4.12.0 (requirements.txt).
After an upgrade, read the code named in each docstring again; the
plugins' own tests (``plugins/*/test_*.py``) show which adapter broke.
Everything else in the plugins uses Pelican's public API: signals,
``Writer.write_file``, ``Readers.reader_classes``, ``URLWrapper``,
``MarkdownReader``, generator attributes and settings.
"""

from __future__ import annotations

import functools

# -- pelican/writers.py: Writer ------------------------------------------------

def written_files(writer) -> set[str]:
    """``Writer._written_files``: the paths written so far by this writer
    (Pelican's overwrite guard in ``Writer._open_w`` reads it)."""
    return writer._written_files


def overridden_files(writer) -> set[str]:
    """``Writer._overridden_files``: paths written with ``override=True``,
    which later writes skip instead of failing (``Writer._open_w``)."""
    return writer._overridden_files


def open_through_guard(writer, path: str, source: str):
    """``Writer._open_w``: open an output file through the writer's
    overwrite guard, for a file written without a template (no
    ``content_written`` signal, so no sitemap entry).  ``source`` names what
    the file is made from; plugins.archive_writer reports it on a clash."""
    previous = getattr(writer, "current_source", None)
    if previous is not None:
        writer.current_source = source
    try:
        return writer._open_w(path, "utf-8")
    finally:
        if previous is not None:
            writer.current_source = previous


# -- pelican/cache.py: FileStampDataCacher -------------------------------------

def wrap_file_stamps(cacher, wrap) -> None:
    """Replace the stamp function a cacher (an ArticlesGenerator, or its
    Readers) hashes files with: ``FileStampDataCacher._filestamp_func``,
    set in ``__init__`` from CHECK_MODIFIED_METHOD.  ``wrap(stamp_of)``
    returns the replacement; a cacher without one is left alone."""
    stamp_of = getattr(cacher, "_filestamp_func", None)
    if stamp_of is not None:
        cacher._filestamp_func = wrap(stamp_of)


# -- pelican/readers.py ---------------------------------------------------------

def is_discarded(value) -> bool:
    """``readers._DISCARD``: what a metadata processor returns for a field
    the reader must drop (an empty status, an empty author list)."""
    from pelican import readers

    return value is readers._DISCARD


# -- pelican/contents.py: Content.__init__ and Article.__init__ -----------------

def new_article(article_class, metadata: dict, source_path: str, settings, context,
                relative_source_path: str | None = None):
    """An ``Article`` made without ``Article.__init__``: the attributes that
    ``Content.__init__`` and ``Article.__init__`` set, set directly from
    metadata the archive reader already made complete (title, date with its
    timezone, slug, url/save_as).  ``Content.__init__`` also localises the
    date with ``strftime`` and resolves the template, author and language
    of every article, 10-20 µs each; at 100,000 articles every build paid
    for it.  No ``content_object_init`` signal is sent (no plugin here
    listens to it)."""
    article = article_class.__new__(article_class)
    article.settings = settings
    article._context = context
    article.translations = []
    # what Content.__init__ does with setattr per field, as one dict update:
    # a Python loop over ~18 fields took 0.8 s of every build at 100,000
    # articles; only the fields renamed or taken by a property go one by one
    fields = article.__dict__
    fields.update(metadata)
    for key, name in _fields_set_one_by_one(article_class, tuple(metadata)):
        setattr(article, name, fields.pop(key))  # properties (status) take their setters
    article.metadata = metadata
    article.template = metadata.get("template") or article_class.default_template
    if "authors" in metadata:
        article.author = metadata["authors"][0]
    article.lang = metadata.get("lang", settings["DEFAULT_LANG"].lower())
    article.in_default_lang = article.lang == settings["DEFAULT_LANG"].lower()
    article.source_path = source_path
    article.relative_source_path = relative_source_path or article.get_relative_source_path()
    article.date_format = settings["DEFAULT_DATE_FORMAT"]
    article.timezone = metadata["date"].tzinfo
    article.locale_date = metadata.get("date_label") or article.date.strftime(article.date_format)
    if "status" not in metadata:
        article.status = article_class.default_status
    if "summary" in metadata:
        article._summary = metadata["summary"]
    return article


@functools.lru_cache(maxsize=256)
def _fields_set_one_by_one(article_class, keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(metadata key, attribute) of the fields ``Content.__init__`` does not
    store under their own key: renamed (lower case; url and save_as become
    ``override_*``) or a data descriptor of the class (``status``).  Nearly
    every article has the same keys, so this is worked out once."""
    special = []
    for key in keys:
        name = key.lower()
        if name in ("save_as", "url"):
            name = "override_" + name
        if name != key or hasattr(getattr(article_class, name, None), "__set__"):
            special.append((key, name))
    return tuple(special)


# -- pelican/generators.py: ArticlesGenerator ----------------------------------

def replace_reading(generator, read) -> None:
    """Make ``read(generator)`` the generator's ``generate_context``: it must
    fill what Pelican's does (articles, drafts, hidden articles, their
    translations, dates, the context) and send the same signals."""
    generator.generate_context = lambda: read(generator)


# -- pelican/__init__.py: Pelican.run --------------------------------------------

def skip_idle_disabled_reader_check(generator) -> None:
    """``Pelican.run`` calls each generator's ``check_disabled_readers``,
    which walks the whole content folder (``Generator.get_files``) to warn
    about files of readers whose library is missing: 0.25 s at 50,000
    articles.  With no disabled reader the walk can find nothing, so it is
    skipped then; otherwise Pelican's check runs as it is."""
    check = getattr(generator, "check_disabled_readers", None)
    readers = getattr(generator, "readers", None)
    if check is None or readers is None:
        return

    def check_when_some_reader_is_disabled():
        if readers.disabled_readers:
            check()

    generator.check_disabled_readers = check_when_some_reader_is_disabled
