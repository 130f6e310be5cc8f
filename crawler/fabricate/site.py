"""What a county portal says about itself in its chrome: names, codes, footer lines."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Final
from urllib.parse import urlsplit

from crawler.fabricate.vocab import PROVINCE_ABBR, phone
from crawler.registry import PortalEntry, county_portals, divisions

# Real central-government sites, for the 国家部委 friend-link block.
MINISTRIES: Final[tuple[tuple[str, str], ...]] = (
    ("中国政府网", "http://www.gov.cn"),
    ("外交部", "http://www.mfa.gov.cn"),
    ("国家发展和改革委员会", "http://www.ndrc.gov.cn"),
    ("教育部", "http://www.moe.gov.cn"),
    ("科学技术部", "http://www.most.gov.cn"),
    ("工业和信息化部", "http://www.miit.gov.cn"),
    ("公安部", "http://www.mps.gov.cn"),
    ("民政部", "http://www.mca.gov.cn"),
    ("司法部", "http://www.moj.gov.cn"),
    ("财政部", "http://www.mof.gov.cn"),
    ("人力资源和社会保障部", "http://www.mohrss.gov.cn"),
    ("自然资源部", "http://www.mnr.gov.cn"),
    ("生态环境部", "http://www.mee.gov.cn"),
)

_COLUMN_PATHS: Final = (
    ("政府信息公开", "{site}政府信息公开平台", "政府信息公开年报"),
    ("信息公开", "政府信息公开年报"),
    ("政务公开", "政府信息公开", "政府信息公开年度报告"),
    ("政府信息公开", "法定主动公开内容", "政府信息公开工作年度报告"),
    ("政府信息公开", "年度报告"),
)
_STREETS: Final = ("人民路", "政府路", "建设路", "府前街", "中山路")
_NAV: Final = ("首页", "政务公开", "政务服务", "互动交流", "走进{short}", "专题专栏")
_TECH: Final = (
    "技术支持：{short}融媒体中心",
    "技术支持：开普云信息科技股份有限公司",
    "技术支持：大汉网络",
    "技术支持：北京拓尔思信息技术股份有限公司",
    "网站制作：{city}网络科技有限公司",
)


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """A county portal's identity as its pages print it."""

    name: str  # 定州市人民政府
    short: str  # 定州市
    domain: str  # www.dzs.gov.cn
    site_id_code: str  # 网站标识码: 6-digit county code + 4 digits
    county_code: str
    province: str
    column_path: tuple[str, ...]  # the breadcrumb below 首页, down to the annual-report column
    nav: tuple[str, ...]
    icp: str  # 冀ICP备05029117号-1
    police: str  # 冀公网安备 13068202000523号
    sponsor: str  # 主办单位
    phone: str
    address: str
    tech_support: str
    conac: str  # the 党政机关 badge id
    friend_links: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]

    @property
    def base_url(self) -> str:
        return f"http://{self.domain}"


@cache
def _portals_by_code() -> dict[str, PortalEntry]:
    return {p.division_code: p for p in county_portals()}


@cache
def _by_city() -> dict[str, list[PortalEntry]]:
    """The registry's county portals by city code (first 4 digits), in registry order."""
    out: dict[str, list[PortalEntry]] = {}
    for p in county_portals():
        out.setdefault(p.division_code[:4], []).append(p)
    return out


@cache
def _neighbours(code: str) -> tuple[tuple[str, str], ...]:
    """The other counties of the same city, for the 各县（市、区）网站 friend links."""
    return tuple(
        (p.name + "人民政府", p.portal_url)
        for p in _by_city().get(code[:4], ())
        if p.division_code != code
    )[:16]


def _portal(county: PortalEntry | str) -> tuple[str, str, str]:
    """(code, name, portal url) of a county, from the registry where it is listed."""
    entry = county if isinstance(county, PortalEntry) else _portals_by_code().get(county)
    if entry is not None:
        return entry.division_code, entry.name, entry.portal_url
    division = divisions().get(county) if isinstance(county, str) else None
    if division is None or division.level != "county":
        raise ValueError(f"not a county division code: {county!r}")
    return division.code, division.name, f"http://www.{division.code}.gov.cn"


def site_info(county: PortalEntry | str, rng: random.Random) -> SiteInfo:
    code, name, url = _portal(county)
    domain = urlsplit(url).hostname or f"www.{code}.gov.cn"
    chain = divisions().ancestors(code)
    province = chain[0].name if chain else ""
    city = chain[1].name if len(chain) > 2 else province
    abbr = PROVINCE_ABBR.get(code[:2], "京")
    neighbours = _neighbours(code)
    friend_links: list[tuple[str, tuple[tuple[str, str], ...]]] = [
        ("国家部委网站", MINISTRIES[: rng.randint(6, len(MINISTRIES))])
    ]
    if neighbours:
        friend_links.append(("各县（市、区）网站", neighbours))
    path = rng.choice(_COLUMN_PATHS)
    return SiteInfo(
        name=f"{name}人民政府",
        short=name,
        domain=domain,
        site_id_code=f"{code}{rng.randint(1, 60):04d}",
        county_code=code,
        province=province,
        column_path=tuple(p.format(site=name) for p in path),
        nav=tuple(n.format(short=name) for n in _NAV),
        icp=f"{abbr}ICP备{rng.randint(5000000, 20999999):08d}号" + rng.choice(("", "-1", "-2")),
        police=f"{abbr}公网安备 {code}{rng.randint(2000000, 2099999):08d}号",
        sponsor=rng.choice((f"{name}人民政府办公室", f"{name}人民政府", f"中共{name}委宣传部")),
        phone=phone(code, rng),
        address=f"{name}{rng.choice(_STREETS)}{rng.randint(1, 300)}号",
        tech_support=rng.choice(_TECH).format(short=name, city=city),
        conac=f"{rng.randrange(10**15, 10**16)}",
        friend_links=tuple(friend_links),
    )
