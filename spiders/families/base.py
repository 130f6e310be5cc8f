"""What a CMS-family adapter can add to generic discovery.

Generic discovery (:mod:`spiders.discovery`) reads anchors. A family adapter knows
where its CMS hides what anchors do not show:

* :meth:`Adapter.entries`: list entries that are not anchors (Hanweb's XML records);
* :meth:`Adapter.next_pages`: further list pages announced only by a script
  (TRS ``countPage``/``createPageHTML``) or an endpoint (Hanweb ``dataproxy.jsp``,
  the gkmlpt JSON API);
* :meth:`Adapter.parse_api`: the entries and the next request of such an endpoint's answer;
* :meth:`Adapter.report_parts`: the further pages of a report split over ``t…_1.html``;
* :meth:`Adapter.script_list`: a list drawn by JavaScript with no endpoint the adapter
  can read (the spider then renders it in Chromium).

Adapters are stateless and pure: a response in, plain frozen values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from spiders.discovery import Entry, Page


@dataclass(frozen=True, slots=True)
class Follow:
    """A further list or API request an adapter asks for.

    ``api`` names the adapter whose :meth:`Adapter.parse_api` reads the answer ("" for
    an HTML list page that the generic page callback reads).
    """

    url: str
    page_no: int  # 1-based position in its pager
    api: str = ""
    method: str = "GET"
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ApiPage:
    """What one answer of a list endpoint holds."""

    entries: tuple[Entry, ...]
    next: Follow | None = None
    total: int | None = None


class Adapter:
    name: ClassVar[str] = "plain"

    def detect(self, page: Page) -> bool:
        """Whether the page comes from this family's CMS."""
        return False

    def entries(self, page: Page) -> list[Entry]:
        return []

    def next_pages(self, page: Page, page_no: int, annual: bool) -> list[Follow]:
        """Further pages of this list (``annual``: the list is the 年报 column or inside it)."""
        return []

    def parse_api(self, page: Page, page_no: int) -> ApiPage:
        return ApiPage(())

    def report_parts(self, page: Page) -> list[str]:
        return []

    def script_list(self, page: Page) -> bool:
        return False
