"""Random metadata and bodies: a clear error naming the file, or a safe site.

Safe: every file lies inside the output, every URL a page or the search
index makes stays on the site (an editor's link to another site is a plain
http(s) link, nothing else), and nothing can run a script but the theme's
own files.
"""

from __future__ import annotations

import gzip
import json
import os
import posixpath
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sitebuild.build import build_site
from yingkou_archive.errors import ContentError
from yingkou_archive.links import is_site_path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["Title: 营口港新航线", "Date: 2024-03-05", "Topic: 港口物流", "District: 鲅鱼圈区"]
# Fields the site reads (values may still be refused) and fields it refuses.
READ_KEYS = ["Title", "Date", "Topic", "District", "Agency", "Authors", "Slug", "Source", "Summary",
             "Aliases", "Status", "Modified", "Subtitle", "Kicker", "Page", "Position"]
REFUSED_KEYS = ["Url", "Save_as", "Template", "Lang", "Translation", "Path", "Category", "Tags",
                "Issue", "Settings", "Metadata", "Timezone", "Date_format", "Override_url", "Content"]
VALUES = [
    "javascript:alert(1)", "index.html", "theme/js/search.js", "../../../etc/passwd", "redirect",
    "en", "draft", "hidden", "published", "0001-01-01", "2024-02-30", "bad", "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>", "//evil.example/", "营口\u202e港\u200b", "a\x07b", "",
    "old-slug", "2023/04/old/", "../../x/", "第03版", "1", "港口物流、生态环境", "Asia/Shanghai", "%Y",
]
# Hostile markup the sanitizer removes without losing text: these build.
SANITIZED = [
    "本报讯 营口港开通新航线。", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "[链接](javascript:alert(1))", "[链接](JaVaScRiPt:alert(1))", "<iframe src=//evil.example></iframe>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">d</a>", "<svg onload=alert(1)></svg>",
    "![图]({static}/images/2023/port-cranes.png)", "[首页](/)", "<object data=x.swf></object>",
    "<base href=//evil.example/>", "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<style>body{display:none}</style>", "&lt;script&gt;alert(1)&lt;/script&gt;", "`<script>`",
    "    <script>alert(1)</script>", "<a href=\"//evil.example/\">外站</a>", "[外站](https://example.org/)",
    "<form action=//evil.example><input></form>", "<p onclick=alert(1)>点</p>", "# 标题",
    "|static|/images/2023/port-cranes.png", "\u202e反", "![说明]()", "<a href=\"vbscript:x\">v</a>",
]
# What is refused naming the file.
REFUSED = [
    "正文 <script> 未闭合", "<scr<script>ipt>alert(1)</script>", "![图]({static}/images/../../../etc/passwd)",
    "[旧](/2024/99/nothing/)", "{filename}/articles/nothing.md", "[t]({tag}x)", "\x01",
]
fields = st.lists(st.tuples(st.one_of(st.sampled_from(READ_KEYS), st.sampled_from(READ_KEYS),
                                      st.sampled_from(REFUSED_KEYS)),
                            st.one_of(st.sampled_from(VALUES), st.text(max_size=20))),
                  max_size=3)
bodies = st.lists(st.one_of(st.sampled_from(SANITIZED), st.sampled_from(SANITIZED),
                            st.sampled_from(REFUSED), st.text(max_size=30)), min_size=1, max_size=6)
articles = st.lists(st.tuples(fields, bodies, st.sampled_from(["\n\n", "\n", " "])), min_size=1, max_size=2)


def _content(folder: Path, drafts) -> list[str]:
    content = folder / "content"
    (content / "articles" / "2024" / "03").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "taxonomy.yml", content / "taxonomy.yml")
    shutil.copytree(ROOT / "content" / "images" / "2023", content / "images" / "2023")
    names = []
    for number, (extra, body, joiner) in enumerate(drafts):
        name = f"story-{number}.md"
        header = "\n".join(HEADER + [f"{key}: {value}" for key, value in extra])
        (content / "articles" / "2024" / "03" / name).write_text(
            header + "\n\n" + joiner.join(body) + "\n", encoding="utf-8")
        names.append(name)
    return names


class _Page(HTMLParser):
    """Every tag and attribute of a page, and the text of its scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text.append(data)


def _stays_on_site(site: Path, page: Path, url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("\\"):
        return False
    base = "/" + page.parent.relative_to(site).as_posix()
    return not posixpath.normpath(posixpath.join(base, parts.path)).startswith("/..")


def _assert_safe_page(site: Path, page: Path) -> None:
    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (page, tag, attrs)
        assert tag not in ("iframe", "object", "embed", "base", "frame"), (page, tag)
        if tag == "script":
            data_script = attrs.get("type") == "application/ld+json" or (
                attrs.get("type") == "application/json" and attrs.get("id") == "search-manifest")
            assert data_script or \
                re.fullmatch(r"(\.\./)*theme/js/[a-z-]+(\.bundle)?\.js(\?v=[0-9a-f]+)?", attrs.get("src", "")), attrs
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            target = attrs["content"].split("url=", 1)[1]
            assert _stays_on_site(site, page, target), target
        for name in ("href", "src", "action", "data", "poster", "formaction"):
            url = attrs.get(name)
            if url is None or url.startswith("#"):
                continue
            if tag == "a" and re.match(r"(https?:|mailto:|tel:|//)", url, re.I):
                continue  # an editor's link out, as the sanitizer allows
            if tag == "link" and attrs.get("rel") == "canonical":
                assert url.startswith("http://localhost:8000/"), url  # SITEURL
                continue
            assert _stays_on_site(site, page, url), (page, tag, name, url)
    for text in parsed.script_text:
        assert "</script" not in text.lower()


def _assert_safe_site(site: Path, folder: Path) -> None:
    for path in site.rglob("*"):
        assert path.resolve().is_relative_to(site.resolve()), path
        assert not path.is_symlink(), path
        if path.suffix == ".html":
            _assert_safe_page(site, path)
    assert not [p for p in (site / "images").rglob("*") if p.suffix not in ("", ".png", ".jpg")]
    for doc in (site / "search" / "doc").glob("*.bin"):  # one article each
        url = json.loads(gzip.decompress(doc.read_bytes()))["u"]
        assert is_site_path(url) and (site / url / "index.html").is_file(), url
    # nothing was written beside the output but the build's own: its cache,
    # the standby generation and the lock (sitebuild/generations.py)
    assert set(p.name for p in folder.iterdir()) <= {"cache", "content", "out", ".out.standby", ".out.lock"}


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles)
def test_random_articles_are_refused_by_name_or_built_safely(drafts):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        names = _content(folder, drafts)
        try:
            build_site(folder / "content", folder / "out", settings_file=ROOT / "pelicanconf.py",
                       overrides={"CACHE_PATH": str(folder / "cache")})
        except ContentError as error:
            for problem in error.problems:
                assert os.path.basename(problem.path) in names, problem
            event("refused naming the file")
            return
        event("built")
        _assert_safe_site(folder / "out", folder)
