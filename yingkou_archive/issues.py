"""Issue files read and checked: one day's printed pages of one paper.

The format is described in yingkou_archive/digest/issue_file.py (the
importer writes it, an editor may write or correct it by hand):
``content/issues/YYYY/YYYY-MM-DD-<code>.yml`` with ``date``, ``source`` and
``pages`` in printed order, each with ``label`` (版次), optional ``name``
(版名), ``image`` (under content/images/), ``pdf`` (under content/files/)
and ``articles`` in reading order, each a ``file`` (relative to content/)
and an optional ``region`` on the page image, in image pixels: a rectangle
``[x1, y1, x2, y2]`` or a polygon ``[[x, y], …]``.

:func:`read_issues` is used by ``invoke check`` and the build alike
(content_check.site_problems names every problem; the build's issues
plugin reads the same files into pages).  Refused, naming the file: YAML
that does not parse, unknown keys, a missing date or source, a date other
than the file name's, no pages, two pages with one label (or one URL), an
article file that is not an article (or is listed twice), a region that is
not a rectangle or polygon or lies outside the image, a region without an
image, an image or PDF that is missing, outside its folder or not what its
name says.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Problem
from .links import IMAGE_FORMATS, is_site_path, shown, through_symlink
from .paper_codes import page_code, source_code

ISSUES_DIR = "issues"
IMAGE_FOLDER = "images/"
PDF_FOLDER = "files/"
_FILE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z0-9][a-z0-9-]*)\.yml$")
# libyaml's loader where PyYAML has it (ten times faster; the same data)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ISSUE_KEYS = {"date", "source", "pages"}
_PAGE_KEYS = {"label", "name", "image", "pdf", "articles"}
_ARTICLE_KEYS = {"file", "region"}


@dataclass(frozen=True)
class Region:
    """A region in image pixels: its polygon (a rectangle has four corners)."""

    points: tuple[tuple[float, float], ...]

    @property
    def box(self) -> tuple[float, float, float, float]:
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        return min(xs), min(ys), max(xs), max(ys)

    def svg_points(self) -> str:
        return " ".join(f"{_num(x)},{_num(y)}" for x, y in self.points)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


@dataclass
class IssuePageArticle:
    file: str  # relative to content/
    region: Region | None = None


@dataclass
class IssuePageData:
    label: str
    name: str = ""
    image: str = ""
    image_size: tuple[int, int] | None = None
    pdf: str = ""
    articles: list[IssuePageArticle] = field(default_factory=list)


@dataclass
class IssueData:
    path: str  # as shown to the editor
    date: dt.date
    source: str
    pages: list[IssuePageData]


def issue_files(content_dir: Path) -> list[Path]:
    root = content_dir / ISSUES_DIR
    return [p for p in sorted(root.rglob("*.yml")) if p.is_file() and not p.name.startswith(".")
            and not through_symlink(p, content_dir)] if root.is_dir() else []


def _problem(problems, path, message):
    problems.append(Problem(path, message))


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _region(value, size, where, path, problems) -> Region | None:
    numbers = (int, float)
    points = None
    if isinstance(value, list) and len(value) == 4 and all(isinstance(v, numbers) and not isinstance(v, bool)
                                                           for v in value):
        x1, y1, x2, y2 = value
        if x1 < x2 and y1 < y2:
            points = ((x1, y1), (x2, y1), (x2, y2), (x1, y2))
    elif isinstance(value, list) and len(value) >= 3 and all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(n, numbers) and not isinstance(n, bool)
                                                        for n in p) for p in value):
        points = tuple((p[0], p[1]) for p in value)
    if points is None:
        _problem(problems, path, f"{where} 的 region 格式不对：应为矩形 [x1, y1, x2, y2]（x1<x2、y1<y2）"
                                 "或多边形 [[x, y], …]（至少三个点）")
        return None
    if size is None:
        _problem(problems, path, f"{where} 有 region，但这一版没有 image（版面图）")
        return None
    width, height = size
    if any(not (0 <= x <= width and 0 <= y <= height) for x, y in points):
        _problem(problems, path, f"{where} 的 region 超出了版面图（{width}×{height} 像素）")
        return None
    return Region(points)


def _image_size(target: str, content_dir: Path, where: str, path: str, problems) -> tuple[int, int] | None:
    from PIL import Image  # only reading issue files needs Pillow

    if not target.startswith(IMAGE_FOLDER) or ".." in target.split("/"):
        _problem(problems, path, f"{where} 的 image“{target}”必须在 content/images/ 里")
        return None
    file = content_dir / target
    if not file.is_file():
        _problem(problems, path, f"{where} 的 image 文件 {target} 不存在")
        return None
    if file.suffix.lower() not in IMAGE_FORMATS:
        return None  # named by static_problems
    try:
        with Image.open(file) as image:
            return image.size
    except Exception:  # a damaged image is named by static_problems
        return None


def _pdf_problem(target: str, content_dir: Path) -> str | None:
    if not target.startswith(PDF_FOLDER) or ".." in target.split("/") or not target.lower().endswith(".pdf"):
        return f"pdf“{target}”必须是 content/files/ 里的 .pdf 文件"
    if not is_site_path(target):
        return f"pdf“{target}”的文件名只能用字母、数字、连字符、下划线和点（它也是网址）"
    file = content_dir / target
    if not file.is_file() or file.is_symlink():
        return f"pdf 文件 {target} 不存在"
    with open(file, "rb") as handle:
        if handle.read(5) != b"%PDF-":
            return f"pdf 文件 {target} 不是 PDF（文件开头没有 %PDF-）"
    return None


def _unknown(data: dict, allowed: set, where: str, path: str, problems) -> None:
    for key in data:
        if key not in allowed:
            known = "、".join(sorted(allowed))
            _problem(problems, path, f"{where}有未知字段 {key}（可用：{known}）")


def read_issue(file: Path, content_dir: Path, base: Path, articles: set[str]) -> tuple[IssueData | None, list]:
    """One issue file; ``articles``: the article files (relative to content/)."""
    path = shown(file, base)
    problems: list[Problem] = []
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER)
    except UnicodeDecodeError:
        return None, [Problem(path, "不是有效的 UTF-8 文本；请用 UTF-8 保存")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        return None, [Problem(path, f"YAML 格式错误{where}：{getattr(error, 'problem', '') or error}")]
    if not isinstance(data, dict):
        return None, [Problem(path, "版面文件应是 date、source、pages 三项")]
    _unknown(data, _ISSUE_KEYS, "", path, problems)
    date = _date(data.get("date"))
    if date is None:
        _problem(problems, path, "缺少 date 或格式不对（应为 2024-09-10）")
    name = _FILE_NAME.match(file.name)
    if not name:
        _problem(problems, path, "文件名应为 YYYY-MM-DD-<报纸代码>.yml，例如 2024-09-10-ykrb.yml")
    elif date is not None and name.group(1) != date.isoformat():
        _problem(problems, path, f"date {date.isoformat()} 与文件名的日期 {name.group(1)} 不一致")
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        _problem(problems, path, "缺少 source（报纸名称）")
        source = ""
    raw_pages = data.get("pages")
    if not isinstance(raw_pages, list) or not raw_pages:
        _problem(problems, path, "pages 应是至少一版的列表")
        raw_pages = []
    pages, labels, codes, seen = [], {}, {}, {}
    for number, raw in enumerate(raw_pages, 1):
        where = f"第 {number} 个版面"
        if not isinstance(raw, dict) or not isinstance(raw.get("label"), (str, int)) or not str(raw["label"]).strip():
            _problem(problems, path, f"{where}缺少 label（版次，例如 第01版）")
            continue
        label = str(raw["label"]).strip()
        where = f"版面“{label}”"
        _unknown(raw, _PAGE_KEYS, where, path, problems)
        code = page_code(label)
        if label in labels:
            _problem(problems, path, f"两个版面的 label 都是“{label}”（第 {labels[label]} 个和第 {number} 个）")
        elif code in codes:
            _problem(problems, path, f"版面“{codes[code]}”和“{label}”会写到同一个网址（…/{code}/）；请改正 label")
        labels.setdefault(label, number)
        codes.setdefault(code, label)
        page = IssuePageData(label, str(raw.get("name") or "").strip())
        if raw.get("image"):
            page.image = str(raw["image"]).strip()
            page.image_size = _image_size(page.image, content_dir, where, path, problems)
        if raw.get("pdf"):
            message = _pdf_problem(str(raw["pdf"]).strip(), content_dir)
            if message:
                _problem(problems, path, f"{where} 的 {message}")
            else:
                page.pdf = str(raw["pdf"]).strip()
        listed = raw.get("articles") if raw.get("articles") is not None else []
        if not isinstance(listed, list):
            _problem(problems, path, f"{where} 的 articles 应是列表")
            listed = []
        for item in listed:
            if not isinstance(item, dict) or not isinstance(item.get("file"), str):
                _problem(problems, path, f"{where} 的 articles 每项应有 file（文章文件，例如 articles/2024/09/x.md）")
                continue
            target = item["file"].strip()
            _unknown(item, _ARTICLE_KEYS, f"{where} 的 {target} ", path, problems)
            if target not in articles:
                _problem(problems, path, f"{where} 列出的 {target} 不是一篇文章（content/ 里没有这个文章文件）")
                continue
            if target in seen:
                _problem(problems, path, f"{target} 在{seen[target]}和{where}都出现了")
                continue
            seen[target] = where
            region = None
            if item.get("region") is not None:
                region = _region(item["region"], page.image_size if page.image else None,
                                 f"{where} 的 {target}", path, problems)
            page.articles.append(IssuePageArticle(target, region))
        pages.append(page)
    if problems or date is None:
        return None, problems
    return IssueData(path, date, source.strip(), pages), []


def read_issues(content_dir: Path, base: Path, articles: set[str]) -> tuple[list[IssueData], list[Problem]]:
    """Every issue file under content/issues, and every problem with them
    (also an article listed by two issue files, or two files of one paper
    and day)."""
    issues, problems = [], []
    claimed: dict[str, str] = {}
    days: dict[tuple, str] = {}
    known = hash(frozenset(articles))
    for file in issue_files(content_dir):
        issue, found = _read_once(file, content_dir, base, articles, known)
        problems += found
        if issue is None:
            continue
        key = (issue.date, source_code(issue.source))
        if key in days:
            problems.append(Problem(issue.path, f"与 {days[key]} 是同一天同一份报纸（{issue.source}）"))
            continue
        days[key] = issue.path
        for page in issue.pages:
            for article in page.articles:
                if article.file in claimed:
                    problems.append(Problem(issue.path, f"{article.file} 已列在 {claimed[article.file]} 里"))
                claimed.setdefault(article.file, issue.path)
        issues.append(issue)
    return issues, problems


# One build reads each issue file twice (the check of every file, then the
# issues plugin): the second read of an unchanged file is this memo's.
_READ: dict[tuple, tuple] = {}


def _read_once(file: Path, content_dir: Path, base: Path, articles: set[str], known: int):
    stat = file.stat()
    key = (str(file), stat.st_mtime_ns, stat.st_size, str(content_dir), str(base), known)
    hit = _READ.get(key)
    if hit is not None and all(_stamp(content_dir / path) == stamp for path, stamp in hit[1]):
        return hit[0], []
    issue, problems = read_issue(file, content_dir, base, articles)
    if issue is not None:  # only a good file is remembered (with its images' and PDFs' stamps)
        if len(_READ) > 10_000:
            _READ.clear()
        _READ[key] = (issue, tuple((p, _stamp(content_dir / p)) for p in _assets(issue)))
    return issue, problems


def _assets(issue: IssueData | None) -> list[str]:
    return [a for page in issue.pages for a in (page.image, page.pdf) if a] if issue else []


def _stamp(path: Path) -> tuple | None:
    try:
        stat = path.stat()
        return stat.st_mtime_ns, stat.st_size
    except OSError:
        return None
