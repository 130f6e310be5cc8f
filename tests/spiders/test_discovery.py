"""Generic discovery and the off-site guard, judged on the simulator's own titles and on
hand-made cases."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.simulator.process import SimulatorProcess
from spiders.discovery import Link, is_annual_column, is_pager, is_platform, is_report_title
from spiders.gov_reports import (
    GovReportsSpider,
    attachment_groups,
    continuation_links,
    disposition_filename,
)
from spiders.guard import OffsiteGuardMiddleware, RedirectLoop, same_site, site_key


def test_every_published_report_title_is_accepted(spider_sim: SimulatorProcess) -> None:
    titles = [r["title"] for r in spider_sim.truth["reports"]]
    rejected = [t for t in titles if not is_report_title(t)]
    assert not rejected, rejected[:5]


def test_every_lookalike_title_is_rejected(spider_sim: SimulatorProcess) -> None:
    decoys = spider_sim.truth["decoys"]
    assert {d["kind"] for d in decoys} >= {"notice", "work-points", "other-annual-report"}
    accepted = [d["title"] for d in decoys if is_report_title(d["title"])]
    assert not accepted, accepted


@pytest.mark.parametrize(
    ("title", "years", "expected"),
    [
        ("凤凰镇人民政府2022年政府信息公开工作年度报告", (), True),
        ("2022年度教育局政府信息公开工作年度报告（图片版）", (), True),
        ("凤凰镇人民政府2022年政府信息公开工作年度报告", (2021,), False),
        ("关于做好2022年度政府信息公开工作年度报告编制发布工作的通知", (), False),
        ("宁晋县2023年政务公开工作要点", (), False),
        ("宁晋县人民政府2022年法治政府建设年度报告", (), False),
        ("政府信息公开年报", (), False),  # the column, not a report
    ],
)
def test_report_titles(title: str, years: tuple[int, ...], expected: bool) -> None:
    assert is_report_title(title, years) is expected


def test_link_roles() -> None:
    base = "http://127.0.1.2:80"
    assert is_annual_column(Link(f"{base}/col/col1/index.html", "政府信息公开年报", ""))
    assert is_annual_column(Link(f"{base}/zwgk/zfxxgknb/", "", ""))
    assert not is_annual_column(Link(f"{base}/a.html", "2022年政府信息公开工作年度报告", ""))
    assert is_platform(Link(f"{base}/zwgk/", "政务公开", ""))
    assert is_platform(Link(f"{base}/xxgk/", "政府信息公开", ""))
    assert not is_platform(Link(f"{base}/zn/", "政府信息公开指南", ""))
    assert not is_platform(Link(f"{base}/yd/", "政务公开工作要点", ""))
    assert is_pager(Link(f"{base}/index_1.html", "下一页", ""))
    assert is_pager(Link(f"{base}/index_2.html", "3", ""))
    assert not is_pager(Link(f"{base}/a.html", "3", "", "2024-01-02"))


def test_same_site() -> None:
    assert site_key("http://xxgk.zd.gov.cn/a") == "zd.gov.cn"
    assert same_site("https://xxgk.zd.gov.cn/nb/", "http://www.zd.gov.cn/")
    assert not same_site("http://www.gov.cn/", "http://www.zd.gov.cn/")
    assert not same_site("http://www.nj.gov.cn/", "http://www.zd.gov.cn/")
    assert same_site("http://127.0.1.2:8731/x", "http://127.0.1.2:8731/")
    assert not same_site("http://127.0.1.3:8731/", "http://127.0.1.2:8731/")
    assert not same_site("http://127.0.254.2:8731/zwfw/", "http://127.0.1.2:8731/")
    assert not same_site("javascript:void(0)", "http://127.0.1.2:8731/")


def _guard() -> tuple[OffsiteGuardMiddleware, MemoryStatsCollector]:
    crawler = get_crawler(GovReportsSpider, {})
    stats = MemoryStatsCollector(crawler)
    return OffsiteGuardMiddleware(stats), stats


def _redirect(request: Request, location: str) -> HtmlResponse:
    return HtmlResponse(request.url, status=302, headers={"Location": location}, request=request)


def test_guard_drops_offsite_requests_and_redirects() -> None:
    guard, stats = _guard()
    portal = "http://127.0.1.2:8731/"
    meta = {"govreports_portal": portal}
    with pytest.raises(IgnoreRequest):
        guard.process_request(Request("http://127.0.1.9:8731/", meta=meta))
    guard.process_request(Request("http://127.0.1.2:8731/zwgk/", meta=meta))
    request = Request("http://127.0.1.2:8731/zwfw/", meta=meta)
    with pytest.raises(IgnoreRequest):
        guard.process_response(request, _redirect(request, "http://127.0.254.2:8731/zwfw/1.html"))
    same = _redirect(request, "/zwgk/nianbao/")
    assert guard.process_response(request, same) is same
    assert stats.get_value("guard/offsite_request") == 1
    assert stats.get_value("guard/offsite_redirect") == 1


def test_guard_stops_redirect_loops() -> None:
    guard, stats = _guard()
    meta = {
        "govreports_portal": "http://127.0.1.2:8731/",
        "redirect_urls": ["http://127.0.1.2:8731/old/"],
    }
    request = Request("http://127.0.1.2:8731/old/index.html", meta=meta)
    with pytest.raises(RedirectLoop):
        guard.process_response(request, _redirect(request, "/old/"))
    assert stats.get_value("guard/redirect_loop") == 1


def test_continuations_and_attachments() -> None:
    page = "http://h:1/zfxxgk/nb/2023/abc.html"
    found = [
        Link("http://h:1/zfxxgk/nb/2023/abc_1.html", "2", ""),
        Link("http://h:1/zfxxgk/nb/2023/abc_2.html", "3", ""),
        Link("http://h:1/zfxxgk/nb/2023/abc_wap.html", "手机版", ""),
        Link("http://h:1/module/download/downfile.jsp?classid=0&filename=aa.pdf", "报告.pdf", ""),
        Link("http://h:1/module/download/downfile.jsp?classid=0&filename=bb.docx", "报告.docx", ""),
        Link("http://h:1/uploadfiles/x.xlsx", "统计表.xlsx", ""),
        Link("http://other:1/y.pdf", "外站.pdf", ""),
    ]
    assert continuation_links(page, found) == [found[0].url, found[1].url]
    groups = attachment_groups(found, "http://h:1/")
    assert groups == ((found[4].url, found[3].url), (found[5].url,))
    assert disposition_filename("attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.doc") == "报告.doc"
    assert disposition_filename('attachment; filename="a.wps"') == "a.wps"
