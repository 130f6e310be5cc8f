"""Spider fixtures: a simulated landscape covering every family and corner, and a way to
fetch its pages as Scrapy responses (a real HTTP client, no proxy).

``spider_sim``  12 portals + the seed portal, no rate limit, a short delay on the slow host
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy.http import Response
from scrapy.responsetypes import responsetypes

from crawler.simulator.process import SimulatorProcess

SEED = 5
CHALLENGED = ("rs412", "rs412-hard", "jsl521")
_OPENER = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), urllib.request.HTTPRedirectHandler()
)


@pytest.fixture(scope="session")
def spider_sim() -> Iterator[SimulatorProcess]:
    with SimulatorProcess(portals=12, seed=SEED, rate=0, slow_delay=0.05, with_seeds=True) as sim:
        yield sim


def fetch(url: str) -> Response:
    """The page at ``url`` as the Scrapy response a spider callback would get."""
    try:
        with _OPENER.open(url, timeout=60) as answer:
            status, headers, body, final = answer.status, answer.headers, answer.read(), answer.url
    except urllib.error.HTTPError as error:
        status, headers, body, final = error.code, error.headers, error.read(), url
    pairs = {k: v for k, v in headers.items()}
    cls = responsetypes.from_args(headers=pairs, url=final, body=body)
    return cls(url=final, status=status, headers=pairs, body=body)


def portals(sim: SimulatorProcess, family: str | None = None) -> list[dict[str, Any]]:
    """Portals a plain client can enter (no challenge), of one family or all."""
    return [
        p
        for p in sim.truth["portals"]
        if p["host_corner"] not in CHALLENGED
        and not p.get("seed_portal")
        and (family is None or p["family"] == family)
    ]
