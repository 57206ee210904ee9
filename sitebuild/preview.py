"""The live preview (``invoke livereload``): rebuild on every change, and
while the last build failed, show its error in the browser.

A failed build leaves the previous output in place (the build only swaps
in a complete generation), so the browser would keep showing the old page
and the editor would not know the change is not there.  :class:`Preview`
remembers the last build's error; its WSGI app (served by livereload,
which adds its reload script to every HTML page) then answers every page
with an error page naming each file and what is wrong with it, until a
build succeeds.  Assets are served as usual, so the page is styled.
"""

from __future__ import annotations

import html
import mimetypes
import os
import sys
import time
from pathlib import Path
from urllib.parse import unquote

from yingkou_archive.errors import ArchiveError, ContentError

from .build import build_site


class Preview:
    def __init__(self, content_dir=None, output_dir=None, settings_file=None, build=build_site):
        self.content_dir = content_dir
        self.output_dir = Path(output_dir) if output_dir else None
        self.settings_file = settings_file
        self._build = build
        self.error: ArchiveError | None = None
        self.failed_at = ""

    def rebuild(self) -> bool:
        """Build once; True when it succeeded."""
        try:
            result = self._build(self.content_dir, self.output_dir, settings_file=self.settings_file)
        except ArchiveError as error:
            self.error, self.failed_at = error, time.strftime("%H:%M:%S")
            print(error, file=sys.stderr)
            print("（浏览器中的页面会显示这个错误，直到改正）", file=sys.stderr)
            return False
        self.error = None
        self.output_dir = Path(result.output_dir)
        print("已重新生成")
        return True

    # -- the WSGI app ---------------------------------------------------------

    def __call__(self, environ, start_response):
        path = unquote(environ.get("PATH_INFO", "/"))
        file = self._file(path)
        is_page = file is None or file.suffix == ".html"
        if self.error is not None and is_page:
            return self._respond(start_response, "500 Internal Server Error", "text/html; charset=utf-8",
                                 error_page(self.error, self.failed_at).encode("utf-8"))
        if file is None:
            missing = self.output_dir / "404.html" if self.output_dir else None
            body = missing.read_bytes() if missing and missing.is_file() else b"<!DOCTYPE html><title>404</title>"
            return self._respond(start_response, "404 Not Found", "text/html; charset=utf-8", body)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        return self._respond(start_response, "200 OK", kind, file.read_bytes())

    def _file(self, path: str) -> Path | None:
        """The output file a URL path names, never one outside the output."""
        if self.output_dir is None:
            return None
        root = self.output_dir.resolve()
        target = Path(os.path.normpath(root / path.lstrip("/")))
        if not target.is_relative_to(root):
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    @staticmethod
    def _respond(start_response, status, kind, body: bytes):
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store")])
        return [body]


def error_page(error: ArchiveError, failed_at: str = "") -> str:
    """A page (in Chinese, self-contained) listing what stopped the build."""
    if isinstance(error, ContentError):
        items = "".join(f"<li><code>{html.escape(p.path)}</code>：{html.escape(p.message)}</li>"
                        for p in error.problems)
        lead = f"内容有 {len(error.problems)} 处错误，网站没有重新生成："
    else:
        items = f"<li>{html.escape(str(error))}</li>"
        lead = "网站没有重新生成："
    when = f"（{failed_at}）" if failed_at else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>生成失败 - 营口新闻档案预览</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0;
  background: #fff; color: #1d2329; line-height: 1.7; }}
main {{ max-width: 48rem; margin: 0 auto; padding: 1.5rem 1rem; }}
h1 {{ color: #a4160f; font-size: 1.5rem; }}
li {{ margin: 0.5rem 0; }}
code {{ background: #f4f7f9; padding: 0.1rem 0.3rem; border-radius: 3px; word-break: break-all; }}
</style>
</head>
<body>
<main>
<h1 id="build-error">生成失败{html.escape(when)}</h1>
<p>{lead}</p>
<ul class="build-problems">{items}</ul>
<p>改正后保存文件，页面会自动刷新。</p>
</main>
</body>
</html>
"""
