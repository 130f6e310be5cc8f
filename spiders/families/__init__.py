"""CMS-family adapters for discovery (never per-portal code).

``trs``      TRS WCM: ``countPage``/``createPageHTML`` pagers and split articles
``hanweb``   大汉 JCMS: XML records in a script, ``dataproxy.jsp`` paging, the 年报 module
``gkmlpt``   the 政府信息公开目录平台: its JSON list API (browser only as the fallback)
``vsb``      博达 VSB, ``epoint`` 新点: anchor pagers (generic), recognised for the stats
``plain``    hand-built or unknown: generic discovery alone

:func:`detect` names a page's family; :func:`get` gives the adapter.
"""

from __future__ import annotations

from typing import Final

from spiders.discovery import Page
from spiders.families.base import Adapter, ApiPage, Follow
from spiders.families.epoint import Epoint
from spiders.families.gkmlpt import Gkmlpt
from spiders.families.hanweb import Hanweb
from spiders.families.plain import Plain
from spiders.families.trs import Trs
from spiders.families.vsb import Vsb

# Detection order: the most specific markers first.
ADAPTERS: Final[tuple[Adapter, ...]] = (Gkmlpt(), Hanweb(), Trs(), Epoint(), Vsb())
PLAIN: Final = Plain()
_BY_NAME: Final[dict[str, Adapter]] = {a.name: a for a in (*ADAPTERS, PLAIN)}


def detect(page: Page) -> str | None:
    """The CMS family a page shows, or None when it shows none."""
    for adapter in ADAPTERS:
        if adapter.detect(page):
            return adapter.name
    return None


def get(name: str | None) -> Adapter:
    return _BY_NAME.get(name or "plain", PLAIN)


def all_adapters() -> tuple[Adapter, ...]:
    return ADAPTERS


__all__ = ["ADAPTERS", "Adapter", "ApiPage", "Follow", "all_adapters", "detect", "get"]
