"""Reading a 版面 (page-view) page of an e-paper.

A page view shows one printed page: its scan with an image map
(``<img usemap>`` + ``<map><area coords href=content_…>``) whose areas link
the page's articles, a headline list linking the same articles, the
版面导航 list of the day's pages ("第01版：要闻") and often a PDF link.  It
holds no article text itself: the importer imports the article pages it
links when they are saved beside it, in the page's order, with its 版次
and 版名, and records the page (image, PDF, article regions) in the issue
file (:mod:`.issue_file`).

Area coordinates are given for the image as displayed (the ``<img>``'s
width/height attributes or style); they are scaled to the image file's own
pixels, read with Pillow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from .roles import page_label

_LABEL = re.compile(r"第\s*(?P<n>[0-9A-Za-z]{1,3})\s*版\s*(?:[:：]\s*(?P<name>[\u4e00-\u9fff·]{1,10}))?")
_ARTICLE_HREF = re.compile(r"\.(?:s?html?|xhtml)(?:[?#].*)?$", re.IGNORECASE)
_SIZE_STYLE = re.compile(r"(?P<key>width|height)\s*:\s*(?P<value>\d+(?:\.\d+)?)\s*px", re.IGNORECASE)


@dataclass
class ViewArticle:
    href: str
    file: Path | None          # the linked page, when it is beside the view
    title: str                 # as the headline list prints it
    region: list | None = None  # [[x, y], …] or [x1, y1, x2, y2], image pixels


@dataclass
class PageView:
    path: Path
    label: str
    name: str
    image: Path | None
    pdf: Path | None
    articles: list[ViewArticle] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[ViewArticle]:
        return [a for a in self.articles if a.file is None]


def is_page_view(soup: BeautifulSoup) -> bool:
    """An image map linking article pages, and no article body of its own."""
    areas = [a for a in soup.find_all("area", href=True) if _ARTICLE_HREF.search(a["href"])]
    has_body = soup.find("founder-content") is not None or "enpcontent" in str(soup)[:200000]
    return bool(areas) and not has_body


def parse_page_view(text: str, path: Path) -> PageView | None:
    soup = BeautifulSoup(text, "html.parser")
    if not is_page_view(soup):
        return None
    label, name = _label_and_name(soup, path)
    image_tag = _page_image(soup)
    image = _beside(image_tag.get("src") or "", path) if image_tag is not None else None
    pdf_link = next((a for a in soup.find_all("a", href=True)
                     if urlsplit(a["href"]).path.lower().endswith(".pdf")), None)
    pdf = _beside(pdf_link["href"], path) if pdf_link is not None else None
    view = PageView(path=path, label=label, name=name, image=image, pdf=pdf)
    scale, note = _scale(image_tag, image)
    if note:
        view.notes.append(note)
    view.articles = _articles(soup, path, image_tag, scale)
    return view


def _label_and_name(soup: BeautifulSoup, path: Path) -> tuple[str, str]:
    """版次 and 版名: the 版面导航 entry linking this file, else the first printed."""
    for link in soup.find_all("a", href=True):
        if Path(unquote(urlsplit(link["href"]).path)).name == path.name:
            match = _LABEL.search(link.get_text(" "))
            if match:
                return page_label(match["n"]), match["name"] or ""
    for text in soup.find_all(string=_LABEL):
        if text.find_parent("a") is None:
            match = _LABEL.search(text)
            return page_label(match["n"]), match["name"] or ""
    match = _LABEL.search(soup.get_text(" "))
    if match:
        return page_label(match["n"]), match["name"] or ""
    return path.stem, ""


def _page_image(soup: BeautifulSoup) -> Tag | None:
    for img in soup.find_all("img", usemap=True):
        return img
    return None


def _beside(href: str, path: Path) -> Path | None:
    """The file ``href`` names, if it is saved in the page's folder (or below)."""
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc or not parts.path:
        return None
    relative = unquote(parts.path)
    folder = path.parent.resolve()
    for candidate in (folder / relative, folder / Path(relative).name,
                      folder / "images" / Path(relative).name):
        try:
            resolved = candidate.resolve()
        except OSError:
            continue
        if resolved.is_relative_to(folder) and resolved.is_file():
            return resolved
    return None


