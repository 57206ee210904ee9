"""Reading one e-paper article page (HTML, often GB2312).

E-paper systems (Founder and its imitators) put one article on a page with
navigation, a list of the day's pages, a pager and a footer around it.  We
keep only the article:

* its fields from the Founder tags or the ``enpproperty`` comment
  (:mod:`.founder`), else from the headings around the title: the title,
  引题 (kicker), 副题 (subtitle), author, date and page (版次：版名).  An
  ``<h1>`` that is the paper's name is not the title;
* its body from ``<founder-content>``, the ``enpcontent`` markers,
  ``#ozoom`` or a known article container;
* its photos: only images inside the article's part of the page that are
  not logos, icons, buttons, page scans (``usemap``) or navigation, each
  with its own caption (photo tables are paired row by row and cell by
  cell, so the second photo never gets the first one's caption).

Scripts, styles and every attribute are dropped: only text, image file
names and captions leave this module.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Comment, Tag

from . import bylines, founder, repair
from .model import Block, DigestError, Image, LineNote, Page, Story
from .roles import PHOTO_BY, page_label

_NOISE_TAGS = ("script", "style", "noscript", "iframe", "form", "nav", "header",
               "footer", "button", "select", "input", "object", "embed", "svg", "template")
# class/id words that mark navigation, page lists, pagers and footers
_NOISE_WORDS = re.compile(
    r"(?:^|[-_])(?:nav|navbar|menu|header|footer|pager|paging|pages|pagelist|banner|"
    r"copyright|breadcrumb|share|toolbar|sidebar)(?:[-_]|$)", re.IGNORECASE)
_BODY_SELECTORS = ("founder-content", "#ozoom", ".article-content", "#articleContent",
                   ".content", "article")
_DATE = re.compile(r"(?P<y>\d{4})\s*[-年/.]\s*(?P<m>\d{1,2})\s*[-月/.]\s*(?P<d>\d{1,2})")
_PAGE = re.compile(r"第\s*(?P<n>[0-9A-Za-z]{1,3})\s*版(?:\s*[:：]\s*(?P<name>[\u4e00-\u9fff]{1,8}))?")
_AUTHOR = re.compile(r"(?:作者|文|记者)\s*[:：]\s*(?P<who>[^\n]+?)(?=\s{2,}|$|第\s*\d|\d{4}-)")
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
_TITLE_SUFFIX = re.compile(r"\s*(?:--|—|_|\|)\s*(?P<paper>.*)$")
_PAPER_LIKE = re.compile(r"(?:日报|晚报|早报|商报|时报|数字报|电子报|电子版|报社|新闻网)$")
# file names, classes and ids of decoration, never of a news photo
_DECORATION = re.compile(
    r"logo|icon|banner|\bnav|menu|btn|button|arrow|spacer|blank|shim|bullet|share|qrcode|"
    r"erweima|ewm|print|close|prev|next|pagepic|page_?img|pagescan|_page|paper_?img|bg[._-]",
    re.IGNORECASE)
_SMALLEST_PHOTO = 80       # pixels: smaller is an icon
_UNREADABLE = "不是能打开的图片文件"
_CAPTION_CLASS = re.compile(r"caption|pictext|pic_?title|desc|note|font0?2|newspic_?t", re.IGNORECASE)


def parse_epaper(text: str, path: Path) -> Page:
    props = founder.enp_properties(text)
    soup = BeautifulSoup(text, "html.parser")
    papers = _paper_names(soup)
    content = _wrap_enpcontent(soup) or _enpcontent_fragment(text)
    for tag in soup.find_all(_NOISE_TAGS):
        tag.decompose()
    for tag in list(soup.find_all(True)):
        if not tag.decomposed and _is_noise(tag):
            tag.decompose()
    tags = founder.founder_fields(soup)
    fields = {**props, **tags}          # the tags are the newer, better kept copy

    title_tag = _title_tag(soup, papers)
    title = fields.get("title") or _text(title_tag)
    if not title and soup.title:
        title = _TITLE_SUFFIX.sub("", _text(soup.title))
    kicker, subtitle = _kicker_and_subtitle(title_tag)
    kicker = fields.get("introtitle") or kicker
    subtitle = fields.get("subtitle") or subtitle

    page = Page(path=path, kind="html", stories=[])
    meta = _meta_text(soup, title_tag)
    _read_meta(f"{fields.get('date', '')}  {fields.get('nodename', '')}  {meta}", page)

    body = soup.find("founder-content") or content or _body_container(soup)
    region = _article_region(body, title_tag)
    blocks = _blocks(body, region, path, page) if body is not None else []
    if not title or not any(b.kind == "para" for b in blocks):
        raise DigestError(path, "无法识别的电子版页面：找不到文章标题或正文段落")

    credits = _credits(fields.get("author", ""), meta)
    story = Story(title=repair.clean_title(title), kicker=repair.clean_title(kicker),
                  subtitle=repair.clean_title(subtitle), blocks=blocks, credits=credits,
                  authors=bylines.author_names(credits))
    if credits:
        story.notes.append("作者：" + "、".join(str(c) for c in credits))
    source = "方正标签" if tags.get("title") else "enpproperty 注释" if props.get("title") else "页面标题"
    story.notes.append(f"标题取自{source}")
    page.warnings += repair.repair_story(story)
    page.stories = [story]
    _notes(page, story, source)
    return page


# ----------------------------------------------------------------------
# the article's fields

def _paper_names(soup: BeautifulSoup) -> set[str]:
    """The paper's name, from the part of <title> after the article title."""
    names = set()
    if soup.title:
        match = _TITLE_SUFFIX.search(_text(soup.title))
        if match and match["paper"]:
            names.add(match["paper"].strip())
    return names


