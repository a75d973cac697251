"""A local HTTP server for the web tests: 127.0.0.1 only, a route table, every request logged.

A route answers with a fixed response, a list of responses served in turn (the last one
repeats), or a function of the request. `Site.log` holds (method, path, headers) of every
request; `Site.peak` the most requests in flight at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunked_bytes: int = 0  # stream this many bytes, chunked, without Content-Length
    etag: str | None = None  # answer If-None-Match with 304


Route = Reply | list[Reply] | Callable[[BaseHTTPRequestHandler], Reply]


class Site:
    def __init__(self, latency: float = 0.0) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, str, dict[str, str]]] = []
        self.stamps: list[float] = []  # time.monotonic() of each logged request
        self.latency = latency
        self.active = 0
        self.peak = 0
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self._served: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between writes

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                site._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [p for _, p, _ in self.log]

    def route(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def page(self, path: str, html: str, **headers: str) -> None:
        self.routes[path] = Reply(body=html.encode("utf-8"), headers={
            "Content-Type": "text/html; charset=utf-8", **headers})

    def _pick(self, handler: BaseHTTPRequestHandler) -> Reply:
        route = self.routes.get(handler.path)
        if route is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        if callable(route):
            return route(handler)
        if isinstance(route, list):
            with self._lock:
                n = self._served.get(handler.path, 0)
                self._served[handler.path] = n + 1
            return route[min(n, len(route) - 1)]
        return route

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.log.append(("GET", handler.path, dict(handler.headers.items())))
            self.stamps.append(time.monotonic())
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            reply = self._pick(handler)
            time.sleep(self.latency + reply.delay)
            if reply.etag and handler.headers.get("If-None-Match") == reply.etag:
                handler.send_response(304)
                handler.send_header("ETag", reply.etag)
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            if reply.etag:
                handler.send_header("ETag", reply.etag)
            if reply.chunked_bytes:  # a big body, streamed (chunked unless a length is set)
                chunked = "Content-Length" not in reply.headers
                if chunked:
                    handler.send_header("Transfer-Encoding", "chunked")
                handler.end_headers()
                chunk = b"<p>" + b"x" * 65_530 + b"</p>"
                sent = 0
                while sent < reply.chunked_bytes:
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked
                                        else chunk)
                    sent += len(chunk)
                    with self._lock:
                        self.bytes_sent += len(chunk)
                if chunked:
                    handler.wfile.write(b"0\r\n\r\n")
                return
            if "Content-Length" not in reply.headers:
                handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            handler.wfile.write(reply.body)
            with self._lock:
                self.bytes_sent += len(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self.active -= 1

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def article_html(title: str, body: str, *, date: str | None = None,
                 author: str | None = None, charset: str = "utf-8") -> str:
    meta = f'<meta name="author" content="{author}">' if author else ""
    if date:
        meta += f'<meta property="article:published_time" content="{date}">'
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (f'<!doctype html><html><head><meta charset="{charset}"><title>{title}</title>'
            f"{meta}</head><body><nav><a href='/'>Home</a> Markets fall 3.2%</nav>"
            f"<article><h1>{title}</h1>{paras}</article><footer>All rights reserved"
            "</footer></body></html>")
