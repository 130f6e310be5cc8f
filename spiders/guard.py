"""The off-site guard: a crawl stays on the portal's own site and its 信息公开 sub-domain.

A portal's *site* is its registrable domain: ``www.zd.gov.cn``, ``xxgk.zd.gov.cn`` and
``zd.gov.cn`` are one site (the 信息公开 platform often lives on a sub-domain), while
``www.gov.cn`` or a neighbouring county's portal are not. A host given as an IP
address is a site of its own (address and port).

:class:`OffsiteGuardMiddleware` (a downloader middleware) enforces it for every request
that names its portal in ``meta["govreports_portal"]``:

* a request off the portal's site is dropped before it leaves (``guard/offsite_request``);
* a redirect whose target is off the site, or that comes back to a URL of its own
  chain (a loop), is recorded (``guard/offsite_redirect``, ``guard/redirect_loop``,
  a warning in the log) and not followed: the request ends in its errback with
  :class:`~scrapy.exceptions.IgnoreRequest`.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Final
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

META_PORTAL: Final = "govreports_portal"
# Second-level labels under which a county registers its own name (zd.gov.cn, zd.com.cn).
_PUBLIC_SECOND: Final = frozenset({"gov", "com", "org", "net", "edu", "ac"})
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})


class OffsiteRedirect(IgnoreRequest):
    """A redirect that would leave the portal's site."""


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already in the request's redirect chain."""


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def site_key(url: str) -> str:
    """The site a URL belongs to: ``www.zd.gov.cn`` and ``xxgk.zd.gov.cn`` → ``zd.gov.cn``;
    an IP address keeps its port (``127.0.1.2:8731``)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return ""
    if _is_ip(host):
        return f"{host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _PUBLIC_SECOND and labels[-1] == "cn" else 2
    return ".".join(labels[-keep:])


def same_site(url: str, portal_url: str) -> bool:
    """Whether ``url`` is on the portal's site (http and https alike)."""
    if urlsplit(url).scheme not in ("http", "https"):
        return False
    key = site_key(url)
    return bool(key) and key == site_key(portal_url)


class OffsiteGuardMiddleware:
    """Drops requests and redirects that leave their portal's site (see the module doc)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteGuardMiddleware:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        portal = request.meta.get(META_PORTAL)
        if portal and not same_site(request.url, portal):
            self.stats.inc_value("guard/offsite_request")
            logger.info("Not leaving %s for %s", portal, request.url)
            raise IgnoreRequest(f"off-site: {request.url}")

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        portal = request.meta.get(META_PORTAL)
        if not portal or response.status not in _REDIRECTS:
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        chain = [*request.meta.get("redirect_urls", ()), request.url]
        if not same_site(target, portal):
            self.stats.inc_value("guard/offsite_redirect")
            logger.warning("Redirect off %s not followed: %s -> %s", portal, request.url, target)
            raise OffsiteRedirect(f"redirect off-site: {request.url} -> {target}")
        if target.split("#")[0] in chain:
            self.stats.inc_value("guard/redirect_loop")
            logger.warning("Redirect loop on %s not followed: %s", portal, " -> ".join(chain))
            raise RedirectLoop(f"redirect loop: {' -> '.join([*chain, target])}")
        return response
