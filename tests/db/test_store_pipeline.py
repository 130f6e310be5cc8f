"""The store pipeline hands batches to its writer and returns; nothing is lost on the way."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, text

from crawler.items import FetchedDocument, ReportItem
from pipelines.store import StorePipeline
from tests.db.test_store import parsed

DOWN_URL = "postgresql://nobody:secret@127.0.0.1:9/none"


def items(n: int) -> list[ReportItem]:
    out = []
    for i in range(n):
        url = f"http://127.0.0.2:8080/zwgk/zfxxgknb/2021/t2022012{i}_{i}.html"
        page = FetchedDocument(url, url, 200, f"<p>{i}</p>".encode(), "text/html")
        item = ReportItem(url=url, page=page, portal_url="http://127.0.0.2:8080/")
        item.parsed = parsed(i)
        out.append(item)
    return out


def pipeline(database_url: str, spool: Path, **kwargs: Any) -> StorePipeline:
    crawler = get_crawler()
    return StorePipeline(
        crawler,
        database_url=database_url,
        batch_size=kwargs.pop("batch_size", 2),
        flush_seconds=3600.0,
        outage_seconds=300.0,
        spool_dir=spool,
        **kwargs,
    )


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM reports")).scalar_one())


def test_items_do_not_wait_for_a_slow_database(db: Engine, db_url: str, tmp_path: Path) -> None:
    store = pipeline(db_url, tmp_path / "spool", queue_size=2)
    write = store._write

    def slow_write(*args: Any) -> Any:
        time.sleep(0.5)  # a busy database: the real write follows
        return write(*args)

    store._write = slow_write  # type: ignore[method-assign,assignment]

    async def crawl() -> float:
        await store.open_spider()
        started = time.monotonic()
        for item in items(6):  # three batches of two: one written, two queued
            await store.process_item(item)
        handed_over = time.monotonic() - started
        await store.close_spider()
        return handed_over

    handed_over = asyncio.run(crawl())
    assert handed_over < 0.4
    assert count(db) == 6
    assert store.stats.get_value("store/batches") == 3


def test_full_queue_holds_items_back(db: Engine, db_url: str, tmp_path: Path) -> None:
    store = pipeline(db_url, tmp_path / "spool", batch_size=1, queue_size=1)
    write = store._write

    def slow_write(*args: Any) -> Any:
        time.sleep(0.3)
        return write(*args)

    store._write = slow_write  # type: ignore[method-assign,assignment]

    async def crawl() -> float:
        await store.open_spider()
        started = time.monotonic()
        for item in items(4):
            await store.process_item(item)
        waited = time.monotonic() - started
        await store.close_spider()
        return waited

    assert asyncio.run(crawl()) >= 0.3  # bounded: memory does not grow with a slow database
    assert count(db) == 4


def test_outage_spools_and_the_next_run_replays(db: Engine, db_url: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    down = pipeline(DOWN_URL, spool)

    async def crawl(store: StorePipeline, n: int) -> None:
        await store.open_spider()
        for item in items(n):
            await store.process_item(item)
        await store.close_spider()

    asyncio.run(crawl(down, 5))
    assert down.stats.get_value("store/spooled") == 5
    assert count(db) == 0

    up = pipeline(db_url, spool)
    asyncio.run(crawl(up, 0))
    assert up.stats.get_value("store/replayed") == 5
    assert count(db) == 5
    assert not list(spool.glob("*"))
