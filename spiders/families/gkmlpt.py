"""Guangdong 政府信息公开目录平台 (gkmlpt): the 信息公开 pages are shells whose script reads
``_CONFIG = {SID: '…', DEFAULT_CAT: '…'}`` and draws the list from
``/gkmlpt/api/all/<catId>?page=N&sid=SID`` (JSON ``{total, articles: [{url, title,
display_publish_time}]}``). The adapter reads that API directly; without it (no SID in
the page) the list is left to the browser."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Final
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from spiders.discovery import ANNUAL_TEXT_RE, Entry, Page, norm
from spiders.families.base import Adapter, ApiPage, Follow

MARKERS: Final = re.compile(r"/gkmlpt/|_CONFIG\s*=|NFCMS|gkmlpt", re.I)
CONFIG_VALUE: Final = r"\b{key}\s*:\s*['\"]?([\w-]+)['\"]?"
API_PATH: Final = "/gkmlpt/api/all/{cat}"
_CHINA: Final = dt.timezone(dt.timedelta(hours=8))


def config(text: str, key: str) -> str | None:
    match = re.search(CONFIG_VALUE.format(key=key), text)
    return match.group(1) if match else None


def api_url(base: str, cat: str, page_no: int, sid: str) -> str:
    path = API_PATH.format(cat=cat)
    return urljoin(base, path) + "?" + urlencode({"page": page_no, "sid": sid})


def _date(stamp: object) -> str | None:
    if isinstance(stamp, int | float) and stamp > 0:
        return dt.datetime.fromtimestamp(stamp, _CHINA).date().isoformat()
    if isinstance(stamp, str) and re.match(r"\d{4}-\d{2}-\d{2}", stamp):
        return stamp[:10]
    return None


class Gkmlpt(Adapter):
    name = "gkmlpt"

    def detect(self, page: Page) -> bool:
        return bool(MARKERS.search(page.text))

    def script_list(self, page: Page) -> bool:
        """A shell: an empty list box the platform script fills."""
        return bool(page.sel.xpath("//*[@id='gk-list' and not(.//a)]")) or (
            "_CONFIG" in page.text and not page.sel.xpath("//ul[contains(@class,'list')]//a")
        )

    def next_pages(self, page: Page, page_no: int, annual: bool) -> list[Follow]:
        sid = config(page.text, "SID")
        if not sid:
            return []
        cats: list[str] = []
        default = config(page.text, "DEFAULT_CAT")
        if annual and default:
            cats.append(default)
        for tab in page.sel.xpath("//a[starts-with(@href,'#')]"):
            name = norm(" ".join(tab.xpath(".//text()").getall()))
            cat = (tab.attrib.get("href") or "#")[1:]
            if cat.isdigit() and ANNUAL_TEXT_RE.search(name) and cat not in cats:
                cats.append(cat)
        return [Follow(api_url(page.url, cat, 1, sid), 1, api=self.name) for cat in cats]

    def parse_api(self, page: Page, page_no: int) -> ApiPage:
        try:
            data = json.loads(page.text)
        except ValueError:
            return ApiPage(())
        if not isinstance(data, dict):
            return ApiPage(())
        entries: list[Entry] = []
        for item in data.get("articles") or ():
            if not isinstance(item, dict):
                continue
            href = item.get("url") or item.get("post_url")
            title = norm(str(item.get("title") or ""))
            if isinstance(href, str) and href and title:
                date = _date(item.get("display_publish_time") or item.get("publish_time"))
                entries.append(Entry(urljoin(page.url, href), title, date))
        total = data.get("total")
        size = data.get("size") or len(entries) or 10
        following = None
        if isinstance(total, int) and entries and page_no < math.ceil(total / size):
            parts = urlsplit(page.url)
            query = dict(parse_qsl(parts.query))
            query["page"] = str(page_no + 1)
            url = parts._replace(query=urlencode(query)).geturl()
            following = Follow(url, page_no + 1, api=self.name)
        return ApiPage(tuple(entries), following, total if isinstance(total, int) else None)
