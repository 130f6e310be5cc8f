"""A small, fast HTTP/1.1 server on asyncio: one listening socket per host address.

The simulator needs thousands of distinct hosts (one loopback address per portal) and a
few thousand requests per second on two cores, which rules out a framework. This module
parses requests by hand (GET/HEAD/POST with ``Content-Length`` bodies, keep-alive,
pipelining), hands each one to a synchronous ``dispatch`` callable and writes the
:class:`Response` it returns, possibly after a delay (slow hosts). It knows nothing of
portals: the local address a connection arrived on (``Request.host_ip``) tells the
dispatcher which host was asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import parse_qsl

from crawler.errors import SimulatorError

logger = logging.getLogger(__name__)

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 4 * 1024 * 1024
IDLE_TIMEOUT = 75.0

_REASONS: dict[int, str] = {s.value: s.phrase for s in HTTPStatus}
_REASONS.update({521: "Web Server Is Down", 412: "Precondition Failed"})


@dataclass(slots=True)
class Request:
    """One parsed request. Header names are lower-case; repeated headers are joined."""

    method: str
    target: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    host_ip: str
    peer: str = ""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name, default)

    def cookies(self) -> dict[str, str]:
        jar: dict[str, str] = {}
        for part in self.headers.get("cookie", "").split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name:
                jar[name] = value
        return jar

    def args(self) -> dict[str, str]:
        """Query parameters, then (for form POSTs) body parameters, first value wins."""
        out: dict[str, str] = {}
        pairs = parse_qsl(self.query, keep_blank_values=True)
        if self.body and "form-urlencoded" in self.headers.get("content-type", ""):
            pairs += parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        for key, value in pairs:
            out.setdefault(key, value)
        return out


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html"
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds to wait before answering (slow hosts)
    close: bool = False
    later: Awaitable[Response] | None = None  # the real answer, computed elsewhere


Dispatch = Callable[[Request], Response]


class _Clock:
    """The ``Date`` header, formatted once a second."""

    __slots__ = ("_second", "_value")

    def __init__(self) -> None:
        self._second = -1
        self._value = b""

    def date(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._value = formatdate(now, usegmt=True).encode("ascii")
        return self._value


def _head(status: int, response: Response, length: int, keep_alive: bool, date: bytes) -> bytes:
    lines = [
        b"HTTP/1.1 %d %s" % (status, _REASONS.get(status, "Unknown").encode("ascii")),
        b"Date: " + date,
    ]
    if response.content_type:
        lines.append(b"Content-Type: " + response.content_type.encode("latin-1"))
    for name, value in response.headers:
        lines.append(name.encode("latin-1") + b": " + value.encode("latin-1"))
    lines.append(b"Content-Length: %d" % length)
    lines.append(b"Connection: keep-alive" if keep_alive else b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


class HttpProtocol(asyncio.Protocol):
    __slots__ = (
        "_buffer",
        "_busy",
        "_closed",
        "_host_ip",
        "_peer",
        "_server",
        "_transport",
        "last_active",
    )

    def __init__(self, server: HttpServer) -> None:
        self._server = server
        self._buffer = bytearray()
        self._busy = False
        self._closed = False
        self._transport: asyncio.Transport | None = None
        self._host_ip = ""
        self._peer = ""
        self.last_active = time.monotonic()

    # --- asyncio callbacks ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sockname = transport.get_extra_info("sockname")
        peername = transport.get_extra_info("peername")
        self._host_ip = sockname[0] if sockname else ""
        self._peer = peername[0] if peername else ""
        self._server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._server.connections.discard(self)
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self.last_active = time.monotonic()
        self._buffer += data
        if not self._busy:
            self._process()

    # --- requests ------------------------------------------------------------------

    def close(self) -> None:
        if self._transport is not None and not self._closed:
            self._transport.close()

    def _fail(self, status: int) -> None:
        response = Response(status, _REASONS.get(status, "error").encode(), "text/plain")
        self._write(response, status, head_only=False, keep_alive=False)
        self.close()

    def _process(self) -> None:
        while not self._busy and not self._closed:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEADER_BYTES:
                    self._fail(431)
                return
            head = bytes(self._buffer[:end])
            lines = head.split(b"\r\n")
            parts = lines[0].split(b" ")
            if len(parts) != 3:
                self._fail(400)
                return
            method_b, target_b, version_b = parts
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, sep, value = line.partition(b":")
                if not sep:
                    continue
                key = name.strip().lower().decode("latin-1")
                text = value.strip().decode("latin-1")
                if key in headers:
                    text = headers[key] + ("; " if key == "cookie" else ", ") + text
                headers[key] = text
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self._fail(501)
                return
            try:
                length = int(headers.get("content-length", "0") or 0)
            except ValueError:
                self._fail(400)
                return
            if length < 0 or length > MAX_BODY_BYTES:
                self._fail(413)
                return
            total = end + 4 + length
            if len(self._buffer) < total:
                return
            body = bytes(self._buffer[end + 4 : total])
            del self._buffer[:total]
            version = version_b.decode("latin-1")
            connection = headers.get("connection", "").lower()
            keep_alive = (
                "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
            )
            target = target_b.decode("latin-1")
            if target.startswith(("http://", "https://")):
                slash = target.find("/", target.find("//") + 2)
                target = target[slash:] if slash >= 0 else "/"
            path, _, query = target.partition("?")
            path = path.split("#", 1)[0] or "/"
            request = Request(
                method_b.decode("latin-1").upper(),
                target,
                path,
                query,
                headers,
                body,
                self._host_ip,
                self._peer,
            )
            try:
                response = self._server.dispatch(request)
            except Exception:
                logger.exception("simulator: error answering %s %s", request.method, target)
                response = Response(500, b"internal error", "text/plain")
            keep_alive = keep_alive and not response.close
            head_only = request.method == "HEAD"
            if response.later is not None:
                self._busy = True
                task = asyncio.ensure_future(response.later)
                task.add_done_callback(
                    functools.partial(
                        self._deferred,
                        head_only=head_only,
                        keep_alive=keep_alive,
                        delay=response.delay,
                    )
                )
                return
            if response.delay > 0:
                self._busy = True
                loop = asyncio.get_running_loop()
                loop.call_later(response.delay, self._send_later, response, head_only, keep_alive)
                return
            self._write(response, response.status, head_only, keep_alive)
            if not keep_alive:
                self.close()
                return

    def _deferred(
        self, task: asyncio.Future[Response], head_only: bool, keep_alive: bool, delay: float
    ) -> None:
        try:
            response = task.result()
        except Exception:
            logger.exception("simulator: error computing a response")
            response = Response(500, b"internal error", "text/plain")
        if delay > 0:
            asyncio.get_running_loop().call_later(
                delay, self._send_later, response, head_only, keep_alive
            )
        else:
            self._send_later(response, head_only, keep_alive)

    def _send_later(self, response: Response, head_only: bool, keep_alive: bool) -> None:
        self._busy = False
        if self._closed:
            return
        self._write(response, response.status, head_only, keep_alive)
        if not keep_alive:
            self.close()
            return
        if self._buffer:
            self._process()

    def _write(self, response: Response, status: int, head_only: bool, keep_alive: bool) -> None:
        transport = self._transport
        if transport is None or self._closed:
            return
        body = response.body
        head = _head(status, response, len(body), keep_alive, self._server.clock.date())
        if head_only or status == 304 or not body:
            transport.write(head)
        elif len(body) < 16384:
            transport.write(head + body)
        else:
            transport.writelines((head, body))
        self.last_active = time.monotonic()


class HttpServer:
    """Answers with ``dispatch`` on already-bound listening sockets."""

    def __init__(self, dispatch: Dispatch, sockets: Iterable[socket.socket]) -> None:
        self.dispatch = dispatch
        self.clock = _Clock()
        self.connections: set[HttpProtocol] = set()
        self._sockets = list(sockets)
        self._servers: list[asyncio.base_events.Server] = []
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for sock in self._sockets:
            sock.setblocking(False)
            server = await loop.create_server(lambda: HttpProtocol(self), sock=sock)
            self._servers.append(server)
        self._sweeper = asyncio.create_task(self._sweep_idle())

    async def _sweep_idle(self) -> None:
        while True:
            await asyncio.sleep(IDLE_TIMEOUT / 3)
            limit = time.monotonic() - IDLE_TIMEOUT
            for conn in [c for c in self.connections if c.last_active < limit]:
                conn.close()

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        for server in self._servers:
            server.close()
        for conn in list(self.connections):
            conn.close()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()


def raise_nofile_limit(wanted: int) -> None:
    """Raise the soft RLIMIT_NOFILE towards the hard limit so thousands of sockets fit."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted * 2)
    if soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _bind(addresses: list[str], port: int) -> tuple[int, dict[str, socket.socket]]:
    sockets: dict[str, socket.socket] = {}
    try:
        for address in addresses:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets[address] = sock
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
            if port == 0:
                port = sock.getsockname()[1]
            sock.listen(1024)
    except OSError:
        for sock in sockets.values():
            sock.close()
        raise
    return port, sockets


def bind_sockets(
    addresses: Iterable[str], port: int | None, attempts: int = 40
) -> tuple[int, dict[str, socket.socket]]:
    """Listening sockets on ``port`` at every address (or on a port free at all of them)."""
    wanted = list(dict.fromkeys(addresses))
    raise_nofile_limit(len(wanted) + 1024)
    if port:
        try:
            return _bind(wanted, port)
        except OSError as exc:
            raise SimulatorError(f"cannot listen on port {port}: {exc}") from exc
    last: OSError | None = None
    for _ in range(attempts):
        # The kernel picks a port free on the first address; the others may still hold it.
        try:
            return _bind(wanted, 0)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise SimulatorError(f"cannot listen: {exc}") from exc
            last = exc
    raise SimulatorError(f"no port free on all {len(wanted)} addresses: {last}")
