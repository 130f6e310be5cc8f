"""Close reasons decided by spiders.outcome, on real crawls of a tiny local site.

Each case runs ``scrapy runspider`` in a subprocess (a fresh reactor) with only the
outcome extension: no database, no project settings.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

SPIDER = """
import scrapy
from crawler.items import FetchedDocument, ReportItem

class Probe(scrapy.Spider):
    name = "probe"

    def __init__(self, base, mode, **kw):
        super().__init__(**kw)
        self.base, self.mode = base, mode
        self.portals = [base]

    async def start(self):
        page = "hang" if self.mode == "stall" else "index.html"
        for n in range(4):
            yield scrapy.Request(f"{self.base}/{page}?{n}", callback=self.page)

    def page(self, response):
        if self.mode == "errors":
            raise ValueError("layout changed")
        if self.mode == "reports":
            doc = FetchedDocument(response.url, response.url, 200, response.body)
            yield ReportItem(url=response.url, page=doc)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("site")
    (folder / "index.html").write_text("<html><title>首页</title></html>", encoding="utf-8")

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.startswith("/hang"):  # a server that answers only once the test is over
                released.wait(300)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # crawl gave up
                super().do_GET()

    released = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        released.set()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("mode", "reason", "cause"),
    [
        ("reports", "finished", "4 reports from 1 portals that answered"),
        ("nothing", "no_reports", "1 of 1 portals answered (4 pages fetched) but 0 reports"),
        ("errors", "too_many_errors", "2 unexpected errors (last: ValueError: layout changed"),
        ("down", "portals_unreachable", "none of the 1 portals answered"),
        ("stall", "stalled", "no request came back for "),
    ],
)
def test_close_reason(site: str, tmp_path: Path, mode: str, reason: str, cause: str) -> None:
    (tmp_path / "probe.py").write_text(SPIDER, encoding="utf-8")
    base = "http://127.0.0.1:9" if mode == "down" else site
    settings = {
        "EXTENSIONS": json.dumps({"spiders.outcome.OutcomeExtension": 20}),
        "GOVREPORTS_MAX_ERRORS": "2",
        "RETRY_ENABLED": "False",
        "GOVREPORTS_STALL_TIMEOUT": "2",
        "DOWNLOAD_TIMEOUT": "60",
        "LOG_FILE": str(tmp_path / "crawl.log"),
    }
    argv = [sys.executable, "-m", "scrapy", "runspider", "probe.py", "-a", f"base={base}",
            "-a", f"mode={mode}"]  # fmt: skip
    argv += [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    # The hanging server answers only after the test: a crawl that waited for it would
    # run into the timeout.
    subprocess.run(argv, cwd=tmp_path, env=env, check=True, timeout=120, capture_output=True)
    lines = (tmp_path / "crawl.log").read_text(encoding="utf-8").splitlines()
    closed = [line for line in lines if "probe closed: " in line]
    assert closed, lines[-5:]
    assert f"probe closed: {reason}: {cause}" in closed[-1]
    if mode == "stall":
        assert "while 4 were in flight" in closed[-1]
    assert any(f"Spider closed ({reason})" in line for line in lines)
