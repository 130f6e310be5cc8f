"""Per-host behaviour: rate limits, conditional requests, encodings, slow and broken corners."""

from __future__ import annotations

import re
import time
from email.utils import formatdate
from typing import Any

import pytest

from crawler.fabricate import ENCODINGS, gbk_only_chars
from crawler.simulator.process import SimulatorProcess
from tests.simulator.conftest import CHALLENGES
from tests.simulator.plain import Client, links


def _open_portals(simulator: SimulatorProcess) -> list[dict[str, Any]]:
    return [p for p in simulator.truth["portals"] if p["host_corner"] not in CHALLENGES]


# --- rate limits ------------------------------------------------------------------------------


def test_a_burst_is_refused_with_retry_after_and_counted(
    limited_simulator: SimulatorProcess,
) -> None:
    portal = next(
        p
        for p in limited_simulator.truth["portals"]
        if p["host_corner"] not in CHALLENGES and p["host_corner"] != "slow"
    )
    limited_simulator.reset_stats()
    with Client() as client:
        answers = [client.get(portal["url"]) for _ in range(12)]
    refused = [a for a in answers if a.status in (429, 503)]
    assert len(refused) >= 8
    assert {a.status for a in refused} == {portal["limit_status"]}
    assert all(int(a.header("retry-after")) >= 1 for a in refused)
    host = limited_simulator.stats()["hosts"][portal["ip"]]
    assert host["violations"] == len(refused)
    assert host["requests"] == 12


def test_requests_at_the_allowed_rate_are_all_served(limited_simulator: SimulatorProcess) -> None:
    portal = next(
        p
        for p in limited_simulator.truth["portals"]
        if p["host_corner"] not in CHALLENGES and p["host_corner"] != "slow"
    )
    limited_simulator.reset_stats()
    time.sleep(1.1)  # let the bucket refill after the reset's burst test
    with Client() as client:
        home = client.get(portal["url"])
        urls = [u for u, _ in links(home) if u.startswith(portal["url"].rsplit("/", 1)[0])][:6]
        for url in urls:
            time.sleep(0.5)  # the crawler's default: one request per host every 0.5 s
            assert client.get(url, follow=False).status not in (429, 503)
    stats = limited_simulator.stats()
    assert stats["hosts"][portal["ip"]]["violations"] == 0
    assert stats["busiest"]["requests"] >= len(urls)


def test_static_assets_are_not_limited(
    simulator: SimulatorProcess, limited_simulator: SimulatorProcess
) -> None:
    portal = limited_simulator.truth["portals"][0]
    base = portal["url"].split("/")[2]
    with Client() as client:
        answers = [client.get(f"http://{base}/static/css/common.css") for _ in range(8)]
    assert all(a.status == 200 for a in answers)


# --- conditional requests -------------------------------------------------------------------


def test_caching_hosts_answer_304_and_others_ignore_validators(simulator: SimulatorProcess) -> None:
    seen = set()
    with Client() as client:
        for portal in _open_portals(simulator):
            first = client.get(portal["url"])
            etag, modified = first.header("etag"), first.header("last-modified")
            mode = portal["caching"]
            seen.add(mode)
            assert bool(etag) == (mode in ("etag", "both"))
            assert bool(modified) == (mode in ("last-modified", "both"))
            if etag:
                again = client.get(portal["url"], headers={"If-None-Match": etag})
                assert again.status == 304 and again.body == b""
                other = client.get(portal["url"], headers={"If-None-Match": '"nope"'})
                assert other.status == 200
            if modified:
                again = client.get(portal["url"], headers={"If-Modified-Since": modified})
                assert again.status == 304
                older = client.get(
                    portal["url"], headers={"If-Modified-Since": formatdate(0, usegmt=True)}
                )
                assert older.status == 200
            if mode == "none":
                again = client.get(
                    portal["url"],
                    headers={"If-None-Match": '"x"', "If-Modified-Since": formatdate(usegmt=True)},
                )
                assert again.status == 200 and again.body
    assert seen == {"etag", "last-modified", "both", "none"}
    totals = simulator.stats()["totals"]
    assert totals["not_modified"] >= 2


# --- encodings -------------------------------------------------------------------------------


def test_pages_are_encoded_as_the_portal_claims(simulator: SimulatorProcess) -> None:
    seen = set()
    with Client() as client:
        for portal in _open_portals(simulator):
            style = ENCODINGS[portal["encoding"]]
            seen.add(portal["encoding"])
            page = client.get(portal["url"])
            assert page.header("content-type") == style.header
            head = page.body[:600].decode("ascii", "replace")
            if style.meta:
                assert style.meta in head
            else:
                assert "charset" not in head.lower()
            text = page.body.decode(style.codec)
            assert portal["name"] in text
            if portal["encoding"] == "gb2312-lying":
                assert gbk_only_chars(text)
                with pytest.raises(UnicodeDecodeError):
                    page.body.decode("gb2312")
            if style.codec == "gbk":
                with pytest.raises(UnicodeDecodeError):
                    page.body.decode("utf-8")
    assert len(seen) >= 6


