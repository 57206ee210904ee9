"""Serving a built site on localhost the way static hosts do.

``invoke serve``, the browser tests and the search benchmark all use it:
a folder's ``index.html`` for the folder, text files gzip-encoded when the
browser asks (as most hosts do), one byte range of a file when asked
(``Range: bytes=a-b``, status 206: the search reads its pack files so, as
every common host allows; Python's own ``http.server`` does not), and for a
missing path the status 404 with the site's own ``404.html`` (as GitHub
Pages, Netlify and nginx's ``error_page`` do), so the error page is seen at
a deep URL.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import re
import socketserver
import sys
import threading
from pathlib import Path

GZIP_TYPES = (".js", ".json", ".css", ".html", ".svg", ".xml", ".txt")
_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's URL
            path = path / "index.html"
        if not path.is_file():
            return self._not_found()
        wanted = _RANGE.match(self.headers.get("Range", "").strip())
        if wanted and self.server.ranges:
            return self._send_range(path, wanted)
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.server.gzip and wants_gzip and path.suffix in GZIP_TYPES):
            return super().send_head()
        return self._send(200, path.read_bytes(), self.guess_type(str(path)), compress=True)

    def _send_range(self, path: Path, wanted: re.Match):
        size = path.stat().st_size
        first = int(wanted.group(1))
        last = min(size - 1, int(wanted.group(2))) if wanted.group(2) else size - 1
        if first > last:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return io.BytesIO(b"")
        with open(path, "rb") as handle:
            handle.seek(first)
            body = handle.read(last - first + 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _not_found(self):
        page = Path(self.directory) / "404.html"
        if not page.is_file():
            self.send_error(404)
            return None
        wants_gzip = self.server.gzip and "gzip" in self.headers.get("Accept-Encoding", "")
        return self._send(404, page.read_bytes(), "text/html; charset=utf-8", compress=wants_gzip)

    def _send(self, status: int, body: bytes, content_type: str, compress: bool):
        if compress:
            body = gzip.compress(body, 6)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class SiteServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, port: int = 0, use_gzip: bool = True, verbose: bool = False,
                 ranges: bool = True):
        super().__init__(("127.0.0.1", port), functools.partial(_Handler, directory=str(root)))
        self.gzip = use_gzip
        self.ranges = ranges  # off: behave like a host that ignores Range (the search must still work)
        self.verbose = verbose

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def handle_error(self, request, client_address):
        """A browser that stops a download (the search page aborts its
        background fetches when a new search starts) closes the connection
        mid-response: not an error of the site or the server, so no
        traceback in the editor's terminal.  Anything else is printed as
        socketserver does."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def serve_in_background(root: Path, use_gzip: bool = True, ranges: bool = True) -> SiteServer:
    """Serve ``root`` on a free port in a thread; ``.shutdown()`` when done."""
    server = SiteServer(root, use_gzip=use_gzip, ranges=ranges)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