def _displayed(img: Tag) -> tuple[float | None, float | None]:
    size = {"width": None, "height": None}
    for match in _SIZE_STYLE.finditer(img.get("style") or ""):
        size[match["key"].lower()] = float(match["value"])
    for key in ("width", "height"):
        value = re.match(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$", str(img.get(key) or ""))
        if value and size[key] is None:
            size[key] = float(value.group(1))
    return size["width"], size["height"]


def _scale(img: Tag | None, image: Path | None) -> tuple[tuple[float, float], str]:
    """Factors from displayed pixels (the map's) to the image file's pixels."""
    if img is None or image is None:
        return (1.0, 1.0), ""
    try:
        from PIL import Image as PILImage
        with PILImage.open(image) as picture:
            natural_w, natural_h = picture.size
    except (OSError, ValueError):
        return (1.0, 1.0), f"{image.name} 不是能打开的图片，热区坐标未换算"
    shown_w, shown_h = _displayed(img)
    if shown_w and not shown_h:
        shown_h = shown_w * natural_h / natural_w
    if shown_h and not shown_w:
        shown_w = shown_h * natural_w / natural_h
    if not shown_w:
        return (1.0, 1.0), ""
    sx, sy = natural_w / shown_w, natural_h / shown_h
    note = "" if (sx, sy) == (1.0, 1.0) else (
        f"版面图显示为 {shown_w:g}×{shown_h:g}，原图 {natural_w}×{natural_h}：热区坐标按原图换算")
    return (sx, sy), note


def _region(area: Tag, scale: tuple[float, float]) -> list | None:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", area.get("coords") or "")]
    shape = (area.get("shape") or "rect").lower()
    sx, sy = scale
    if shape.startswith("poly") and len(numbers) >= 6:
        return [[round(x * sx), round(y * sy)] for x, y in zip(numbers[::2], numbers[1::2], strict=False)]
    if shape.startswith("circ") and len(numbers) >= 3:
        x, y, r = numbers[:3]
        return [round((x - r) * sx), round((y - r) * sy), round((x + r) * sx), round((y + r) * sy)]
    if len(numbers) >= 4:
        x1, y1, x2, y2 = numbers[:4]
        return [round(x1 * sx), round(y1 * sy), round(x2 * sx), round(y2 * sy)]
    return None


def _articles(soup: BeautifulSoup, path: Path, image_tag: Tag | None,
              scale: tuple[float, float]) -> list[ViewArticle]:
    """The linked articles in the page's order: headline list, then map."""
    map_name = (image_tag.get("usemap") or "").lstrip("#").lower() if image_tag is not None else ""
    regions: dict[str, list] = {}
    order: list[str] = []
    for area in soup.find_all("area", href=True):
        owner = area.find_parent("map")
        if map_name and owner is not None and (owner.get("name") or owner.get("id") or "").lower() != map_name:
            continue
        href = area["href"]
        if not _ARTICLE_HREF.search(href):
            continue
        key = Path(unquote(urlsplit(href).path)).name
        region = _region(area, scale)
        if key not in regions:
            regions[key] = region
            order.append(key)
        elif region is not None and regions[key] is not None:
            regions[key] = _bounding(regions[key], region)
    titles: dict[str, str] = {}
    listed: list[str] = []
    for link in soup.find_all("a", href=True):
        key = Path(unquote(urlsplit(link["href"]).path)).name
        text = re.sub(r"\s+", " ", link.get_text(" ")).strip()
        if key in regions and key not in titles and text:
            titles[key] = text
            listed.append(key)
    keys = listed + [k for k in order if k not in listed]
    return [ViewArticle(href=k, file=_beside(k, path), title=titles.get(k, ""), region=regions[k])
            for k in keys]


def _bounding(a: list, b: list) -> list:
    points = []
    for region in (a, b):
        if region and isinstance(region[0], list):
            points += region
        else:
            points += [region[:2], region[2:]]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return [min(xs), min(ys), max(xs), max(ys)]
