"""Reading one e-paper article page (HTML, often GB2312).

E-paper systems (Founder and its imitators) put one article on a page with
navigation, a list of the day's pages, a pager and a footer around it.  We
keep only the article: title with 引题/副题, the meta line (date, page,
author), body paragraphs, and photos with their captions.  Scripts, styles
and every attribute are dropped because only text leaves this module.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from . import repair
from .model import Block, DigestError, Image, Page, Story

_NOISE_TAGS = ("script", "style", "noscript", "iframe", "form", "nav", "header",
               "footer", "button", "select", "input", "object", "embed", "svg", "template")
# class/id words that mark navigation, page lists, pagers and footers
_NOISE_WORDS = re.compile(
    r"(?:^|[-_])(?:nav|navbar|menu|header|footer|pager|paging|pages|pagelist|banner|"
    r"copyright|breadcrumb|share|toolbar|sidebar)(?:[-_]|$)", re.I)
_BODY_SELECTORS = ("#ozoom", "founder-content", ".article-content", "#articleContent",
                   ".content", "article")
_DATE = re.compile(r"(?P<y>\d{4})\s*[-年/.]\s*(?P<m>\d{1,2})\s*[-月/.]\s*(?P<d>\d{1,2})")
_PAGE = re.compile(r"第\s*(?P<n>[0-9A-Za-z]{1,3})\s*版")
_AUTHOR = re.compile(r"(?:作者|文|记者)\s*[:：]\s*(?P<who>[^\n]+?)(?=\s{2,}|$|第\s*\d|\d{4}-)")
_NAME_TITLES = re.compile(r"(?:本报)?(?:首席|特约|见习)?(?:记者|通讯员|实习生)")
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
_TITLE_SUFFIX = re.compile(r"\s*(?:--|—|_|\|).*$")


def parse_epaper(text: str, path: Path) -> Page:
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_NOISE_TAGS):
        tag.decompose()
    for tag in list(soup.find_all(True)):
        if not tag.decomposed and _is_noise(tag):
            tag.decompose()

    title_tag = soup.find("h1")
    title = _text(title_tag) if title_tag else ""
    if not title and soup.title:
        title = _TITLE_SUFFIX.sub("", _text(soup.title))
    kicker, subtitle = _kicker_and_subtitle(title_tag)

    page = Page(path=path, kind="html", stories=[])
    meta = _meta_text(soup, title_tag)
    _read_meta(meta, page)

    body = _body_container(soup)
    blocks = _blocks(soup, body, path) if body is not None else []
    if not title or not any(b.kind == "para" for b in blocks):
        raise DigestError(path, "无法识别的电子版页面：找不到文章标题或正文段落")

    story = Story(title=repair.clean_title(title), kicker=kicker, subtitle=subtitle,
                  blocks=blocks, authors=_authors(meta))
    page.warnings += repair.repair_story(story)
    page.stories = [story]
    return page


def _is_noise(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    words = list(tag.get("class") or []) + [tag.get("id") or ""]
    return any(_NOISE_WORDS.search(w) for w in words if w)


def _text(tag: Tag | None) -> str:
    return repair.clean_spaces(tag.get_text(" ")) if tag is not None else ""


def _kicker_and_subtitle(title_tag: Tag | None) -> tuple[str, str]:
    """引题 is the heading just above the title, 副题 the one just below."""
    if title_tag is None:
        return "", ""
    kicker = subtitle = ""
    before = title_tag.find_previous_sibling(re.compile(r"^h[2-6]$"))
    after = title_tag.find_next_sibling(re.compile(r"^h[2-6]$"))
    if before is not None:
        kicker = repair.clean_title(_text(before))
    if after is not None:
        subtitle = repair.clean_title(_text(after))
    return kicker, subtitle


def _meta_text(soup: BeautifulSoup, title_tag: Tag | None) -> str:
    for selector in (".article-meta", ".meta", ".info", ".date"):
        found = soup.select_one(selector)
        if found is not None:
            return found.get_text("  ")
    # no meta block: the text right after the title area
    if title_tag is not None and title_tag.parent is not None:
        return title_tag.parent.get_text("  ")
    return ""


def _read_meta(meta: str, page: Page) -> None:
    meta = meta.replace("\xa0", " ")
    date = _DATE.search(meta)
    if date:
        try:
            page.date = dt.date(int(date["y"]), int(date["m"]), int(date["d"]))
        except ValueError:
            page.warnings.append(f"页面日期“{date.group(0)}”无效，已忽略")
    label = _PAGE.search(meta)
    if label:
        page.label = f"第{label['n'].zfill(2)}版"


def _authors(meta: str) -> list[str]:
    match = _AUTHOR.search(meta.replace("\xa0", " "))
    if not match:
        return []
    who = _NAME_TITLES.sub(" ", match["who"])
    names = [n for n in re.split(r"[\s、，,]+", who) if n]
    return [n for n in names if 2 <= len(n) <= 4 and re.fullmatch(rf"[{repair.CJK}·]+", n)]


def _body_container(soup: BeautifulSoup) -> Tag | None:
    for selector in _BODY_SELECTORS:
        found = soup.select_one(selector)
        if found is not None and found.find("p"):
            return found
    # no known container: the element holding the most paragraph text
    best, best_len = None, 0
    for candidate in soup.find_all(True):
        length = sum(len(p.get_text()) for p in candidate.find_all("p", recursive=False))
        if length > best_len:
            best, best_len = candidate, length
    return best


def _blocks(soup: BeautifulSoup, body: Tag, path: Path) -> list[Block]:
    """Paragraphs of the body and photos of the page, in source order."""
    placed: list[tuple[tuple[int, int], Block]] = []
    for p in body.find_all("p"):
        text = repair.clean_body(p.get_text(""))
        if not text:
            continue
        kind = "heading" if _is_subhead(p, text) else "para"
        placed.append((_where(p), Block(kind, text)))
    for img in soup.find_all("img"):
        block = _figure(img, path)
        if block is not None:
            placed.append((_where(img), block))
    placed.sort(key=lambda item: item[0])
    return _rejoin([block for _, block in placed])


def _where(tag: Tag) -> tuple[int, int]:
    return (tag.sourceline or 0, tag.sourcepos or 0)


def _is_subhead(p: Tag, text: str) -> bool:
    """A paragraph that is all bold and short is a section heading."""
    strong = p.find(["b", "strong"])
    return (strong is not None and repair.clean_spaces(strong.get_text("")) == text
            and repair.heading_like(text))


def _figure(img: Tag, path: Path) -> Block | None:
    caption = _caption_of(img)
    image = _image_file(img.get("src") or "", path)
    if not caption and image is None:
        return None          # decoration: logos, spacers
    if not caption:
        caption = repair.clean_spaces(img.get("alt") or "") or "图片"
    return Block("caption", caption, image=image)


def _caption_of(img: Tag) -> str:
    """The caption next to a photo: figcaption, a caption cell or element."""
    for parent in img.parents:
        if parent.name in ("figure", "table"):
            found = parent.find(["figcaption"]) or parent.find(class_=re.compile("caption|desc|title", re.I))
            if found is not None:
                return repair.clean_spaces(found.get_text(" "))
            rows = parent.find_all("tr")
            for row in rows:
                if row.find("img") is None and row.get_text(strip=True):
                    return repair.clean_spaces(row.get_text(" "))
            break
        if parent.name in ("body", "html"):
            break
    sibling = img.find_next_sibling(class_=re.compile("caption", re.I))
    return repair.clean_spaces(sibling.get_text(" ")) if sibling is not None else ""


def _image_file(src: str, path: Path) -> Image | None:
    """The photo's file when it lies beside the HTML page (never fetched).

    Only the page's own folder is searched: the file named by a relative
    src inside that folder, or a file with the src's name next to the page.
    """
    parts = urlsplit(src.strip())
    if parts.scheme or parts.netloc or not parts.path:
        return Image(None, Path(unquote(parts.path)).name or "image")
    name = Path(unquote(parts.path)).name
    if Path(name).suffix.lower() not in _IMAGE_SUFFIXES:
        return None
    folder = path.parent.resolve()
    for candidate in (folder / unquote(parts.path), folder / name):
        try:
            resolved = candidate.resolve()
        except OSError:
            continue
        if resolved.is_relative_to(folder) and resolved.is_file():
            return Image(resolved, name)
    return Image(None, name)


def _rejoin(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == block.kind == "para"
                and not repair.ends_sentence(prev.text)
                and (repair.continues(prev.text) or repair.is_tail(block.text)
                     or not repair.heading_like(prev.text))):
            prev.text = repair.join(prev.text, block.text)
            continue
        out.append(block)
    return out