def _title_tag(soup: BeautifulSoup, papers: set[str]) -> Tag | None:
    """The first <h1> (else <h2>) that is not the paper's name."""
    for level in ("h1", "h2"):
        for tag in soup.find_all(level):
            text = _text(tag)
            if text and text not in papers and not (len(text) <= 12 and _PAPER_LIKE.search(text)):
                return tag
    return None


def _wrap_enpcontent(soup: BeautifulSoup) -> Tag | None:
    """The nodes between the enpcontent markers, gathered in one <div>."""
    starts = soup.find_all(string=lambda s: isinstance(s, Comment) and s.strip().lower() == "enpcontent")
    ends = soup.find_all(string=lambda s: isinstance(s, Comment) and s.strip().lower() == "/enpcontent")
    if not starts or not ends or starts[0].parent is not ends[-1].parent:
        return None
    wrapper = soup.new_tag("div")
    nodes = []
    for node in starts[0].next_siblings:
        if node is ends[-1]:
            break
        nodes.append(node)
    starts[0].insert_after(wrapper)
    for node in nodes:
        wrapper.append(node.extract())
    return wrapper if wrapper.find("p") or wrapper.get_text(strip=True) else None


def _enpcontent_fragment(text: str) -> Tag | None:
    """The enpcontent part parsed on its own, when its markers are not siblings."""
    fragment = founder.enp_content(text)
    if not fragment or "<p" not in fragment.lower():
        return None
    return BeautifulSoup(fragment, "html.parser")   # its own document: tags may not balance


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
    before = title_tag.find_previous_sibling(re.compile(r"^h[2-6]$"))
    after = title_tag.find_next_sibling(re.compile(r"^h[2-6]$"))
    return _text(before), _text(after)


def _meta_text(soup: BeautifulSoup, title_tag: Tag | None) -> str:
    for selector in (".article-meta", ".meta", ".info", ".date", ".sec"):
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
        page.label = page_label(label["n"])
        page.name = label["name"] or ""


def _credits(author_field: str, meta: str) -> list[bylines.Credit]:
    if author_field:
        credits = bylines.read_credits(author_field, "电子版作者字段")
        if credits:
            return credits
        names = [n for n in re.split(r"[\s、，,]+", author_field) if n]
        if names and all(re.fullmatch(rf"[{repair.CJK}·]{{2,4}}", n) for n in names):
            return [bylines.Credit("作者", n, "电子版作者字段") for n in names]
    meta = meta.replace("\xa0", " ")
    match = _AUTHOR.search(meta)
    if match:
        return bylines.read_credits("作者：" + match["who"], "电子版作者行") or []
    # "本报记者 王晓东 2024年07月12日 第01版：要闻": the byline before the date
    head = re.split(r"\d{4}\s*[-年/.]|第\s*[0-9A-Za-z]{1,3}\s*版", meta, maxsplit=1)[0]
    return bylines.read_credits(head.strip(), "电子版作者行") or []


