"""Test support shared by the MNIST tests: IDX bytes and a local HTTP file server.

Importable from any test because pytest puts ``tests/`` on the path (``pythonpath`` in
pyproject.toml).
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import numpy as np


def idx_bytes(arr: np.ndarray, type_byte: int = 0x08) -> bytes:
    """``arr`` as an IDX file: two zero bytes, the type byte, the number of dimensions,
    each dimension as a big-endian uint32, then the data (cast to uint8 for type 0x08;
    other types are written as given)."""
    header = bytes([0, 0, type_byte, arr.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in arr.shape)
    data = arr.astype(np.uint8) if type_byte == 0x08 else arr
    return header + data.tobytes()


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``routes[path]``; ``/statusNNN/...`` answers HTTP NNN; anything else 404.
    With ``chunk`` set, the body goes out ``chunk`` bytes at a time, ``pause`` s apart."""

    def __init__(self, *args, routes, hits, chunk, pause, **kwargs):
        self.routes, self.hits, self.chunk, self.pause = routes, hits, chunk, pause
        super().__init__(*args, **kwargs)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.hits.append(self.path)
        prefix = self.path.split("/")[1]
        if prefix.startswith("status"):
            self.send_error(int(prefix[len("status"):]))
            return
        body = self.routes.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        step = self.chunk or max(len(body), 1)
        try:
            for i in range(0, len(body), step):
                self.wfile.write(body[i:i + step])
                if self.pause:
                    time.sleep(self.pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cancelled

    def log_message(self, *args):
        pass


@contextmanager
def serve_routes(routes: dict[str, bytes], hits: list[str] | None = None,
                 chunk: int = 0, pause: float = 0.0) -> Iterator[str]:
    """Run a threaded HTTP server on 127.0.0.1 (a free port) serving ``routes``; yields
    its base URL and shuts it down afterwards. ``hits`` collects the requested paths."""
    handler = partial(_Handler, routes=routes, hits=hits if hits is not None else [],
                      chunk=chunk, pause=pause)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
