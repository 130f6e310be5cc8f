"""TRS WCM (拓尔思/海云): pagers written by ``createPageHTML(countPage, currentPage, "index",
"html")`` or an inline ``countPage``/``currentPage`` writer, so list pages ``index_N.html``
appear in no anchor; long articles split the same way over ``t…_1.html``."""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urljoin

from spiders.discovery import Page
from spiders.families.base import Adapter, Follow

MARKERS: Final = re.compile(r"createPageHTML|TRS_Editor|TRS_UEDITOR|TRS WCM|trs_paper")
CALL: Final = re.compile(
    r"createPageHTML\(\s*(\w+)\s*,\s*(\w+)\s*,\s*[\"']([\w.-]+)[\"']\s*,\s*[\"'](\w+)[\"']\s*\)"
)
COUNT: Final = re.compile(r"\bcountPage\s*=\s*(\d+)")
CURRENT: Final = re.compile(r"\bcurrentPage\s*=\s*(\d+)")
INLINE_EXT: Final = re.compile(r"['\"]index_['\"]\s*\+[^;]*?\+\s*['\"]\.(\w+)['\"]")


def _number(token: str, fallback: re.Pattern[str], text: str) -> int | None:
    if token.isdigit():
        return int(token)
    match = fallback.search(text)
    return int(match.group(1)) if match else None


def pager(text: str) -> tuple[int, int, str, str] | None:
    """(page count, current page, file stem, extension) of the page's TRS pager."""
    call = next((m for m in CALL.finditer(text) if "function" not in m.group(0)), None)
    if call is not None:
        count = _number(call.group(1), COUNT, text)
        current = _number(call.group(2), CURRENT, text)
        if count is not None and current is not None:
            return count, current, call.group(3), call.group(4)
    count_m, current_m, ext_m = COUNT.search(text), CURRENT.search(text), INLINE_EXT.search(text)
    if count_m and current_m and ext_m:
        return int(count_m.group(1)), int(current_m.group(1)), "index", ext_m.group(1)
    return None


def page_url(base: str, stem: str, ext: str, n: int) -> str:
    return urljoin(base, f"{stem}.{ext}" if n == 0 else f"{stem}_{n}.{ext}")


class Trs(Adapter):
    name = "trs"

    def detect(self, page: Page) -> bool:
        return bool(MARKERS.search(page.text))

    def next_pages(self, page: Page, page_no: int, annual: bool) -> list[Follow]:
        found = pager(page.text)
        if found is None:
            return []
        count, current, stem, ext = found
        if stem != "index" or current + 1 >= count:
            return []
        return [Follow(page_url(page.url, stem, ext, current + 1), current + 2)]

    def report_parts(self, page: Page) -> list[str]:
        found = pager(page.text)
        if found is None:
            return []
        count, current, stem, ext = found
        if stem == "index" or current != 0:
            return []
        return [page_url(page.url, stem, ext, n) for n in range(1, min(count, 50))]
