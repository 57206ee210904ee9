"""Editors (issue 14): `invoke new --help`, the fields of editing.md, and
the live preview showing a failed build in the browser (naming the file and
the problem) until it is fixed."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from sitebuild.preview import Preview

ROOT = Path(__file__).resolve().parent.parent
BROKEN = "articles/2024/12/broken-link.md"
TEXT = """Title: 链接坏了的文章
Date: 2024-12-20
Topic: 营商环境
District: 西市区

本报讯 详见[旧文](/2024/99/nothing/)。
"""


def test_invoke_new_help_works():
    done = subprocess.run([sys.executable, "-m", "invoke", "new", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for option in ("--topic", "--district", "--agency", "--date", "专题 (required)"):
        assert option in done.stdout, done.stdout
    assert not list((ROOT / "content" / "articles").rglob("*--help*"))


def test_invoke_new_without_topic_says_what_is_needed():
    done = subprocess.run([sys.executable, "-m", "invoke", "new", "标题"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "--topic" in done.stderr and "--district" in done.stderr


def test_editing_guide_documents_every_importer_field():
    guide = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    table = guide.split("### 字段说明", 1)[1].split("\n## ", 1)[0]
    for field in ("Kicker", "Subtitle", "Page", "Position"):
        assert f"| `{field}` |" in table, field


def _get(app, path):
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    return int(seen["status"].split()[0]), seen["headers"]["Content-Type"], body.decode("utf-8", "replace")


@pytest.fixture()
def preview(content_copy, tmp_path):
    preview = Preview(content_copy, tmp_path / "out")
    assert preview.rebuild()
    return preview


def test_a_failed_build_is_shown_for_every_page_until_fixed(preview, content_copy):
    status, kind, html = _get(preview, "/")
    assert status == 200 and "最新文章" in html
    broken = content_copy / BROKEN
    broken.write_text(TEXT, encoding="utf-8")
    assert not preview.rebuild()
    for path in ("/", "/topics/", "/2024/12/"):
        status, kind, html = _get(preview, path)
        assert status == 500 and kind.startswith("text/html")
        assert "生成失败" in html and "broken-link.md" in html
        assert "站内链接 /2024/99/nothing/ 指向的页面不存在" in html
        assert "</head>" in html  # livereload adds its reload script there
    status, kind, _ = _get(preview, "/theme/css/site.css")
    assert status == 200 and kind.startswith("text/css")
    broken.write_text(TEXT.replace("/2024/99/nothing/", "/topics/"), encoding="utf-8")
    assert preview.rebuild()
    status, _, html = _get(preview, "/")
    assert status == 200 and "链接坏了的文章" in html


def test_the_preview_serves_only_the_output(preview):
    assert _get(preview, "/../../etc/passwd")[0] == 404
    assert _get(preview, "/no/such/page/")[0] == 404


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.parametrize("width", (390, 1280))
def test_the_browser_shows_the_build_error(browser, preview, content_copy, width):
    (content_copy / BROKEN).write_text(TEXT, encoding="utf-8")
    assert not preview.rebuild()
    server = make_server("127.0.0.1", 0, preview, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(f"http://127.0.0.1:{server.server_port}/2024/12/")
        assert page.locator("h1").inner_text().startswith("生成失败")
        problems = page.locator(".build-problems li").all_inner_texts()
        assert any("broken-link.md" in p and "指向的页面不存在" in p for p in problems), problems
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.close()
    finally:
        server.shutdown()
        server.server_close()
