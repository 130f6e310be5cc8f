"""The portal window: a portal's home page waits while the window is full."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.utils.test import get_crawler

from spiders.middlewares import HOME, KIND, PortalWindowMiddleware


class FakeProgress:
    def __init__(self) -> None:
        self.busy = 0

    def active(self) -> int:
        return self.busy


def _window(limit: int) -> tuple[PortalWindowMiddleware, FakeProgress]:
    crawler = get_crawler(settings_dict={"GOVREPORTS_MAX_ACTIVE_PORTALS": limit})
    window = PortalWindowMiddleware.from_crawler(crawler)
    progress = FakeProgress()
    window.progress = progress  # type: ignore[assignment]
    window._idle = lambda: False  # type: ignore[method-assign]
    window.POLL_SECONDS = 0.01
    return window, progress


async def _start() -> AsyncIterator[Any]:
    for n in range(3):
        yield Request(f"http://127.0.1.{n + 2}/", meta={KIND: HOME})
    yield Request("http://127.0.1.2/robots.txt", meta={KIND: "asset"})


def test_home_pages_wait_for_room() -> None:
    async def run() -> list[str]:
        window, progress = _window(2)
        got: list[str] = []
        start = window.process_start(_start())
        for _ in range(2):
            request = await anext(start)
            got.append(request.url)
            progress.busy += 1  # the engine scheduled it: the portal is active
        third = asyncio.ensure_future(anext(start))
        await asyncio.sleep(0.1)
        assert not third.done()  # two portals active: the third waits
        progress.busy -= 1  # one portal done
        got.append((await asyncio.wait_for(third, 5)).url)
        got.append((await anext(start)).url)  # not a home page: never held
        return got

    assert asyncio.run(run()) == [
        "http://127.0.1.2/",
        "http://127.0.1.3/",
        "http://127.0.1.4/",
        "http://127.0.1.2/robots.txt",
    ]


def test_nothing_in_flight_lets_the_next_portal_start() -> None:
    async def run() -> str:
        window, progress = _window(1)
        progress.busy = 5  # a count that never came down …
        window._idle = lambda: True  # type: ignore[method-assign]
        return str((await asyncio.wait_for(anext(window.process_start(_start())), 5)).url)

    assert asyncio.run(run()) == "http://127.0.1.2/"


def test_switched_off() -> None:
    import pytest
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        _window(0)


def test_without_the_progress_extension_never_full() -> None:
    crawler = get_crawler(settings_dict={"GOVREPORTS_MAX_ACTIVE_PORTALS": 1})
    window = PortalWindowMiddleware.from_crawler(crawler)
    assert not window.full()
