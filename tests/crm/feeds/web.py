"""A real HTTP server on loopback for the feeds' tests, whose answers each test sets (routes), and the fetcher's
bounds the tests use."""

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crm.feeds.fetch import FetchLimits, networks

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Carnet</title></channel></rss>'
LOOPBACK = networks(["127.0.0.0/8", "::1/128"])


def limits(**changes) -> FetchLimits:
    values = {"max_bytes": 1024 * 1024, "timeout": 2.0, "total_seconds": 5.0, "max_redirects": 3}
    return FetchLimits(**({"allowed_networks": LOOPBACK} | values | changes))


Route = Callable[[BaseHTTPRequestHandler], None]


class Server:
    """A threaded HTTP server on 127.0.0.1 whose answers are routes (path → a function writing the answer); it
    keeps the headers of every request it got."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    route(self)

            def log_message(self, *args) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http.server_port}{path}"

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()


def answer(status: int, body: bytes = b"", **headers: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def redirect(status: int, location: str) -> Route:
    return answer(status, Location=location)
