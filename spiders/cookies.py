"""Scrapy's cookie middleware without its one call to the internet.

Scrapy's ``CookiesMiddleware`` asks ``tldextract`` whether a cookie's domain is a public
suffix, and ``tldextract`` by default downloads the Public Suffix List on first use: a
request to a third-party site at every crawl start, which a crawl (or a test) must not
make. Here the splitter reads the snapshot shipped inside ``tldextract`` instead; the
middleware is otherwise Scrapy's own, installed in its place by ``crawler.settings``.
"""

from __future__ import annotations

import scrapy.downloadermiddlewares.cookies as scrapy_cookies
from tldextract import TLDExtract

scrapy_cookies._split_domain = TLDExtract(  # the one hook Scrapy offers
    cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True, include_psl_private_domains=True
)


class CookiesMiddleware(scrapy_cookies.CookiesMiddleware):
    """Scrapy's cookie handling, with the Public Suffix List read offline."""