# --- slow, broken and endless corners -----------------------------------------------------------


def _portal(simulator: SimulatorProcess, corner: str) -> dict[str, Any]:
    return next(
        p for p in _open_portals(simulator) if p["host_corner"] == corner or corner in p["corners"]
    )


def test_slow_host_answers_late(simulator: SimulatorProcess) -> None:
    portal = _portal(simulator, "slow")
    with Client() as client:
        started = time.monotonic()
        assert client.get(portal["url"]).status == 200
        assert time.monotonic() - started >= 0.05


def test_redirect_corners(simulator: SimulatorProcess) -> None:
    with Client() as client:
        loop = _portal(simulator, "redirect-loop")
        home = client.get(loop["url"])
        old = next(u for u, t in links(home) if t == "旧版回顾")
        with pytest.raises(RuntimeError, match="too many redirects"):
            client.get(old)
        offsite = _portal(simulator, "redirect-offsite")
        home = client.get(offsite["url"])
        service = next(u for u, t in links(home) if t == "政务服务")
        first = client.get(service, follow=False)
        assert first.status == 302
        target = first.header("location")
        assert target.split("/")[2].split(":")[0] == "127.0.254.2"
        assert client.get(target).status == 200
        moved = _portal(simulator, "moved-column")
        base = "http://" + moved["url"].split("/")[2]
        old_column = client.get(base + "/zfxxgk/nianbao/index.html", follow=False)
        assert old_column.status == 301
        assert client.get(base + old_column.header("location")).status == 200


def test_dead_links_and_flaky_pages(simulator: SimulatorProcess) -> None:
    with Client() as client:
        dead = _portal(simulator, "dead-links")
        home = client.get(dead["url"])
        target = next(u for u, t in links(home) if t == "依申请公开")
        assert client.get(target).status == 404


def test_endless_calendar_and_pagination(simulator: SimulatorProcess) -> None:
    with Client() as client:
        calendar = _portal(simulator, "calendar-trap")
        url = next(u for u, t in links(client.get(calendar["url"])) if t == "活动日历")
        for _ in range(30):
            page = client.get(url)
            assert page.status == 200
            url = next(u for u, t in links(page) if t == "下一月")
        assert "month=2026-07" in url
        trap = _portal(simulator, "pagination-trap")
        assert trap["family"]  # every family pages its trap its own way
        home = client.get(trap["url"])
        platform = client.get(next(u for u, t in links(home) if t == "政务公开"))
        if trap["family"] == "gkmlpt":
            sid = re.search(r"SID:\s*'(\d+)'", platform.text).group(1)  # type: ignore[union-attr]
            cats = re.findall(r"#(\d+)", platform.text)
            totals = [
                client.get(f"{trap['url'].rstrip('/')}/gkmlpt/api/all/{c}?page=5000&sid={sid}")
                for c in cats
            ]
            assert any(b'"total":1000000' in t.body for t in totals)
        else:
            listing = next(u for u, t in links(platform) if t == "信息公开目录")
            assert client.get(listing).status == 200


def test_huge_pages(simulator: SimulatorProcess) -> None:
    portal = _portal(simulator, "huge")
    reports = [r for r in simulator.truth["reports"] if r["portal"] == portal["key"]]
    with Client() as client:
        sizes = [len(client.get(r["page_urls"][0]).body) for r in reports if r["format"] == "html"]
    assert max(sizes) > 5_000_000


def test_head_and_keep_alive(simulator: SimulatorProcess) -> None:
    portal = _open_portals(simulator)[0]
    with Client() as client:
        full = client.get(portal["url"])
        head = client.request(portal["url"], "HEAD")
        assert head.status == 200 and head.body == b""
        assert int(head.header("content-length")) == len(full.body)
        assert full.header("connection") == "keep-alive"
        assert len(client.connections) == 1


def test_unknown_paths_are_404_and_control_lives_on_its_own_host(
    simulator: SimulatorProcess,
) -> None:
    portal = _open_portals(simulator)[0]
    base = "http://" + portal["url"].split("/")[2]
    with Client() as client:
        assert client.get(base + "/no/such/page.html").status == 404
        assert client.get(base + "/__sim/health").status == 404
        health = client.get(simulator.base_url + "/__sim/health")
        assert health.status == 200 and b'"truth": "complete"' in health.body
