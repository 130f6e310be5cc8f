"""The CMS families a simulated portal can be built with (portals.md §1).

``trs``     TRS WCM: folders, ``index_N.html`` announced by ``countPage``/``createPageHTML``
``hanweb``  大汉 JCMS: ``/col/colN/index.html`` with the list as XML in a script, more
            pages only through ``/module/web/jpage/dataproxy.jsp``; or the
            ``xxgkAnnualReport.jsp`` module
``gkmlpt``  Guangdong 政府信息公开目录平台: the list only from a JSON API, drawn by JavaScript
``vsb``     博达 VSB: ``/info/<colid>/<id>.htm``, pages ``lm/N.htm`` counting down
``epoint``  新点: lists at ``/info/iList.jsp?…&cur_page=N``, static details
``plain``   hand-built sites with the other URL shapes of portals.md
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from crawler.errors import ConfigurationError
from crawler.simulator.families.base import Family

if TYPE_CHECKING:
    from crawler.simulator.landscape import Landscape
    from crawler.simulator.model import Portal


@cache
def _registry() -> dict[str, Family]:
    from crawler.simulator.families.epoint import Epoint
    from crawler.simulator.families.gkmlpt import Gkmlpt
    from crawler.simulator.families.hanweb import Hanweb
    from crawler.simulator.families.plain import Plain
    from crawler.simulator.families.trs import Trs
    from crawler.simulator.families.vsb import Vsb

    return {f.name: f for f in (Trs(), Hanweb(), Gkmlpt(), Vsb(), Epoint(), Plain())}


def get(name: str) -> Family:
    try:
        return _registry()[name]
    except KeyError:
        raise ConfigurationError(f"unknown CMS family: {name}") from None


def link_friends(portal: Portal, landscape: Landscape) -> None:
    """The 各县（市、区）网站 select: up to 8 other portals of the landscape (same city
    first, then the next ones), and a county that is not in it (an unresolvable
    ``.invalid`` host)."""
    portals = [p for p in landscape.portals if not p.is_seed_portal]
    by_city = _by_city(landscape)
    chosen = [p for p in by_city.get(portal.division_code[:4], []) if p is not portal][:8]
    step = 1
    while len(chosen) < 8 and step < len(portals):
        other = portals[(portal.index + step) % len(portals)]
        if other is not portal and other not in chosen:
            chosen.append(other)
        step += 1
    links = [(f"@portal:{p.index}", f"{p.name}人民政府") for p in chosen]
    links.append((f"http://www.{portal.division_code}1.gov.cn.invalid/", "兄弟县人民政府"))
    portal.friend_links = links


_CITY_CACHE: dict[int, dict[str, list[Portal]]] = {}


def _by_city(landscape: Landscape) -> dict[str, list[Portal]]:
    key = id(landscape)
    if key not in _CITY_CACHE:
        _CITY_CACHE.clear()
        groups: dict[str, list[Portal]] = {}
        for p in landscape.portals:
            if not p.is_seed_portal:
                groups.setdefault(p.division_code[:4], []).append(p)
        _CITY_CACHE[key] = groups
    return _CITY_CACHE[key]


__all__ = ["Family", "get", "link_friends"]
