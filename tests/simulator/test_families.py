"""Every CMS family, seen by a plain HTTP client: navigation, each family's pagination,
report pages that show the report the truth describes."""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

import lxml.html
import pytest

from crawler.simulator import content
from crawler.simulator.landscape import Landscape
from crawler.simulator.model import FAMILIES, Portal
from crawler.simulator.process import SimulatorProcess
from tests.simulator.conftest import CHALLENGES
from tests.simulator.plain import Client, CrawlResult, Fetched, links, title_of


def portals_of(simulator: SimulatorProcess, family: str) -> list[dict[str, Any]]:
    return [
        p
        for p in simulator.truth["portals"]
        if p["family"] == family and p["host_corner"] not in CHALLENGES and not p["seed_portal"]
    ]


def reports_of(simulator: SimulatorProcess, key: str) -> list[dict[str, Any]]:
    return [r for r in simulator.truth["reports"] if r["portal"] == key]


def model_portal(landscape: Landscape, key: str) -> Portal:
    return next(p for p in landscape.portals if p.key == key)


def text_of(page: Fetched) -> str:
    return lxml.html.fromstring(page.text).text_content()


@pytest.mark.parametrize("family", FAMILIES)
def test_a_plain_crawl_finds_every_reachable_report_and_nothing_else(
    family: str, simulator: SimulatorProcess, crawls: dict[str, CrawlResult]
) -> None:
    for portal in portals_of(simulator, family):
        reachable = {
            u
            for r in reports_of(simulator, portal["key"])
            if r["reachable"]
            for u in r["page_urls"]
        }
        found = crawls[portal["key"]].reports
        assert found == reachable, (
            portal["key"],
            sorted(reachable - found)[:3],
            sorted(found - reachable)[:3],
        )
        assert reachable


@pytest.mark.parametrize("family", FAMILIES)
def test_home_to_platform_to_annual_column(family: str, simulator: SimulatorProcess) -> None:
    with Client() as client:
        for portal in portals_of(simulator, family):
            home = client.get(portal["url"])
            assert home.status == 200
            platform = next(u for u, t in links(home) if t == "政务公开")
            page = client.get(platform)
            assert page.status == 200
            annual = next(u for u, t in links(page) if t == "政府信息公开年报")
            column = client.get(annual.split("#", 1)[0])
            assert column.status == 200
            assert "政府信息公开年报" in title_of(column)


def _detail_checks(client: Client, report: dict[str, Any], landscape: Landscape) -> None:
    portal = model_portal(landscape, report["portal"])
    spec = next(s for s in portal.reports if s.id == report["id"])
    page = client.get(report["page_urls"][0])
    assert page.status == 200
    assert report["title"] in page.text
    if report["format"] == "html":
        body = "".join(
            text_of(client.get(u)) for u in report["page_urls"][:3] if "xxgkAnnualReport" not in u
        )
        display = content.synthetic(spec).display
        shown = [v for k, v in display.items() if v.strip() and v.strip() not in ("0", "０")]
        missing = [v for v in shown if v.replace(" ", "") not in body.replace(" ", "")]
        assert len(missing) <= len(shown) // 10, missing[:5]
    for url in report["attachment_urls"]:
        got = client.get(url)
        assert got.status == 200, url
        magic = {
            "pdf": b"%PDF",
            "docx": b"PK",
            "xlsx": b"PK",
            "doc": b"\xd0\xcf\x11\xe0",
            "wps": b"\xd0\xcf\x11\xe0",
            "jpg": b"\xff\xd8",
        }
        kind = next(k for k in magic if got.header("content-type") == content.ATTACHMENT_MIME[k])
        assert got.body.startswith(magic[kind]), (url, kind)


@pytest.mark.parametrize("family", FAMILIES)
def test_report_pages_show_the_report_of_the_truth(
    family: str, simulator: SimulatorProcess, landscape_model: Landscape
) -> None:
    with Client() as client:
        for portal in portals_of(simulator, family):
            reports = [r for r in reports_of(simulator, portal["key"]) if r["reachable"]]
            by_format: dict[str, dict[str, Any]] = {}
            for report in reports:
                by_format.setdefault(report["format"], report)
            split = [r for r in reports if len(r["page_urls"]) > 1][:1]
            for report in [*by_format.values(), *split]:
                _detail_checks(client, report, landscape_model)


