"""Retry-After is honoured: a host that answers 429 is left alone as long as it asks."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.bench.crawl import run_crawl
from spiders.middlewares import retry_after_seconds

PAGE = b"<html><head><title>Portal</title></head><body><p>Nothing here.</p></body></html>"


class Host(ThreadingHTTPServer):
    """A portal that refuses its first page request with 429 and a Retry-After."""

    def __init__(self, address: str, retry_after: str) -> None:
        self.retry_after = retry_after
        self.hits: list[float] = []
        super().__init__((address, 0), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


class Handler(BaseHTTPRequestHandler):
    server: Host

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.server.hits.append(time.monotonic())
        if len(self.server.hits) == 1:
            self.send_response(429)
            self.send_header("Retry-After", self.server.retry_after)
            body = b"slow down"
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            body = PAGE
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hosts() -> Iterator[tuple[Host, Host]]:
    patient, absent = Host("127.0.0.2", "2"), Host("127.0.0.3", "3600")
    threads = [threading.Thread(target=h.serve_forever, daemon=True) for h in (patient, absent)]
    for thread in threads:
        thread.start()
    try:
        yield patient, absent
    finally:
        for host in (patient, absent):
            host.shutdown()
            host.server_close()


class Sites:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def sites_csv(self) -> Path:
        return self.path


def test_retry_after_holds_the_host_back(
    hosts: tuple[Host, Host], db_url: str, tmp_path: Path
) -> None:
    patient, absent = hosts
    sites = tmp_path / "sites.csv"
    sites.write_text(f"portal_url\n{patient.url}\n{absent.url}\n", encoding="utf-8")
    crawl = run_crawl(
        Sites(sites),
        db_url,
        tmp_path,
        "crawl",
        {"DOWNLOAD_DELAY": 0.05, "GOVREPORTS_BACKOFF_MAX": 60, "GOVREPORTS_PROGRESS_INTERVAL": 1},
    )
    assert crawl.returncode == 0
    # Asked to wait 2 s: the retry came no sooner.
    assert len(patient.hits) == 2
    assert patient.hits[1] - patient.hits[0] >= 2.0
    # Asked to wait an hour (more than the 60 s cap): not asked again at all.
    assert len(absent.hits) == 1
    assert crawl.stat("politeness/retry_after") == 2
    assert crawl.stat("politeness/retry_after_too_long") == 1
    assert crawl.stat("portals/total") == 2
    log = (crawl.log or Path()).read_text(encoding="utf-8")
    assert "portals done" in log


def test_retry_after_values() -> None:
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds("  12 ") == 12.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0


def test_a_broken_page_delays_only_its_own_retry() -> None:
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from spiders.middlewares import NOT_BEFORE, RetryAfterMiddleware

    crawler = get_crawler()
    mw = RetryAfterMiddleware(crawler, base=0.3, cap=60, codes=[500, 503], request_codes=[500])
    broken = Request("http://127.0.0.2/broken.html")
    mw.process_response(broken, HtmlResponse(broken.url, status=500, request=broken))
    assert NOT_BEFORE in broken.meta  # the retry (a copy of it) waits …
    assert crawler.stats.get_value("politeness/backoff_request/500") == 1
    retry = broken.copy()
    started = time.monotonic()
    asyncio.run(mw.process_request(retry))
    assert time.monotonic() - started >= 0.25  # … for its backoff
    assert NOT_BEFORE not in retry.meta
    started = time.monotonic()
    asyncio.run(mw.process_request(Request("http://127.0.0.2/other.html")))
    assert time.monotonic() - started < 0.1  # the host's other pages do not
