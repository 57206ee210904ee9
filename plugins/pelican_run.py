"""Running Pelican for the build driver (sitebuild/build.py).

The driver never imports Pelican itself: it reads settings and runs a
build through these two functions, and hears from the plugins through
their signals (plugins.archive_writer.article_pages_written).
"""

from __future__ import annotations

from pelican import Pelican
from pelican.settings import read_settings

from plugins.archive_content import pending_problems
from plugins.forked import stop_pending
from yingkou_archive.errors import ContentError


def read_build_settings(settings_file: str, override: dict | None = None) -> dict:
    """Pelican's settings from a settings file (pelicanconf.py), with overrides."""
    return read_settings(settings_file, override=override)


def run_pelican(settings: dict) -> None:
    """One Pelican run: read, group, render and write into OUTPUT_PATH."""
    try:
        Pelican(settings).run()
    except Exception as error:
        # the content checks run beside the first stages of writing
        # (plugins/archive_content): a stage that failed on bad content
        # before they answered is reported by its cause, the problems
        try:
            problems = pending_problems()
        finally:
            stop_pending()
        if problems:
            raise ContentError(problems) from error
        raise
    except BaseException:
        stop_pending()
        raise