def test_trs_list_pages_are_announced_by_count_page(simulator: SimulatorProcess) -> None:
    with Client() as client:
        for portal in portals_of(simulator, "trs"):
            annual = _annual_url(client, portal)
            first = client.get(annual)
            count = int(re.search(r"countPage\s*=\s*(\d+)", first.text).group(1))  # type: ignore[union-attr]
            assert count > 1
            # Either createPageHTML(countPage, currentPage, "index", "html") or the
            # 信息公开 platform's countnum/currentPage/countPage writer.
            styled = re.search(
                r'createPageHTML\(countPage, currentPage, "index", "(\w+)"\)', first.text
            )
            assert styled or "var countnum=" in first.text
            folder = annual.rsplit("/", 1)[0] + "/"
            ext = styled.group(1) if styled else annual.rsplit(".", 1)[1]
            seen = set()
            for n in range(count):
                page = client.get(folder + ("index." if n == 0 else f"index_{n}.") + ext)
                assert page.status == 200
                assert re.search(rf"var currentPage ?= ?{n}\b", page.text)
                seen |= {u for u, _ in links(page) if re.search(r"/t\d{8}_\d+\.", u)}
            assert client.get(f"{folder}index_{count}.{ext}").status == 404
            expected = {
                u
                for r in reports_of(simulator, portal["key"])
                if r["reachable"]
                for u in r["page_urls"][:1]
            }
            assert expected <= seen | {
                u for r in reports_of(simulator, portal["key"]) for u in r["page_urls"][1:]
            }


def _annual_url(client: Client, portal: dict[str, Any]) -> str:
    home = client.get(portal["url"])
    platform = client.get(next(u for u, t in links(home) if t == "政务公开"))
    annual = next(u for u, t in links(platform) if t == "政府信息公开年报")
    return client.get(annual.split("#", 1)[0]).url


def _records(xml: str) -> list[str]:
    return re.findall(r"<record><!\[CDATA\[<li><a href='([^']+)'", xml)