# ----------------------------------------------------------------------
# body and photos

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


def _article_region(body: Tag | None, title_tag: Tag | None) -> Tag | None:
    """The smallest element holding both the title and the body."""
    if body is None:
        return None
    if title_tag is None:
        parent = body.parent
        return parent if parent is not None and parent.name not in ("body", "html", "[document]") else body
    title_parents = {id(p) for p in title_tag.parents}
    for candidate in [body, *body.parents]:
        if id(candidate) in title_parents or candidate is title_tag:
            if candidate.name in ("body", "html", "[document]"):
                return body.parent if body.parent is not None else body
            return candidate
    return body


def _blocks(body: Tag, region: Tag | None, path: Path, page: Page) -> list[Block]:
    """Paragraphs of the body and photos of the article, in source order."""
    region = region or body
    for br in body.find_all("br"):
        br.replace_with("\n")        # old templates separate paragraphs with <br>
    captions, caption_nodes = _captions(region, body)
    placed: list[tuple[tuple[int, int], Block]] = []
    tables = [t for t in body.find_all("table") if _data_table(t)]
    for table in tables:
        rows = [[repair.clean_spaces(c.get_text(" ")) for c in row.find_all(["td", "th"])]
                for row in table.find_all("tr")]
        placed.append((_where(table), Block("table", "", rows=[r for r in rows if any(r)])))
    in_table = {id(t) for t in tables}
    paragraphs = body.find_all("p") or ([body] if body.get_text(strip=True) else [])
    for p in paragraphs:
        if (any(id(n) in caption_nodes or id(n) in in_table for n in [p, *p.parents])
                or _in_photo_table(p, body)):
            continue
        if p is body:
            for line in body.get_text("\n").split("\n"):
                text = repair.clean_body(line)
                if text:
                    placed.append((_where(p), Block("para", text)))
            continue
        for part in p.get_text("").split("\n"):
            text = repair.clean_body(part)
            if text:
                placed.append((_where(p), Block("heading" if _is_subhead(p, text) else "para", text)))
    for img in region.find_all("img"):
        block = _figure(img, captions.get(id(img), ""), path, page)
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


def _photo_table(table: Tag | None, body: Tag) -> bool:
    """A table laying out photos and captions, not one laying out the page."""
    if table is None or table.find("img") is None:
        return False
    if any(parent is table for parent in body.parents):
        return False                  # the body sits inside it: page layout
    images = len(table.find_all("img"))
    return len(table.get_text(strip=True)) <= 200 * images


def _data_table(table: Tag) -> bool:
    """A table of figures in the body: rows of short cells, no photos, no nesting."""
    if table.find("img") is not None or table.find("table") is not None:
        return False
    rows = [row.find_all(["td", "th"]) for row in table.find_all("tr")]
    rows = [r for r in rows if r]
    return (len(rows) >= 2 and max(len(r) for r in rows) >= 2
            and all(len(repair.clean_spaces(c.get_text(" "))) <= 40 for r in rows for c in r))


def _in_photo_table(tag: Tag, body: Tag) -> bool:
    return _photo_table(tag.find_parent("table"), body)


def _captions(region: Tag, body: Tag) -> tuple[dict[int, str], set[int]]:
    """Each photo's own caption, and the nodes that hold captions."""
    captions: dict[int, str] = {}
    nodes: set[int] = set()
    tables = {id(img.find_parent("table")): img.find_parent("table")
              for img in region.find_all("img") if _photo_table(img.find_parent("table"), body)}
    for table in tables.values():
        _pair_table(table, captions, nodes)
    for img in region.find_all("img"):
        if id(img) in captions:
            continue
        figure = img.find_parent("figure")
        if figure is not None and figure.find("figcaption") is not None:
            if figure.find("img") is img:
                captions[id(img)] = _text(figure.find("figcaption"))
            continue
        holder = img.parent if img.parent is not None and not _text(img.parent) else img
        sibling = holder.find_next_sibling(True)
        if sibling is not None and sibling.find("img") is None and (
                _CAPTION_CLASS.search(" ".join(sibling.get("class") or []))
                or PHOTO_BY.search(_text(sibling)) and len(_text(sibling)) <= 80):
            captions[id(img)] = _text(sibling)
            nodes.add(id(sibling))
    return captions, nodes


