"""A static server and Debian's Chromium, for the browser tests and the
search benchmark (no browser downloads: playwright drives /usr/bin/chromium).

The server serves a folder on 127.0.0.1 like common static hosts do: files
as they are, text types gzip-encoded when the browser asks for it.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import socketserver
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying Google's
# hosts, which this closed network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files; gzip for text types when asked, like common hosts."""

    GZIP_TYPES = (".js", ".json", ".css", ".html", ".svg")

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.server.gzip and wants_gzip and path.suffix in self.GZIP_TYPES and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, use_gzip: bool):
        super().__init__(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
        self.gzip = use_gzip
        self.sent = 0


def serve(root: Path, use_gzip: bool = True) -> _Server:
    """Serve ``root`` on 127.0.0.1 in a thread; ``.shutdown()`` when done."""
    server = _Server(root, use_gzip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
