"""大汉 Hanweb JCMS: a column page carries its first records as XML inside
``<script type="text/xml">``; further records come only from
``/module/web/jpage/dataproxy.jsp`` (``startrecord``/``endrecord``/``perpage`` with the
column's ``webid``/``columnid``/``unitid``). The 信息公开 module
``xxgkAnnualReport.jsp?area=…&fbtime=YEAR`` is reached through its year links."""

from __future__ import annotations

import math
import re
from typing import Final
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from scrapy.selector import Selector

from spiders.discovery import Entry, Page, links_in
from spiders.families.base import Adapter, ApiPage, Follow

DATAPROXY: Final = "/module/web/jpage/dataproxy.jsp"
# Structure, not names: a footer saying 技术支持：大汉网络 proves nothing.
MARKERS: Final = re.compile(
    r"<datastore>|Produced By 大汉网络|/col/col\d+/index|data-jpage|jpageParams|"
    r"xxgkAnnualReport\.jsp|ZJEG_RSS"
)
RECORD: Final = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
PARAMS: Final = re.compile(
    r"columnid:\s*'?(\d+)'?;\s*unitid:\s*'?(\d+)'?;\s*webid:\s*'?(\d+)'?;\s*perpage:\s*'?(\d+)'?;"
    r"\s*totalRecord:\s*'?(\d+)'?"
)
TOTAL: Final = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")


def records(text: str, base: str) -> list[Entry]:
    """The list entries in a page's (or a dataproxy answer's) XML records."""
    out: list[Entry] = []
    for match in RECORD.finditer(text):
        snippet = match.group(1).replace("]]]]><![CDATA[>", "]]>")
        for link in links_in(Selector(text=f"<html><body>{snippet}</body></html>"), base):
            out.append(Entry(link.url, link.label, link.date))
    return out


def proxy_url(base: str, params: dict[str, str], page_no: int, per: int) -> str:
    start = (page_no - 1) * per + 1
    query: dict[str, str] = {
        "startrecord": str(start),
        "endrecord": str(page_no * per),
        "perpage": str(per),
        "permissiontype": "0",
    }
    for key in ("appid", "webid", "path", "columnid", "unitid"):
        if key in params:
            query[key] = params[key]
    return urljoin(base, DATAPROXY) + "?" + urlencode(query)


class Hanweb(Adapter):
    name = "hanweb"

    def detect(self, page: Page) -> bool:
        return bool(MARKERS.search(page.text))

    def entries(self, page: Page) -> list[Entry]:
        return records(page.text, page.url)

    def next_pages(self, page: Page, page_no: int, annual: bool) -> list[Follow]:
        out: list[Follow] = []
        boxes = page.sel.xpath("//div[@data-jpage or @data-columnid]")
        found: list[tuple[str, str, str, int, int]] = []
        for box in boxes:
            a = box.attrib
            try:
                found.append(
                    (
                        a["data-columnid"],
                        a.get("data-unitid", ""),
                        a["data-webid"],
                        int(a.get("data-perpage") or 15),
                        int(a.get("data-total") or 0),
                    )
                )
            except (KeyError, ValueError):
                continue
        if not found:
            for m in PARAMS.finditer(page.text):
                found.append((m.group(1), m.group(2), m.group(3), int(m.group(4)), int(m.group(5))))
        for columnid, unitid, webid, per, total in found:
            if total <= per:
                continue
            params = {"appid": "1", "webid": webid, "path": "/", "columnid": columnid}
            if unitid:
                params["unitid"] = unitid
            out.append(Follow(proxy_url(page.url, params, 2, per), 2, api=self.name))
        return out

    def parse_api(self, page: Page, page_no: int) -> ApiPage:
        entries = tuple(records(page.text, page.url))
        total_m = TOTAL.search(page.text)
        total = int(total_m.group(1)) if total_m else None
        params = dict(parse_qsl(urlsplit(page.url).query))
        try:
            per = int(params.get("perpage") or 15)
        except ValueError:
            per = 15
        following = None
        if total is not None and entries and page_no < math.ceil(total / per):
            url = proxy_url(page.url, params, page_no + 1, per)
            following = Follow(url, page_no + 1, api=self.name)
        return ApiPage(entries, following, total)