def _pair_table(table: Tag, captions: dict[int, str], nodes: set[int]) -> None:
    """Photo rows and caption rows of one layout table, paired in order."""
    pending: list[Tag] = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue            # a row of a nested table
        images = [img for img in row.find_all("img") if img.find_parent("table") is table]
        if images:
            for img in images:
                cell = img.find_parent(["td", "th"])
                own = _text(cell) if cell is not None else ""
                if own:
                    captions[id(img)] = own
                else:
                    pending.append(img)
            continue
        cells = [c for c in row.find_all(["td", "th"]) if c.find_parent("table") is table
                 and _text(c)]
        if not pending or not cells:
            continue
        if len(cells) == len(pending):
            pairs = zip(pending, (_text(c) for c in cells), strict=True)
        elif len(pending) == 1:
            pairs = [(pending[0], " ".join(_text(c) for c in cells))]
        else:
            pairs = zip(pending, (_text(c) for c in cells), strict=False)
        for img, text in pairs:
            captions[id(img)] = text
        nodes.add(id(row))
        pending = []


def _figure(img: Tag, caption: str, path: Path, page: Page) -> Block | None:
    src = img.get("src") or ""
    why = _decoration(img, src)
    image = None if why else _image_file(src, path)
    if not why and image is not None and image.source is not None:
        why = _too_small(image.source)
        if why == _UNREADABLE:
            page.warnings.append(f"{image.source}: 不是能打开的图片文件，未复制；图片说明保留为无图说明")
            image, why = Image(None, image.name), ""
    if why:
        page.lines.append(LineNote(img.sourceline or 0, "furniture", src or "<img>", f"不是新闻照片：{why}"))
        return None
    if not caption and image is None:
        return None          # decoration: spacers
    if not caption:
        caption = repair.clean_spaces(img.get("alt") or "") or "图片"
    return Block("caption", caption, image=image)


def _decoration(img: Tag, src: str) -> str:
    if img.get("usemap"):
        return "版面图（带 usemap 热区）"
    words = " ".join([src, img.get("alt") or "", img.get("id") or "", *(img.get("class") or [])])
    if _DECORATION.search(words):
        return "标志、图标、按钮或导航图片"
    for key in ("width", "height"):
        value = re.match(r"\s*(\d+)", str(img.get(key) or ""))
        if value and int(value.group(1)) < _SMALLEST_PHOTO:
            return f"{key}={value.group(1)}，太小，是图标"
    return ""


def _too_small(source: Path) -> str:
    try:
        from PIL import Image as PILImage
        with PILImage.open(source) as picture:
            width, height = picture.size
    except (OSError, ValueError):
        return _UNREADABLE
    if width < _SMALLEST_PHOTO or height < _SMALLEST_PHOTO:
        return f"图片只有 {width}×{height} 像素，是图标"
    return ""


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
    for candidate in (folder / unquote(parts.path), folder / name, folder / "images" / name):
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


def _notes(page: Page, story: Story, source: str) -> None:
    """The review report's lines for an e-paper page."""
    notes = [LineNote(0, "kicker", story.kicker, "引题") if story.kicker else None,
             LineNote(0, "headline", story.title, f"标题（{source}）"),
             LineNote(0, "subtitle", story.subtitle, "副题") if story.subtitle else None,
             LineNote(0, "byline", "、".join(str(c) for c in story.credits), "作者") if story.credits else None]
    role = {"para": "body", "heading": "section", "caption": "caption"}
    for block in story.blocks:
        notes.append(LineNote(0, role.get(block.kind, "body"), block.text,
                              "照片及其说明" if block.kind == "caption" else "正文"))
    story.lines = [n for n in notes if n is not None]
    page.lines = story.lines + page.lines