def test_hanweb_lists_page_one_inline_and_the_rest_only_through_dataproxy(
    simulator: SimulatorProcess, landscape_model: Landscape
) -> None:
    jpage = [
        p
        for p in portals_of(simulator, "hanweb")
        if not model_portal(landscape_model, p["key"]).annual.module
    ]  # type: ignore[union-attr]
    assert jpage
    with Client() as client:
        for portal in jpage:
            annual = _annual_url(client, portal)
            assert re.search(r"/col/col\d+/index\.html$", annual)
            page = client.get(annual)
            inline = _records(page.text)
            params = dict(
                re.findall(
                    r"(\w+):'?(\d+)'?", re.search(r'jpageParams = "([^"]+)"', page.text).group(1)
                )
            )  # type: ignore[union-attr]
            per, total = int(params["perpage"]), int(params["totalRecord"])
            assert len(inline) == per < total
            assert '<script type="text/xml"><datastore><nextgroup>' in page.text
            assert _records(client.get(annual + "?pageNum=2").text) == inline
            form = urllib.parse.urlencode(
                {
                    "col": 1,
                    "appid": 1,
                    "webid": params["webid"],
                    "path": "/",
                    "columnid": params["columnid"],
                    "sourceContentType": 1,
                    "unitid": params["unitid"],
                    "webname": "x",
                    "permissiontype": 0,
                }
            )
            proxy = annual.split("/col/")[0] + "/module/web/jpage/dataproxy.jsp"
            posted = client.request(
                f"{proxy}?startrecord=1&endrecord={total}&perpage={per}",
                "POST",
                form.encode(),
                {"Content-Type": "application/x-www-form-urlencoded", "Referer": annual},
            )
            assert f"<totalrecord>{total}</totalrecord>" in posted.text
            everything = _records(posted.text)
            assert len(everything) == total and everything[:per] == inline
            paged: list[str] = []
            for n in range(1, -(-total // per) + 1):
                got = client.get(
                    f"{proxy}?page={n}&appid=1&webid={params['webid']}&path=/"
                    f"&columnid={params['columnid']}&unitid={params['unitid']}"
                    "&permissiontype=0"
                )
                paged += _records(got.text)
            assert paged == everything
            wrong = client.get(f"{proxy}?page=1&webid=1&columnid={params['columnid']}")
            assert "<totalrecord>0</totalrecord>" in wrong.text


def test_hanweb_annual_report_module_lists_pdf_and_docx(
    simulator: SimulatorProcess, landscape_model: Landscape
) -> None:
    module = [
        p
        for p in portals_of(simulator, "hanweb")
        if model_portal(landscape_model, p["key"]).annual.module
    ]  # type: ignore[union-attr]
    assert module
    with Client() as client:
        for portal in module:
            grid = client.get(_annual_url(client, portal))
            years = [u for u, _ in links(grid) if "xxgkAnnualReport.jsp?area=" in u]
            assert years
            for report in [r for r in reports_of(simulator, portal["key"]) if r["reachable"]][:5]:
                url = report["page_urls"][0]
                assert re.search(
                    r"/module/xxgk/xxgkAnnualReport\.jsp\?area=11\w{16}&fbtime=\d{4}$", url
                )
                assert url in years
                page = client.get(url)
                files = [u for u, _ in links(page) if "downfile.jsp?classid=0&filename=" in u]
                assert {f.rsplit(".", 1)[1] for f in files} == {"pdf", "docx"}
                assert set(files) == set(report["attachment_urls"])
            unknown = client.get(years[0].split("area=")[0] + "area=000&fbtime=2020")
            assert unknown.status == 200 and "暂无信息" in unknown.text


def test_gkmlpt_lists_exist_only_in_the_json_api(simulator: SimulatorProcess) -> None:
    with Client() as client:
        for portal in portals_of(simulator, "gkmlpt"):
            shell = client.get(portal["url"].rstrip("/") + "/gkmlpt/annualreport")
            assert shell.status == 200
            report_urls = {u for r in reports_of(simulator, portal["key"]) for u in r["urls"]}
            assert not {u for u, _ in links(shell)} & report_urls
            assert "post_" not in shell.text
            sid = re.search(r"SID:\s*'(\d+)'", shell.text).group(1)  # type: ignore[union-attr]
            cat = re.search(r"DEFAULT_CAT:\s*'(\d+)'", shell.text).group(1)  # type: ignore[union-attr]
            base = portal["url"].rstrip("/")
            assert client.get(f"{base}/gkmlpt/api/all/{cat}?page=1").status == 403
            urls: list[str] = []
            page = 1
            while True:
                data = json.loads(
                    client.get(f"{base}/gkmlpt/api/all/{cat}?page={page}&sid={sid}").body
                )
                assert set(data) >= {"total", "articles"}
                for article in data["articles"]:
                    assert set(article) >= {
                        "id",
                        "title",
                        "url",
                        "post_url",
                        "publisher",
                        "display_publish_time",
                        "create_time",
                    }
                    urls.append(article["url"])
                if page * data["size"] >= data["total"]:
                    break
                page += 1
            reachable = {
                r["page_urls"][0] for r in reports_of(simulator, portal["key"]) if r["reachable"]
            }
            assert reachable <= set(urls)
            assert all(re.search(r"/gkmlpt/content/\d+/\d+/post_\d+\.html$", u) for u in reachable)


def test_vsb_pages_count_down(simulator: SimulatorProcess) -> None:
    with Client() as client:
        for portal in portals_of(simulator, "vsb"):
            annual = _annual_url(client, portal)
            assert annual.endswith(".htm")
            first = client.get(annual)
            total = int(re.search(r"1/(\d+)&nbsp;", first.text).group(1))  # type: ignore[union-attr]
            nxt = next(u for u, t in links(first) if t == "下页")
            assert nxt == annual[: -len(".htm")] + f"/{total - 1}.htm"
            last = next(u for u, t in links(first) if t == "尾页")
            assert last.endswith("/1.htm")
            assert client.get(last).status == 200
            assert all(
                re.search(r"/info/\d+/\d+\.htm$", r["page_urls"][0])
                for r in reports_of(simulator, portal["key"])
            )


def test_epoint_lists_go_through_ilist_jsp(simulator: SimulatorProcess) -> None:
    with Client() as client:
        for portal in portals_of(simulator, "epoint"):
            annual = _annual_url(client, portal)
            assert "/info/iList.jsp?node_id=" in annual and "cur_page=1" in annual
            page = client.get(annual)
            assert 'class="ewb-list"' in page.text
            second = next(u for u, t in links(page) if t == "下一页")
            assert "cur_page=2" in second
            assert client.get(second).status == 200
            detail = client.get(reports_of(simulator, portal["key"])[0]["page_urls"][0])
            assert 'id="symbol"' in detail.text and "ewb-article-detail" in detail.text


def test_plain_sites_use_their_url_shapes(
    simulator: SimulatorProcess, landscape_model: Landscape
) -> None:
    shapes = {
        0: r"/\d+/\d+(?:/\d+)*/index\.htm$",
        1: r"/[0-9a-f]{24}\.html$",
        2: r"/\d{19}\.html$",
        3: r"/content_\d+$",
        4: r"/columns/[0-9a-f-]{36}/\d{6}/\d{2}/[0-9a-f-]{36}\.html$",
        5: r"/c\d+/\d{6}/c01_\d+\.shtml$",
        6: r"/content_\d+\.html$",
    }
    for portal in portals_of(simulator, "plain"):
        style = model_portal(landscape_model, portal["key"]).style % 7
        for report in reports_of(simulator, portal["key"]):
            assert re.search(shapes[style], report["page_urls"][0]), (style, report["page_urls"])
