"""The spider's requests: the meta the ops side relies on, and a trip through a disk queue."""

from __future__ import annotations

import pickle
from pathlib import Path

from scrapy import Request
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler
from scrapy_playwright.page import PageMethod

from spiders.discovery import Entry
from spiders.gov_reports import Doc, GovReportsSpider, Pending, PortalRef


def spider(tmp_path: Path) -> GovReportsSpider:
    sites = tmp_path / "sites.csv"
    sites.write_text("portal_url,name,division_code\nhttp://127.0.1.2:1/,甲县,130528\n")
    crawler = get_crawler(GovReportsSpider, {})
    made: GovReportsSpider = GovReportsSpider.from_crawler(crawler, sites=str(sites))
    return made


def roundtrip(request: Request, owner: GovReportsSpider) -> Request:
    data = pickle.loads(pickle.dumps(request.to_dict(spider=owner), protocol=4))
    return request_from_dict(data, spider=owner)


def test_report_request_meta_and_disk_queue(tmp_path: Path) -> None:
    owner = spider(tmp_path)
    portal = PortalRef("http://127.0.1.2:1/", "甲县", "130528", "trs")
    request = owner._report(Entry("http://127.0.1.2:1/a.html", "2022年报告", "2023-01-05"), portal)
    assert request.meta["govreports_kind"] == "report"
    assert request.meta["govreports_portal"] == portal.url
    assert request.meta["govreports_family"] == "trs"
    assert request.meta["govreports_listing"] == "2022年报告|2023-01-05"
    again = roundtrip(request, owner)
    assert again.callback == owner.parse_page and again.cb_kwargs == request.cb_kwargs


def test_attachment_and_browser_requests_survive_a_disk_queue(tmp_path: Path) -> None:
    owner = spider(tmp_path)
    portal = PortalRef("http://127.0.1.2:1/")
    pending = Pending("http://127.0.1.2:1/a.html", Doc("u", "u", 200, b"<html/>"), listing="x")
    request = owner._request(
        "http://127.0.1.2:1/f.pdf",
        portal,
        "attachment",
        owner.parse_file,
        {"pending": pending},
        errback=owner.file_failed,
        listing=pending.listing,
        browser=[PageMethod("wait_for_function", "() => true", timeout=1000)],
    )
    again = roundtrip(request, owner)
    assert again.cb_kwargs["pending"] == pending
    assert again.errback == owner.file_failed
    assert again.meta["govreports_listing"] == "x" and again.meta["playwright"]
