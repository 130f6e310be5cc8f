"""Answering requests: per-host rate limits, statistics, challenges, slow hosts,
conditional requests, and rendered pages cached as bytes.

Order of work for a request to a portal's address:

1. count it; static assets (``/static/…``, challenge scripts, ``/favicon.ico``) are
   exempt from the limit, everything else takes a token from the host's bucket
   (``rate`` per second, ``burst`` at most) or is refused with 429 (or 503) and
   ``Retry-After``, counted as a violation;
2. on a challenge host, a request without the right cookies gets the challenge;
3. the route table (or the family's dynamic endpoints) gives the page, rendered once
   and kept in a byte-bounded LRU;
4. hosts that do caching answer ``If-None-Match`` / ``If-Modified-Since`` with 304;
5. the slow host delays every answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import multiprocessing
import multiprocessing.pool
import time
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Final
from urllib.parse import quote

from crawler.simulator import challenges, content, encoding, families, files
from crawler.simulator.chrome import Site, resolve
from crawler.simulator.control import WorkerControl
from crawler.simulator.families.base import HUGE_MARK, huge_filler_bytes
from crawler.simulator.landscape import OUTSIDE_IP, Landscape
from crawler.simulator.model import Article, Attachment, Column, Portal, Route, route_key
from crawler.simulator.server import Request, Response

STATIC_PREFIXES: Final = ("/static/", "/favicon.ico")
CACHE_BYTES: Final = 512 * 1024 * 1024
_HUGE_MARK: Final = HUGE_MARK.encode("ascii")


@dataclass(slots=True)
class HostStats:
    requests: int = 0
    static: int = 0
    violations: int = 0
    not_modified: int = 0
    challenged: int = 0
    bytes: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    first: float = 0.0
    last: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "static": self.static,
            "violations": self.violations,
            "not_modified": self.not_modified,
            "challenged": self.challenged,
            "bytes": self.bytes,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items()) if v},
            "first": self.first or None,
            "last": self.last or None,
        }


@dataclass(slots=True)
class Bucket:
    rate: float
    burst: float
    tokens: float
    stamp: float

    def take(self, now: float) -> float:
        """0 when a token was taken, else the seconds until one will be there."""
        if self.rate <= 0:
            return 0.0
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


@dataclass(slots=True)
class Cached:
    body: bytes
    content_type: str | None
    headers: list[tuple[str, str]]
    last_modified: dt.datetime | None
    status: int = 200
    _etag: str | None = None

    @property
    def etag(self) -> str:
        """The body's ETag, computed when a host that sends ETags first needs it."""
        if self._etag is None:
            self._etag = _etag(self.body)
        return self._etag


def http_date(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 1, 30, tzinfo=dt.UTC)


