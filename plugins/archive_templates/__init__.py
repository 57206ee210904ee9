"""Pelican adapter: compiled templates kept between builds.

Jinja compiles every template it loads from its source, in each build:
0.16–0.19 s of a daily build that renders a few dozen pages (py-spy, 50,000
and 100,000 articles).  Each generator's environment gets Jinja's own
``FileSystemBytecodeCache`` in the build's ``CACHE_PATH``.  Jinja names an
entry by the template's name and file and checks the source's digest, so
an edited template is compiled again; what it does not check is the
environment's options (``JINJA_ENVIRONMENT``: autoescape, extensions), which
change the compiled code, so each set of options and Jinja version has a
folder of its own.  Nor does it check the filters and globals
(``JINJA_FILTERS``, ``JINJA_GLOBALS``): Jinja calls a filter of a constant
while compiling and keeps its result in the code, unless the filter takes
the context; so their names and code choose the folder too, and a filter
whose result depends on anything but its arguments (a file's hash) must
take the context (pelicanconf.py ``asset_version``).
"""

from __future__ import annotations

import hashlib
import logging
import os

import jinja2
from jinja2 import FileSystemBytecodeCache
from pelican import signals

CACHE_FOLDER = "templates"

logger = logging.getLogger(__name__)


def _callable_text(value) -> str:
    """A filter or global as the compiled code may depend on it: its name,
    its code and whether it takes the context."""
    code = getattr(value, "__code__", None)
    if code is None:
        text = repr(value)
        return type(value).__qualname__ if callable(value) or " at 0x" in text else text
    return (f"{value.__module__}.{value.__qualname__}:{code.co_code.hex()}:{code.co_consts!r}"
            f":{getattr(value, 'jinja_pass_arg', '')}")


def _options_digest(settings) -> str:
    options = settings.get("JINJA_ENVIRONMENT", {})
    text = repr(sorted((name, repr(value)) for name, value in options.items()))
    for kind in ("JINJA_FILTERS", "JINJA_GLOBALS"):
        named = settings.get(kind) or {}
        text += "\0" + repr(sorted((name, _callable_text(value)) for name, value in named.items()))
    return hashlib.sha1(f"{jinja2.__version__}\0{text}".encode()).hexdigest()[:16]


def keep_compiled_templates(generator):
    settings = generator.settings
    cache_path = settings.get("CACHE_PATH")
    env = getattr(generator, "env", None)
    if not cache_path or env is None or env.bytecode_cache is not None:
        return
    folder = os.path.join(cache_path, CACHE_FOLDER, _options_digest(settings))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:  # a cache saves time; without one the build still runs
        logger.warning("%s: 无法保存编译好的模板（%s），本次照常编译", folder, error.strerror or error)
        return
    env.bytecode_cache = FileSystemBytecodeCache(folder)


def register():
    signals.generator_init.connect(keep_compiled_templates)
