"""A local HTTP server for tests that stand in for Azure: ARM (``hlz preflight``, ``hlz audit``)
and the Retail Prices API (``tools/refresh_prices.py``). Nothing leaves 127.0.0.1.

A fake is a ``LocalServer`` whose ``answer`` says what a GET gets; every request is recorded
(``seen``) before it is answered. ``send`` writes the reply; a fake that must misbehave (hold
an answer, trickle it, never end it) overrides it.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: str | bytes = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def payload(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else self.body.encode()


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    query: dict[str, list[str]]
    authorization: str | None

    @property
    def api_version(self) -> str | None:
        return self.query.get("api-version", [None])[0]


class LocalServer:
    """A threaded HTTP server on a free port of 127.0.0.1, used as a context manager."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def paths(self) -> list[str]:
        return [seen.path for seen in self.seen]

    def answer(self, seen: Seen) -> Reply:
        raise NotImplementedError

    def send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        body = reply.payload
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def stopping(self) -> None:
        """Called as the test ends, before the server stops (release held answers)."""

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                url = urlsplit(self.path)
                seen = Seen(url.path, parse_qs(url.query), self.headers.get("Authorization"))
                fake.seen.append(seen)
                reply = fake.answer(seen)
                # The client hanging up is what an oversized or late answer is for.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    fake.send(self, reply)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler

    def __enter__(self) -> Any:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping()
        self._server.shutdown()
        self._server.server_close()