class Simulator:
    """Answers for the portals of one worker (``owned`` addresses; all by default)."""

    def __init__(
        self,
        landscape: Landscape,
        cache_bytes: int = CACHE_BYTES,
        owned: set[str] | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self.landscape = landscape
        config = landscape.config
        self.owned = owned if owned is not None else {p.ip for p in landscape.portals}
        self.stats: dict[str, HostStats] = {ip: HostStats() for ip in sorted(self.owned)}
        self.stats.setdefault(OUTSIDE_IP, HostStats())
        now = time.monotonic()
        self.buckets = {
            ip: Bucket(config.rate, config.burst, config.burst, now) for ip in self.stats
        }
        self.sites: dict[str, Site] = {}
        self.cache: OrderedDict[tuple[str, str], Cached] = OrderedDict()
        self.cache_bytes = 0
        self.cache_limit = cache_bytes
        self.flaky_done: set[tuple[str, str]] = set()
        self.files_dir = files_dir
        self.started = time.time()
        self._pool: multiprocessing.pool.Pool | None = None
        self.control = WorkerControl(self)

    def reset_stats(self) -> None:
        now = time.monotonic()
        config = self.landscape.config
        for ip in self.stats:
            self.stats[ip] = HostStats()
            self.buckets[ip] = Bucket(config.rate, config.burst, config.burst, now)

    # --- entry point ---------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        ip = request.host_ip
        portal = self.landscape.by_ip.get(ip)
        if portal is None or ip not in self.owned:
            if ip == OUTSIDE_IP:
                return self._outside(request)
            return Response(404, b"no such host", "text/plain")
        stats = self.stats[ip]
        now = time.time()
        stats.requests += 1
        if not stats.first:
            stats.first = now
        stats.last = now
        static = request.path.startswith(STATIC_PREFIXES) or (
            portal.host_corner in ("rs412", "rs412-hard")
            and request.path == challenges.rs_script_path(portal)
        )
        if static:
            stats.static += 1
            response = self._static(portal, request)
        else:
            wait = self.buckets[ip].take(time.monotonic())
            if wait > 0:
                stats.violations += 1
                response = Response(
                    portal.limit_status,
                    b"<html><body><h1>Too Many Requests</h1></body></html>",
                    "text/html",
                    [("Retry-After", str(max(1, math.ceil(wait))))],
                )
            else:
                challenge = challenges.check(portal, request)
                if challenge is not None:
                    stats.challenged += 1
                    response = challenge
                else:
                    response = self._serve(portal, request)
                if portal.host_corner == "slow":
                    response.delay = self.landscape.config.slow_delay
        stats.statuses[response.status] += 1
        if response.status == 304:
            stats.not_modified += 1
        if request.method != "HEAD":
            stats.bytes += len(response.body)
        response.headers.append(("Server", families.get(portal.family).server_header))
        return response

    # --- portal pages ----------------------------------------------------------------------

    def site(self, portal: Portal) -> Site:
        site = self.sites.get(portal.ip)
        if site is None:
            site = families.get(portal.family).site(portal, self.landscape)
            self.sites[portal.ip] = site
        return site

    def _serve(self, portal: Portal, request: Request) -> Response:
        key = route_key(request.path, request.query)
        route = portal.routes.get(key)
        if route is None and request.query:
            route = portal.routes.get(request.path)
        if key in portal.flaky_paths or request.path in portal.flaky_paths:
            flag = (portal.ip, key)
            if flag not in self.flaky_done:
                self.flaky_done.add(flag)
                return Response(500, b"<h1>500 Internal Server Error</h1>", "text/html")
        if route is not None and route.kind == "redirect":
            status, location = route.target
            return Response(
                status, b"", "text/html", [("Location", resolve(self.landscape, location))]
            )
        cache_key = (
            portal.ip,
            key
            if route is not None
            else f"{request.method if request.method == 'POST' else 'GET'} {key} "
            f"{request.body.decode('latin-1')}",
        )
        cached = self.cache.get(cache_key)
        if cached is None:
            if route is not None and route.kind == "file":
                article, attachment = route.target
                found = self._file(article, attachment)
                if found is None:
                    return Response(
                        0, later=self._render_file(portal, request, cache_key, article, attachment)
                    )
                built: Cached | None = found
            else:
                built = self._build(portal, route, request)
            if built is None:
                return self._not_found(portal)
            cached = built
            if cached.status == 200:
                self._remember(cache_key, cached)
        else:
            self.cache.move_to_end(cache_key)
        return self._answer(portal, request, cached)

    def _answer(self, portal: Portal, request: Request, cached: Cached) -> Response:
        if cached.status == 200 and self._not_modified(portal, request, cached):
            return Response(304, b"", None, self._validators(portal, cached))
        headers = list(cached.headers)
        if cached.status == 200:
            headers += self._validators(portal, cached)
        return Response(cached.status, cached.body, cached.content_type, headers)

    def _build(self, portal: Portal, route: Route | None, request: Request) -> Cached | None:
        family = families.get(portal.family)
        site = self.site(portal)
        if route is None:
            result = family.dynamic(site, request)
            if result is None:
                return None
            modified = None
        else:
            result = family.render(site, route, request)
            modified = self._modified(portal, route)
        if isinstance(result, Response):
            body, ctype = result.body, result.content_type
            if result.status == 200 and ctype == "text/html":
                ctype = "text/html; charset=utf-8"
            return Cached(body, ctype, list(result.headers), modified, result.status)
        body, ctype = encoding.encode(result, portal.encoding)
        if route is not None and route.kind == "article":
            article = route.target
            if article.report is not None:
                mark = content.BODY_MARK.encode()
                if mark in body:
                    spliced = content.body_bytes(
                        article.report, route.page, encoding.codec(portal.encoding)
                    )
                    body = body.replace(mark, spliced, 1)
            if article.huge:
                body = body.replace(_HUGE_MARK, huge_filler_bytes(article.key), 1)
        return Cached(body, ctype, [], modified)

    def _file_headers(
        self, article: Article, attachment: Attachment
    ) -> tuple[str, list[tuple[str, str]]]:
        headers: list[tuple[str, str]] = []
        if "?" in attachment.path or not attachment.path.endswith(attachment.kind):
            headers.append(
                ("Content-Disposition", f"attachment; filename*=UTF-8''{quote(attachment.label)}")
            )
        ctype = content.ATTACHMENT_MIME.get(attachment.kind, "application/octet-stream")
        return ctype, headers

    def _file(self, article: Article, attachment: Attachment) -> Cached | None:
        """The file from the disk cache, or None when it has to be rendered."""
        spec = article.report
        assert spec is not None
        if self.files_dir is None:
            return None
        path = self.files_dir / files.file_key(spec, attachment.kind)
        try:
            body = path.read_bytes()
        except OSError:
            return None
        ctype, headers = self._file_headers(article, attachment)
        return Cached(body, ctype, headers, http_date(article.date))

    async def _render_file(
        self,
        portal: Portal,
        request: Request,
        key: tuple[str, str],
        article: Article,
        attachment: Attachment,
    ) -> Response:
        """Render an attachment in the pool (PDF/DOCX take 0.1–0.5 s), remember it, answer."""
        spec = article.report
        assert spec is not None
        if self._pool is None:
            # A plain multiprocessing pool: terminate() really ends its process when the
            # worker stops (an executor's process would outlive an os._exit).
            from crawler.simulator.run import default_signals

            self._pool = multiprocessing.get_context("fork").Pool(1, initializer=default_signals)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes] = loop.create_future()

        def done(result: bytes) -> None:
            loop.call_soon_threadsafe(_resolve, future, result, None)

        def failed(error: BaseException) -> None:
            loop.call_soon_threadsafe(_resolve, future, None, error)

        self._pool.apply_async(
            files.render_to,
            (spec, attachment.kind, self.files_dir),
            callback=done,
            error_callback=failed,
        )
        body = await future
        ctype, headers = self._file_headers(article, attachment)
        cached = Cached(body, ctype, headers, http_date(article.date))
        self._remember(key, cached)
        response = self._answer(portal, request, cached)
        stats = self.stats[portal.ip]
        stats.statuses[response.status] += 1
        stats.statuses[0] -= 1
        if request.method != "HEAD":
            stats.bytes += len(response.body)
        response.headers.append(("Server", families.get(portal.family).server_header))
        return response

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def _modified(self, portal: Portal, route: Route) -> dt.datetime | None:
        if route.kind == "article":
            article: Article = route.target
            return http_date(article.date)
        if route.kind == "column":
            column: Column = route.target
            dates = [a.date for a in column.articles]
            return http_date(max(dates)) if dates else None
        if route.kind == "home":
            dates = [a.date for a in portal.articles if a.linked]
            return http_date(max(dates)) if dates else None
        return None

    def _remember(self, key: tuple[str, str], cached: Cached) -> None:
        self.cache[key] = cached
        self.cache_bytes += len(cached.body)
        while self.cache_bytes > self.cache_limit and self.cache:
            _, old = self.cache.popitem(last=False)
            self.cache_bytes -= len(old.body)

    def clear_cache(self) -> None:
        self.cache.clear()
        self.cache_bytes = 0

    def _validators(self, portal: Portal, cached: Cached) -> list[tuple[str, str]]:
        out = []
        if portal.caching in ("etag", "both"):
            out.append(("ETag", cached.etag))
        if portal.caching in ("last-modified", "both") and cached.last_modified is not None:
            out.append(("Last-Modified", _http_date_text(cached.last_modified)))
        return out

    def _not_modified(self, portal: Portal, request: Request, cached: Cached) -> bool:
        if request.method not in ("GET", "HEAD"):
            return False
        if portal.caching in ("etag", "both"):
            tags = request.header("if-none-match")
            if tags:
                wanted = {t.strip().removeprefix("W/") for t in tags.split(",")}
                return cached.etag in wanted or "*" in wanted
        if portal.caching in ("last-modified", "both") and cached.last_modified is not None:
            since = request.header("if-modified-since")
            if since:
                try:
                    when = parsedate_to_datetime(since)
                except (TypeError, ValueError):
                    return False
                if when.tzinfo is None:
                    when = when.replace(tzinfo=dt.UTC)
                return cached.last_modified <= when
        return False

    def _static(self, portal: Portal, request: Request) -> Response:
        from crawler.simulator import static

        found = static.asset(portal, request.path)
        if found is None:
            return Response(404, b"", "text/plain")
        body, ctype = found
        return Response(200, body, ctype, [("Cache-Control", "max-age=86400")])

    def _not_found(self, portal: Portal) -> Response:
        body = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title>'
            "</head><body><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>"
            f'<p><a href="{portal.home_path}">返回首页</a></p></body></html>'
        )
        return Response(404, body.encode("utf-8"), "text/html; charset=utf-8")

    def _outside(self, request: Request) -> Response:
        stats = self.stats[OUTSIDE_IP]
        stats.requests += 1
        stats.statuses[200] += 1
        body = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政务服务网</title></head>'
            "<body><h1>政务服务网</h1><p>本站为省级政务服务平台，请选择办事事项。</p>"
            '<ul><li><a href="/zwfw/grbs.html">个人办事</a></li>'
            '<li><a href="/zwfw/frbs.html">法人办事</a></li></ul></body></html>'
        )
        return Response(200, body.encode("utf-8"), "text/html; charset=utf-8")


def _resolve(
    future: asyncio.Future[bytes], result: bytes | None, error: BaseException | None
) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert result is not None
        future.set_result(result)


@lru_cache(maxsize=4096)
def _http_date_text(when: dt.datetime) -> str:
    """``Last-Modified`` text (a few thousand distinct dates: formatted once each)."""
    return format_datetime(when, usegmt=True)


def _etag(body: bytes) -> str:
    return f'"{len(body):x}-{zlib.crc32(body):08x}"'
