"""Drawn newspaper pages: a page image with headline blocks and its regions.

Used for the demo issues: ``python -m yingkou_archive.page_drawing
content`` rewrites content/images/issues/… and the issue files of
:data:`DEMO` (the synthetic archive's issue files, yingkou_archive/synthetic.py
``write_issues``, have no page images).  Nothing here is a real paper: a masthead, rules, a headline per block and
grey bars for its text.  Regions are in image pixels, as issue files take
them (yingkou_archive/issues.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1000, 1400
MARGIN = 40
_FONTS = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
          "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")


@functools.cache
def _font(size: int):
    for path in _FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def layout(count: int, top: int, polygon_first: bool = False) -> list[list]:
    """``count`` regions filling the page below ``top``: a lead story across
    the page, the rest in two columns (the first an L-shaped polygon when
    ``polygon_first``)."""
    inner = WIDTH - 2 * MARGIN
    bottom = HEIGHT - MARGIN
    if count == 1:
        return [[MARGIN, top, WIDTH - MARGIN, bottom]]
    lead_bottom = top + (bottom - top) * 2 // 5
    regions: list[list] = []
    if polygon_first:
        mid = MARGIN + inner // 2
        step = top + (lead_bottom - top) // 2
        regions.append([[MARGIN, top], [WIDTH - MARGIN, top], [WIDTH - MARGIN, step],
                        [mid - 10, step], [mid - 10, lead_bottom], [MARGIN, lead_bottom]])
    else:
        regions.append([MARGIN, top, WIDTH - MARGIN, lead_bottom])
    rest = count - 1
    left = (rest + 1) // 2
    columns = [(MARGIN, MARGIN + inner // 2 - 10, left), (MARGIN + inner // 2 + 10, WIDTH - MARGIN, rest - left)]
    for x1, x2, n in columns:
        if n == 0:
            continue
        y = lead_bottom + 20
        height = (bottom - y - 20 * (n - 1)) // n
        for _ in range(n):
            regions.append([x1, y, x2, y + height])
            y += height + 20
    return regions


def _box(region) -> tuple[int, int, int, int]:
    if isinstance(region[0], list):
        xs, ys = [p[0] for p in region], [p[1] for p in region]
        return min(xs), min(ys), max(xs), max(ys)
    return tuple(region)


def draw_page(paper: str, date: dt.date, label: str, name: str, titles: list[str],
              masthead: bool, polygon_first: bool = False) -> tuple[Image.Image, list[list]]:
    image = Image.new("RGB", (WIDTH, HEIGHT), (250, 248, 242))
    draw = ImageDraw.Draw(image)
    ink, grey, red = (30, 30, 30), (190, 190, 185), (170, 20, 20)
    top = MARGIN
    if masthead:
        draw.text((MARGIN, top), paper, font=_font(72), fill=red)
        top += 110
    header = f"{label}  {name}    {date.year}年{date.month}月{date.day}日"
    draw.text((MARGIN, top), header, font=_font(28), fill=ink)
    top += 46
    draw.line([(MARGIN, top), (WIDTH - MARGIN, top)], fill=red, width=4)
    top += 20
    regions = layout(len(titles), top, polygon_first)
    for index, (title, region) in enumerate(zip(titles, regions, strict=True)):
        x1, y1, x2, y2 = _box(region)
        size = 44 if index == 0 else 30
        draw.text((x1 + 8, y1 + 6), title, font=_font(size), fill=ink)
        y = y1 + size + 28
        polygon = isinstance(region[0], list)
        while y < y2 - 14:
            # an L-shaped region: full width above its step, its left part below
            right = region[3][0] if polygon and y + 8 > region[3][1] - 8 else x2
            draw.rectangle([x1 + 8, y, right - 8, y + 8], fill=grey)
            y += 22
        if polygon:  # a photo beside the lower part (not a region of its own)
            draw.rectangle([region[3][0] + 20, region[3][1] + 20, x2, y2], fill=(215, 222, 228))
        if isinstance(region[0], list):
            draw.line([tuple(p) for p in region] + [tuple(region[0])], fill=(120, 120, 120), width=1)
        else:
            draw.rectangle([x1, y1, x2, y2], outline=(120, 120, 120), width=1)
    return image, regions


PAPER = "营口新闻档案示例版面"
CODE = "ykxwdaslbm"
# (date, [(label, name, [(article file stem)])]): the demo issues
DEMO = [
    (dt.date(2024, 9, 10), [
        ("第01版", "要闻", ["20240910-p01-01", "20240910-p01-02", "20240910-p01-03"]),
        ("第05版", "城市", ["20240910-p05-01", "20240910-p05-02", "20240910-p05-03", "20240910-p05-04"]),
        ("第08版", "文化", ["20240910-p08-01", "20240910-p08-02"]),
    ]),
    (dt.date(2024, 9, 11), [
        ("第01版", "要闻", ["20240911-p01-01", "20240911-p01-02"]),
    ]),
]


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("Title:"):
            return line[len("Title:"):].strip()
    raise ValueError(f"{path}: no Title")


def write_demo(content: Path) -> list[Path]:
    import yaml

    written = []
    for date, pages in DEMO:
        folder = f"images/issues/{date:%Y-%m-%d}-{CODE}"
        (content / folder).mkdir(parents=True, exist_ok=True)
        entries = []
        for number, (label, name, stems) in enumerate(pages):
            files = [f"articles/{date:%Y/%m}/{CODE}-{stem}.md" for stem in stems]
            titles = [_title(content / f) for f in files]
            image, regions = draw_page(PAPER, date, label, name, titles, number == 0, polygon_first=number == 1)
            image_path = f"{folder}/p{label[1:3]}.png"
            image.quantize(colors=32).save(content / image_path, optimize=True)
            written.append(content / image_path)
            entries.append({"label": label, "name": name, "image": image_path,
                            "articles": [{"file": f, "region": r} for f, r in zip(files, regions, strict=True)]})
        issue = content / "issues" / f"{date:%Y}" / f"{date:%Y-%m-%d}-{CODE}.yml"
        issue.parent.mkdir(parents=True, exist_ok=True)
        from yingkou_archive.digest.issue_file import _Dumper

        issue.write_text("# 示例版面：图片由 yingkou_archive/page_drawing.py 绘制\n"
                         + yaml.dump({"date": date, "source": PAPER, "pages": entries}, Dumper=_Dumper,
                                     allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
        written.append(issue)
    return written


if __name__ == "__main__":
    for path in write_demo(Path(sys.argv[1] if len(sys.argv) > 1 else "content")):
        print(path)
