"""Anti-bot hosts and JavaScript lists: what a plain client gets, and what Chromium gets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from crawler.simulator import challenges
from crawler.simulator.process import SimulatorProcess
from tests.simulator.plain import Client, links

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def portal_with(simulator: SimulatorProcess, **wanted: object) -> dict[str, Any]:
    for portal in simulator.truth["portals"]:
        if all(portal[k] == v for k, v in wanted.items()):
            return portal
    raise AssertionError(f"no portal with {wanted}")


def test_412_host_never_lets_a_plain_client_in(simulator: SimulatorProcess) -> None:
    for corner in ("rs412", "rs412-hard"):
        portal = portal_with(simulator, host_corner=corner)
        with Client(cookies=True) as client:
            for _ in range(3):
                page = client.get(portal["url"])
                assert page.status == 412
                assert "$_ts" in page.text and "r='m'" in page.text
                assert re.search(r'<script[^>]+src="/\w+/\w+\.js"', page.text)
            assert challenges.RS_S in client.jar[portal["url"].split("/")[2]]


def test_521_host_takes_two_cookie_rounds(simulator: SimulatorProcess) -> None:
    portal = portal_with(simulator, host_corner="jsl521")
    with Client(cookies=True) as client:
        netloc = portal["url"].split("/")[2]
        first = client.get(portal["url"])
        assert first.status == 521 and challenges.JSL_ID in client.jar[netloc]
        assert "document.cookie=('_')+('_')+('j')" in first.text
        assert client.get(portal["url"]).status == 521  # a client that does not run it
        name, _, value = challenges.solve_jsl_round1(first.text).partition("=")
        client.jar[netloc][name] = value
        second = client.get(portal["url"])
        assert second.status == 521 and "go({" in second.text and '"ha": "sha1"' in second.text
        name, _, value = challenges.solve_jsl_round2(second.text).partition("=")
        client.jar[netloc][name] = value
        third = client.get(portal["url"])
        assert third.status == 200 and "人民政府" in third.text


# --- Chromium -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser: Any, url: str, until: str, timeout: float = 20000) -> Any:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(until, timeout=timeout)
    return context, page


@pytest.mark.browser
def test_chromium_passes_the_412_and_521_challenges(
    simulator: SimulatorProcess, browser: Any
) -> None:
    for corner in ("rs412", "jsl521"):
        portal = portal_with(simulator, host_corner=corner)
        context, page = _open(browser, portal["url"], "document.title.indexOf('人民政府') >= 0")
        assert portal["name"] in page.content()
        names = {c["name"] for c in context.cookies()}
        expected = {challenges.RS_T} if corner == "rs412" else {challenges.JSL_CLEARANCE}
        assert expected <= names
        context.close()


@pytest.mark.browser
def test_chromium_cannot_pass_the_unbeatable_412(simulator: SimulatorProcess, browser: Any) -> None:
    portal = portal_with(simulator, host_corner="rs412-hard")
    context = browser.new_context()
    page = context.new_page()
    page.goto(portal["url"], wait_until="domcontentloaded")
    page.wait_for_timeout(4000)  # three reloads of 0.8 s, then the page is blanked
    assert "人民政府" not in page.content()
    context.close()
    host = simulator.stats()["hosts"][portal["ip"]]
    # Only the challenge script (a static asset) and the favicon ever answer otherwise.
    assert host["statuses"]["412"] >= 3
    assert host["requests"] - host["static"] == host["statuses"]["412"]


@pytest.mark.browser
@pytest.mark.parametrize("corner", [None, "rs412"])
def test_gkmlpt_list_appears_only_in_a_browser(
    simulator: SimulatorProcess, browser: Any, corner: str | None
) -> None:
    portals = [
        p
        for p in simulator.truth["portals"]
        if p["family"] == "gkmlpt"
        and (
            p["host_corner"] == corner
            or (corner is None and p["host_corner"] not in ("rs412", "rs412-hard", "jsl521"))
        )
    ]
    if not portals:
        pytest.skip(f"no gkmlpt portal with {corner}")
    portal = portals[0]
    url = portal["url"].rstrip("/") + "/gkmlpt/annualreport"
    reports = {
        r["page_urls"][0] for r in simulator.truth["reports"] if r["portal"] == portal["key"]
    }
    if corner is None:
        with Client() as client:
            plain = client.get(url)
            assert plain.status == 200 and not {u for u, _ in links(plain)} & reports
    context, page = _open(browser, url, "document.querySelectorAll('#gk-list li a').length > 0")
    decoys = {d["url"] for d in simulator.truth["decoys"] if d["portal"] == portal["key"]}
    shown = page.eval_on_selector_all("#gk-list li a", "els => els.map(e => e.href)")
    assert shown and set(shown) <= reports | decoys
    assert set(shown) & reports
    page.click("#gk-pager a:nth-child(2)")
    page.wait_for_function("document.querySelector('#gk-pager a.active').textContent == '2'")
    second = page.eval_on_selector_all("#gk-list li a", "els => els.map(e => e.href)")
    assert second and not set(second) & set(shown)
    context.close()
