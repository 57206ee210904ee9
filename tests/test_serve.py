"""The preview server (``invoke serve``, also the tests' and benchmarks'):
a browser that stops a download is not reported as an error."""

from __future__ import annotations

import socket
import struct

from sitebuild.serve import serve_in_background


def _abandon_download(server, path: str) -> bytes:
    """Ask for ``path``, read a little, and reset the connection."""
    host, port = server.server_address
    with socket.create_connection((host, port)) as client:
        client.sendall(f"GET /{path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: identity\r\n\r\n".encode())
        start = client.recv(4096)
        # close with a reset, as a browser aborting a fetch may
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return start


def test_a_download_the_browser_stops_prints_no_traceback(tmp_path, capsys):
    (tmp_path / "big.bin").write_bytes(bytes(range(256)) * 64 * 1024)  # 16 MB: still sending at the reset
    server = serve_in_background(tmp_path)
    server.daemon_threads = False  # so that server_close waits for the request's thread
    try:
        assert _abandon_download(server, "big.bin").startswith(b"HTTP/1.0 200")
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capsys.readouterr().err


def test_other_errors_while_serving_are_still_printed(tmp_path, capsys):
    server = serve_in_background(tmp_path)
    try:
        try:
            raise ValueError("a fault of the server")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert "Traceback" in err and "a fault of the server" in err
