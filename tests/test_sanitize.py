"""Raw HTML in Markdown and in titles never reaches a page as live markup."""

from __future__ import annotations

import re

from sitebuild.build import build_site

HOSTILE = """Title: 标题<script>alert('t')</script><img src=x onerror=alert(1)>
Date: 2024-03-05
Topic: 营商环境
District: 站前区
Summary: 摘要<script>alert('s')</script>

正文<script>alert('b')</script>

<p onclick="alert(2)" onmouseover="alert(3)">点我</p>

<a href="javascript:alert(4)">链接</a> <a href="JaVaScRiPt:alert(5)">链接2</a>

<iframe src="https://example.com/"></iframe>

<img src="{static}/images/2023/port-cranes.png" onerror="alert(6)">

<svg onload="alert(7)"></svg><style>body{display:none}</style>

<form action="https://example.com/"><input name=a></form>

[md link](javascript:alert(8))
"""


def test_scripts_handlers_javascript_urls_and_iframes_are_removed(content_copy, tmp_path):
    path = content_copy / "articles" / "2024" / "03" / "hostile.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HOSTILE, encoding="utf-8")
    output = tmp_path / "out"
    build_site(content_copy, output, search=False)
    html = (output / "2024" / "03" / "hostile" / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>", html)
    # only the theme's own files and the JSON-LD block: no inline script
    assert all('type="application/ld+json"' in s or re.search(r'src="[./]*theme/js/', s)
               for s in scripts), scripts
    body = html[html.index("<article"):html.index("</article>")]
    for needle in ("<script", "onerror", "onclick", "onmouseover", "onload", "javascript:",
                   "<iframe", "<style", "<form", "<input", "<svg"):
        assert needle not in body.lower(), needle
    assert "正文" in body and "点我" in body and "链接" in body
    # titles are plain text: the tags are gone, not merely escaped
    assert "<title>标题 - 营口新闻档案</title>" in html
    assert "onerror" not in html.lower()
    # listing pages show the title as text too
    listing = (output / "2024" / "03" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in listing and "onerror" not in listing
