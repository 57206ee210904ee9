"""Running Pelican for the build driver (sitebuild/build.py).

The driver never imports Pelican itself: it reads settings and runs a
build through these two functions, and hears from the plugins through
their signals (plugins.archive_writer.article_pages_written).
"""

from __future__ import annotations

import hashlib
import os

import jinja2
from pelican import Pelican
from pelican.settings import read_settings

from plugins.archive_content import pending_problems
from plugins.forked import stop_pending
from yingkou_archive.errors import ContentError


def read_build_settings(settings_file: str, override: dict | None = None) -> dict:
    """Pelican's settings from a settings file (pelicanconf.py), with overrides."""
    return read_settings(settings_file, override=override)


def with_template_cache(settings: dict) -> dict:
    """The settings, Jinja keeping compiled templates under CACHE_PATH.

    Every build compiled every template again, in each generator's own
    environment (0.2 s of a daily build of 50,000 articles).  Jinja checks
    a cached template against its source's checksum; what else shapes the
    compiled code (the environment's options, Jinja's version) names the
    folder, so a change to them starts an empty one.
    """
    options = {k: v for k, v in settings.get("JINJA_ENVIRONMENT", {}).items() if k != "bytecode_cache"}
    shape = hashlib.sha1(repr((sorted(options.items()), jinja2.__version__)).encode()).hexdigest()[:12]
    folder = os.path.join(settings["CACHE_PATH"], f"templates-{shape}")
    os.makedirs(folder, exist_ok=True)
    return {**settings, "JINJA_ENVIRONMENT": {**options, "bytecode_cache": jinja2.FileSystemBytecodeCache(folder)}}


def run_pelican(settings: dict) -> None:
    """One Pelican run: read, group, render and write into OUTPUT_PATH."""
    try:
        Pelican(with_template_cache(settings)).run()
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
