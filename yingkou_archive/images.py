"""Resized copies of content images ("derivatives"), for ``srcset``.

Pelican-free; the build's adapter is plugins/archive_images.  The API:

* :func:`plan` ``(content_dir, "images/2024/a.png") -> ImageSet``: reads
  the image's size and bytes (no resizing) and names its derivatives;
* :func:`render` ``(content_dir, derivative) -> bytes``: the resized file;
* :class:`ImageSet`: ``width``/``height`` of the source, ``derivatives``
  (narrowest first) and :meth:`ImageSet.attributes` ``(siteurl,
  max_width=None) -> {"src", "srcset", "width", "height"}`` for an
  ``<img>``: ``src`` is the widest derivative up to ``max_width``,
  ``width``/``height`` its size.

Widths are :data:`WIDTHS` (320, 640, 1280), never upscaled: a source
narrower than a width gets a derivative at its own width instead of the
wider ones.  A derivative's name carries a hash of the source bytes, its
width and :data:`VERSION`, so a name always means the same bytes: a build
that finds the file in the output keeps it (no resizing), and an edited
image gets new names.  Paths are relative to the output folder:
``derived/<source path without suffix>-<width>w-<hash>.<suffix>``.
EXIF orientation is applied and metadata is dropped.  JPEG stays JPEG
(quality 82), PNG and GIF become PNG (RGB, or RGBA when the source has
transparency), WebP stays WebP.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from PIL import Image, ImageOps

from .errors import ArchiveError

WIDTHS = (320, 640, 1280)
DERIVED_DIR = "derived"
VERSION = "2"  # change when the resizing changes: every name changes with it
_FORMATS = {"JPEG": ("JPEG", ".jpg"), "PNG": ("PNG", ".png"), "GIF": ("PNG", ".png"),
            "WEBP": ("WEBP", ".webp")}


class ImageError(ArchiveError):
    pass


@dataclass(frozen=True)
class Derivative:
    source: str  # relative to content/
    path: str  # relative to the output folder
    width: int
    height: int
    format: str


@dataclass(frozen=True)
class ImageSet:
    source: str
    width: int
    height: int
    derivatives: tuple[Derivative, ...]

    def attributes(self, siteurl: str, max_width: int | None = None) -> dict:
        chosen = [d for d in self.derivatives if max_width is None or d.width <= max_width]
        chosen = chosen or [self.derivatives[0]]
        prefix = f"{siteurl}/" if siteurl else ""
        widest = chosen[-1]
        return {"src": prefix + widest.path,
                "srcset": ", ".join(f"{prefix}{d.path} {d.width}w" for d in chosen),
                "width": widest.width, "height": widest.height}


def _size(image: Image.Image) -> tuple[int, int]:
    """The displayed size: EXIF orientations 5-8 swap width and height."""
    orientation = image.getexif().get(0x0112, 1)
    return (image.height, image.width) if orientation in (5, 6, 7, 8) else image.size


def _widths(source_width: int) -> list[int]:
    widest = min(source_width, WIDTHS[-1])
    return [w for w in WIDTHS if w < widest] + [widest]


def plan(content_dir: str | Path, source: str) -> ImageSet:
    """The derivatives of ``content_dir/source`` (a path like images/x.png)."""
    path = Path(content_dir) / source
    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            width, height = _size(image)
            found = image.format
    except (OSError, ValueError) as error:
        raise ImageError(f"{source}: 无法作为图片读取（{type(error).__name__}）") from None
    if found not in _FORMATS:
        raise ImageError(f"{source}: 不支持的图片格式 {found}")
    out_format, suffix = _FORMATS[found]
    digest = hashlib.sha256(data)
    stem = PurePosixPath(source).with_suffix("").as_posix()
    derivatives = []
    for w in _widths(width):
        key = hashlib.sha256(digest.digest() + f"{w}:{VERSION}".encode()).hexdigest()[:12]
        h = max(1, round(height * w / width))
        derivatives.append(Derivative(source, f"{DERIVED_DIR}/{stem}-{w}w-{key}{suffix}", w, h, out_format))
    return ImageSet(source, width, height, tuple(derivatives))


def render(content_dir: str | Path, derivative: Derivative) -> bytes:
    """The bytes of one derivative (the same bytes for the same source)."""
    with Image.open(Path(content_dir) / derivative.source) as image:
        image = ImageOps.exif_transpose(image)
        alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        if derivative.format == "JPEG" or not alpha:
            image = image.convert("L" if image.mode in ("L", "1") else "RGB")
        else:
            image = image.convert("RGBA")
        if image.size != (derivative.width, derivative.height):
            image = image.resize((derivative.width, derivative.height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        # PNG's optimize doubles the time for a few per cent of bytes
        options = {"quality": 82, "optimize": True} if derivative.format == "JPEG" else {}
        image.save(out, format=derivative.format, **options)
        return out.getvalue()
