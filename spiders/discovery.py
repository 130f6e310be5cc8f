"""Generic discovery: which links on a portal page lead to annual reports.

Links are judged by their text and URL shape, never by per-portal rules: report
titles (``2022年政府信息公开工作年度报告``), and navigation towards them (政府信息公开
→ 政府信息公开年报 → year / unit columns → list pages and their pagination).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response

REPORT_TITLE = re.compile(r"(?:(\d{4})年度?)?.{0,40}?政府信息公开(?:工作)?年度?报告")
NOT_REPORT = re.compile(r"通知|要点|工作方案|法治政府|统计公报|决算|预算|征求意见")
NAV_TEXT = re.compile(
    r"信息公开|政务公开|年报|年度报告|公开目录|法定主动公开|(?:19|20)\d{2}年?$|乡镇|街道|部门|下一页|下页|尾页|\d+"
)
NAV_HREF = re.compile(
    r"xxgk|zfxxgk|gknb|xxgknb|ndbg|zwgk|nianbao|index_\d+|/col/col\d+|/\d{4}/?$", re.I
)
SKIP_HREF = re.compile(
    r"^(?:javascript:|mailto:|tel:|#)|\.(?:jpg|jpeg|png|gif|css|js|zip|rar|mp4)(?:$|\?)", re.I
)


@dataclass(frozen=True, slots=True)
class Portal:
    url: str
    name: str | None = None
    division_code: str | None = None


@dataclass(slots=True)
class Links:
    reports: list[tuple[str, str]] = field(default_factory=list)
    navigation: list[str] = field(default_factory=list)


def site_key(url: str) -> str:
    """The registrable part of a host: ``www.zd.gov.cn`` and ``xxgk.zd.gov.cn`` → ``zd.gov.cn``.

    IP addresses and single-label hosts are their own site.
    """
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host or re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host):
        return host
    labels = host.split(".")
    keep = (
        3
        if len(labels) >= 3
        and labels[-2] in {"gov", "com", "org", "net", "edu", "ac"}
        and labels[-1] == "cn"
        else 2
    )
    return ".".join(labels[-keep:])


def same_site(url: str, portal_url: str) -> bool:
    return site_key(url) == site_key(portal_url)


def is_report_title(text: str, years: Collection[int] = ()) -> bool:
    match = REPORT_TITLE.search(text)
    if not match or NOT_REPORT.search(text):
        return False
    return not (years and match.group(1) and int(match.group(1)) not in years)


def classify_links(response: Response, portal: Portal, years: Collection[int] = ()) -> Links:
    links = Links()
    seen: set[str] = set()
    for anchor in response.css("a[href]"):
        href = (anchor.attrib.get("href") or "").strip()
        if not href or SKIP_HREF.search(href):
            continue
        url = urljoin(response.url, href)
        if url in seen or not same_site(url, portal.url):
            continue
        seen.add(url)
        text = " ".join(anchor.css("::text").getall()).strip() or anchor.attrib.get("title", "")
        title = anchor.attrib.get("title") or text
        if is_report_title(title, years):
            links.reports.append((url, title))
        elif NAV_TEXT.search(text) or NAV_HREF.search(href):
            links.navigation.append(url)
    return links
