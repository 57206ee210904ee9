"""Small helpers for reading a built site in tests."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from pathlib import Path

# The build's own bookkeeping inside the output (sitebuild/generations.py),
# not part of the site: left out when comparing what two builds made.
STATE_DIR = ".archive-state"


def tree_digest(root: Path) -> dict[str, str]:
    """Every file of the site under root with the sha256 of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] != STATE_DIR
    }


class PageParser(HTMLParser):
    """Collects references, <article> elements and JSON-LD of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.references: list[tuple[str, str, str]] = []  # (tag, attr, url)
        self.articles = 0
        self.depth_in_article = 0
        self.text_in_article: list[str] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "article":
            self.articles += 1
        if tag == "article" or self.depth_in_article:
            self.depth_in_article += 1 if tag not in VOID else 0
        for attr in ("href", "src"):
            if attr in attributes and attributes[attr] is not None:
                if tag == "link" and attributes.get("rel") in ("canonical",):
                    continue
                self.references.append((tag, attr, attributes[attr]))
        if tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_jsonld = True
            self.jsonld.append("")
        if tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.meta[key] = attributes.get("content", "")
        if tag == "link" and attributes.get("rel"):
            self.links[attributes["rel"]] = attributes.get("href", "")

    def handle_endtag(self, tag):
        if self.depth_in_article and tag not in VOID:
            self.depth_in_article -= 1
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld[-1] += data
        if self.depth_in_article:
            self.text_in_article.append(data)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_entries(site: Path) -> dict[str, str]:
    """Every URL of the site's sitemaps (the index and the files it lists)
    with its lastmod."""
    import xml.etree.ElementTree as ET

    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    entries = {}
    for sitemap in index.iter(f"{SITEMAP_NS}sitemap"):
        loc = sitemap.find(f"{SITEMAP_NS}loc").text
        name = loc.split("/", 3)[3]  # the path after scheme://host/
        for url in ET.parse(site / name).getroot().iter(f"{SITEMAP_NS}url"):
            entries[url.find(f"{SITEMAP_NS}loc").text] = url.find(f"{SITEMAP_NS}lastmod").text
    return entries


def build_synthetic_site(work: Path, articles: int, seed: int, extra: dict[str, str]) -> Path:
    """A synthetic archive plus ``extra`` articles (path under articles/ -> text),
    built with search into ``work/output``."""
    from sitebuild.build import build_site
    from yingkou_archive.synthetic import generate_archive

    content = work / "content"
    generate_archive(content, articles, seed=seed)
    for rel, text in extra.items():
        path = content / "articles" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    build_site(content, work / "output")
    return work / "output"


def record_calls(monkeypatch, owner, name: str, note) -> list:
    """Replace ``owner.name`` (a module's function) for one test by one
    that appends ``note(*args)`` to the returned list, then calls it."""
    calls = []
    real = getattr(owner, name)

    def recording(*args, **kwargs):
        calls.append(note(*args))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls
