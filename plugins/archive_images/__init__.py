"""Pelican adapter: resized copies of every content image, for ``srcset``.

For every image under content/images (the static files, already checked
to be images by ``invoke check`` and the build), the derivatives
yingkou_archive/images.py names are written into the output and listed in
``output_files``.  Their names carry a hash of the source, so a derivative
the previous build made (in the output folder, which holds the previous
generation) is kept as it is, not resized again; a new one is written to a
temporary name and renamed into place, never edited in place.

Templates get ``archive_image(path, SITEURL, max_width=None)``: for a path
relative to content/ (``images/issues/…/p01.png``), a dict with ``src``,
``srcset``, ``width`` and ``height`` for an ``<img>`` (see
:meth:`yingkou_archive.images.ImageSet.attributes`); an image that is not
a content image fails the build naming it.  ``archive_image_set(path)``
gives the :class:`~yingkou_archive.images.ImageSet` itself (source width
and height, for regions drawn in image pixels).
"""

from __future__ import annotations

import os
from multiprocessing import get_context
from pathlib import Path

from pelican import signals

from plugins.archive_writer import output_files
from yingkou_archive.images import Derivative, ImageError, ImageSet, plan, render
from yingkou_archive.links import static_files

# Below this many derivatives to make, forking costs more than it saves.
PARALLEL_MIN = 8

_plans: dict[str, ImageSet] = {}  # path relative to content/ -> its derivatives
_state = {"content": "", "output": ""}


def image_set(path: str) -> ImageSet:
    found = _plans.get(str(path).lstrip("/"))
    if found is None:
        raise ImageError(f"{path}: 不是 content/images/ 里的图片，无法生成缩略图")
    return found


def archive_image(path: str, siteurl: str, max_width: int | None = None) -> dict:
    return image_set(path).attributes(siteurl, max_width)


def add_helpers(generator):
    env = getattr(generator, "env", None)
    if env is not None:
        env.globals["archive_image"] = archive_image
        env.globals["archive_image_set"] = image_set


def plan_derivatives(generators):
    """Before any page is rendered: the derivatives of every content image."""
    settings = generators[0].settings
    content = Path(os.path.abspath(settings["PATH"]))
    _plans.clear()
    _state.update(content=str(content), output=settings["OUTPUT_PATH"])
    for path in static_files(content):
        rel = path.relative_to(content).as_posix()
        _plans[rel] = plan(content, rel)


def _make(derivative: Derivative) -> str:
    target = os.path.join(_state["output"], derivative.path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    temporary = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{os.getpid()}")
    with open(temporary, "wb") as handle:
        handle.write(render(_state["content"], derivative))
    os.replace(temporary, target)
    return derivative.path


def write_derivatives(pelican):
    """After the writer started (the output is marked as being written)."""
    if not _state["output"]:
        return
    wanted = [d for image in _plans.values() for d in image.derivatives]
    todo = [d for d in wanted if not os.path.isfile(os.path.join(_state["output"], d.path))]
    if len(todo) >= PARALLEL_MIN and (os.cpu_count() or 1) > 1:
        with get_context("fork").Pool(min(len(todo), os.cpu_count() or 1)) as pool:
            changed = set(pool.map(_make, todo))
    else:
        changed = {_make(d) for d in todo}
    output_files.send(pelican, produced={d.path for d in wanted}, changed=changed)
    _state["output"] = ""


def register():
    signals.generator_init.connect(add_helpers)
    signals.all_generators_finalized.connect(plan_derivatives)
    signals.finalized.connect(write_derivatives)
