"""Pelican adapter: static files copied without editing a file in place.

The output folder holds the live generation's files (sitebuild/generations.py),
and Pelican copies static files over existing ones in place
(``shutil.copyfile``), which would change the live site mid-build.  So:

* content static files (images): Pelican copies one only when its source
  is newer (``STATIC_CHECK_IF_MODIFIED``); just before, this plugin unlinks
  every output copy Pelican is about to replace, so the copy is a new file;
* theme static files (``ARCHIVE_THEME_STATIC_PATHS``; Pelican's own
  ``THEME_STATIC_PATHS`` is empty) are copied here, a file only when its
  bytes changed; JavaScript modules with their imports versioned
  (yingkou_archive/assets.py), as the pages link them, and beside each
  module of ``ARCHIVE_JS_BUNDLES`` its bundle (yingkou_archive/bundle.py).

Both report what they produced and changed (``output_files``).
"""

from __future__ import annotations

import os

from pelican import signals

from fileutil import replace_if_changed
from plugins.archive_writer import output_files
from yingkou_archive.assets import bundled, published
from yingkou_archive.bundle import bundle_name


def _newer(source: str, target: str) -> bool:
    """Pelican's own test (StaticGenerator._source_is_newer), in mtimes."""
    return os.path.getmtime(source) - os.path.getmtime(target) > 0.000001


def unlink_what_pelican_will_replace(generator):
    settings = generator.settings
    output, content = settings["OUTPUT_PATH"], settings["PATH"]
    produced, changed = set(), set()
    for static in generator.staticfiles:
        target = os.path.join(output, static.save_as)
        source = os.path.join(content, static.source_path)
        produced.add(static.save_as)
        if not os.path.lexists(target):
            changed.add(static.save_as)
        elif _newer(source, target) or os.path.getsize(source) != os.path.getsize(target):
            os.unlink(target)
            changed.add(static.save_as)
    output_files.send(generator, produced=produced, changed=changed)


def copy_theme_static(generator):
    settings = generator.settings
    theme, output = settings["THEME"], settings["OUTPUT_PATH"]
    produced, changed = set(), set()
    for folder in settings.get("ARCHIVE_THEME_STATIC_PATHS", ["static"]):
        root = os.path.join(theme, folder)
        for current, _dirs, files in os.walk(root):
            for name in files:
                source = os.path.join(current, name)
                rel = os.path.join(settings["THEME_STATIC_DIR"], os.path.relpath(source, root))
                target = os.path.join(output, rel)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                if replace_if_changed(target, published(source)[1]):
                    changed.add(rel)
                produced.add(rel)
    static = os.path.join(theme, "static")
    for entry in settings.get("ARCHIVE_JS_BUNDLES", []):
        rel = os.path.join(settings["THEME_STATIC_DIR"], bundle_name(entry))
        if replace_if_changed(os.path.join(output, rel), bundled(os.path.join(static, entry))[1]):
            changed.add(rel)
        produced.add(rel)
    output_files.send(generator, produced=produced, changed=changed)


def register():
    signals.static_generator_finalized.connect(unlink_what_pelican_will_replace)
    signals.static_generator_finalized.connect(copy_theme_static)
