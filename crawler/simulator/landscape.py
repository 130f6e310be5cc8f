"""The simulated landscape: which portals exist, what they publish and where.

Everything is decided here, deterministically from the seed, before any page is
rendered: the counties (real ones, from the bundled registry), their units (real
townships), which reports each unit published, each portal's CMS family,
encoding, caching behaviour and hostile corners, and the columns and articles the
family then gives URLs to. Report *content* (cells, prose) is not generated here:
:mod:`crawler.simulator.content` derives it from each report's own seed when a
page or the truth needs it.

How features are spread: portals come in blocks (6 for families, 8 for encodings,
4 for caching, 12 for host corners, 8 for local corners, 3 for nestings); inside each
block a seeded permutation hands out every value once, so any landscape of at least 12
portals shows every family, encoding, caching style and corner, and larger ones show
each many times. The three challenge hosts fall
among the first six portals of each block of 12 (six different families), so every
family keeps a portal a plain client can crawl. Family sub-styles (Hanweb's jpage lists
or xxgkAnnualReport module, the plain sites' seven URL shapes) go by the portal's
ordinal within its family.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Final, TypeVar

from crawler.cells import Template
from crawler.errors import ConfigurationError
from crawler.fabricate.report import choose_template
from crawler.fabricate.style import TITLE_PATTERNS
from crawler.fabricate.units import Unit as FabUnit
from crawler.fabricate.units import county_units, township_organ
from crawler.registry import PortalEntry, county_portals, divisions
from crawler.simulator import content
from crawler.simulator.model import (
    CACHING,
    ENCODINGS,
    FAMILIES,
    HOST_CORNERS,
    LOCAL_CORNERS,
    Article,
    Column,
    DecoyKind,
    Format,
    Portal,
    ReportSpec,
    Unit,
)

YEARS: Final[tuple[int, ...]] = (2019, 2020, 2021, 2022, 2023, 2024)
FIRST_IP: Final = (127, 0, 1, 2)
OUTSIDE_IP: Final = "127.0.254.2"  # "another site": off-site redirects land here
SEED_PORTAL_NAME: Final = "样本报告"

# Department folder names, as TRS/VSB sites abbreviate them.
_DEPT_SLUGS: Final[dict[str, str]] = {
    "人民政府办公室": "zfb",
    "发展和改革局": "fgj",
    "教育局": "jyj",
    "科学技术局": "kjj",
    "工业和信息化局": "gxj",
    "公安局": "gaj",
    "民政局": "mzj",
    "司法局": "sfj",
    "财政局": "czj",
    "人力资源和社会保障局": "rsj",
    "自然资源局": "zrzyj",
    "住房和城乡建设局": "zjj",
    "交通运输局": "jtysj",
    "水利局": "slj",
    "农业农村局": "nyncj",
    "商务局": "swj",
    "文化广电和旅游局": "wglj",
    "卫生健康局": "wjj",
    "退役军人事务局": "tyjrswj",
    "应急管理局": "yjglj",
    "审计局": "sjj",
    "市场监督管理局": "scjgj",
    "统计局": "tjj",
    "医疗保障局": "ybj",
    "林业局": "lyj",
    "行政审批局": "xzspj",
    "城市管理综合行政执法局": "cgj",
    "信访局": "xfj",
    "生态环境分局": "sthjj",
    "卫生健康委员会": "wjw",
    "住房和城乡建设委员会": "zjw",
}

_NEWS_TITLES: Final[tuple[str, ...]] = (
    "{county}召开{year}年度经济工作会议",
    "{county}开展安全生产大检查专项行动",
    "{county}举行重点项目集中开工仪式",
    "{county}部署森林防灭火工作",
    "{county}召开优化营商环境工作推进会",
    "{county}开展“我为群众办实事”实践活动",
    "{county}召开全县政务公开工作培训会",
    "{county}举办乡村振兴专题培训班",
    "{county}召开防汛抗旱工作会议",
    "{county}开展文明城市创建志愿服务活动",
    "{county}召开县政府第{n}次常务会议",
    "{county}扎实推进农村人居环境整治",
    "{county}召开民生实事项目推进会",
    "{county}举办招商引资项目签约仪式",
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Config:
    """What ``govreports simulate`` was asked for."""

    seed: int = 1
    portals: int = 12
    rate: float = 2.0  # requests per second per host
    burst: float = 2.0  # token-bucket size per host
    with_seeds: bool = False
    slow_delay: float = 1.0  # seconds, on the slow host
    years: tuple[int, ...] = YEARS


# --- small deterministic helpers ---------------------------------------------------------


def rng_for(*parts: object) -> random.Random:
    """A Random seeded from the parts' text (stable across runs and PYTHONHASHSEED)."""
    return random.Random(":".join(str(p) for p in parts))


def stable_int(*parts: object, digits: int = 8) -> int:
    h = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=8).digest()
    value: int = int.from_bytes(h, "big") % (10**digits)
    return value


def ip_for(index: int) -> str:
    """Portal ``index`` (0-based) → 127.0.1.2, 127.0.1.3, … skipping .0, .1 and .255."""
    per = 253  # last octets 2..254
    third, last = divmod(index, per)
    a, b, c, d = FIRST_IP
    c += third
    if c > 253:
        raise ConfigurationError("too many portals for the loopback plan")
    return f"{a}.{b}.{c}.{d + last}"


_CHALLENGES: Final = ("rs412", "rs412-hard", "jsl521")


def _host_corners(rng: random.Random, n: int) -> list[str | None]:
    """Host corners in blocks of 12: the three challenges among the first six portals
    (six different families, see :func:`_spread`), the four other corners among the next
    six, so every family keeps a portal a plain client can crawl."""
    others = [c for c in HOST_CORNERS if c not in _CHALLENGES]
    out: list[str | None] = []
    while len(out) < n:
        first: list[str | None] = [*_CHALLENGES, None, None, None]
        rest: list[str | None] = [*others, None, None]
        rng.shuffle(first)
        rng.shuffle(rest)
        out.extend(first + rest)
    return out[:n]


def _spread(rng: random.Random, values: Sequence[T], n: int) -> list[T]:
    """``n`` values, each block of len(values) a permutation of all of them."""
    out: list[T] = []
    while len(out) < n:
        block = list(values)
        rng.shuffle(block)
        out.extend(block)
    return out[:n]


_CREDIT_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(division_code: str, *parts: object) -> str:
    """A well-formed 统一社会信用代码 for a government organ (11 + division + org code)."""
    n = stable_int(division_code, *parts, digits=8)
    body8 = f"{n:08d}"
    check = 11 - sum(int(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True)) % 11
    org = body8 + ("X" if check == 10 else "0" if check == 11 else str(check))
    partial = "11" + division_code[:6] + org
    total = sum(
        _CREDIT_ALPHABET.index(c) * w for c, w in zip(partial, _CREDIT_WEIGHTS, strict=True)
    )
    return partial + _CREDIT_ALPHABET[(31 - total % 31) % 31]


# --- the landscape ---------------------------------------------------------------------


@dataclass(slots=True)
class Landscape:
    config: Config
    portals: list[Portal]
    port: int = 0
    control_host: str = "127.0.0.1"
    mutations: int = 0
    by_ip: dict[str, Portal] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.by_ip = {p.ip: p for p in self.portals}

    def set_port(self, port: int, control_host: str) -> None:
        self.port = port
        self.control_host = control_host
        for portal in self.portals:
            portal.port = port

    def reports(self) -> Iterator[tuple[Portal, Article]]:
        for portal in self.portals:
            for article in portal.articles:
                if article.kind == "report":
                    yield portal, article

    @property
    def outside_url(self) -> str:
        return f"http://{OUTSIDE_IP}:{self.port}"


def _choose_counties(rng: random.Random, n: int) -> list[PortalEntry]:
    registry = divisions()
    candidates = [p for p in county_portals() if registry.townships(p.division_code)]
    if n > len(candidates):
        raise ConfigurationError(f"at most {len(candidates)} portals (asked for {n})")
    return rng.sample(candidates, n)


def _unit_slug(unit: FabUnit, kind: str) -> str:
    if kind == "gov":
        return "xzf"
    if kind == "township":
        return "xz" + unit.division_code[-3:]
    dept = unit.short_name
    return _DEPT_SLUGS.get(dept, "bm" + str(stable_int(dept, digits=3)))


def _make_units(seed: int, entry: PortalEntry) -> list[Unit]:
    rng = rng_for(seed, entry.division_code, "units")
    n_departments = rng.choice((3, 4, 4, 5, 6))
    units: list[Unit] = []
    for source in county_units(entry.division_code, rng, departments=n_departments):
        if source.level == "county":
            kind, key = "gov", "gov"
        elif source.level == "township":
            kind, key = "township", f"town:{source.division_code}"
        elif source.short_name == "人民政府办公室":
            kind, key = "office", "office"
        else:
            kind, key = "dept", f"dept:{_unit_slug(source, 'dept')}"
        level = "department" if kind in ("office", "dept") else source.level
        short = {
            "gov": "县政府" if entry.name.endswith("县") else entry.name + "政府",
            "office": "政府办公室",
        }.get(kind, source.short_name)
        units.append(
            Unit(
                key=key,
                kind=kind,  # type: ignore[arg-type]
                organ=source.name,
                short=short,
                level=level,
                division_code=source.division_code,
                credit_code=credit_code(source.division_code, source.name),
                slug=_unit_slug(source, kind),
                source=source,
            )
        )
    return units


def _unit_years(rng: random.Random, unit: Unit, years: tuple[int, ...]) -> tuple[int, ...]:
    """Which years a unit has reports for: every year for the county government and
    its office, a recent run for departments, a shorter one for townships."""
    if unit.kind in ("gov", "office"):
        return years
    if unit.kind == "dept":
        length = rng.choice((2, 3, 3, 4, 5, 6))
    else:
        length = rng.choice((1, 1, 1, 2, 2, 3))
    last = len(years) - (1 if rng.random() < 0.1 else 0)
    return years[max(0, last - length) : last] or years[-1:]


def _title(rng: random.Random, unit: Unit, year: int, suffix: str) -> str:
    source = unit.source
    pattern = rng.choice(TITLE_PATTERNS[source.level])
    organ_local = township_organ(source.short_name) if source.level == "township" else source.name
    return (
        pattern.format(
            organ=source.name,
            organ_local=organ_local,
            short=source.short_name,
            county=source.region.county or "",
            year=year,
        )
        + suffix
    )


def _publish_date(rng: random.Random, year: int) -> dt.date:
    """Due by 31 January of the next year; most come out in January, some later."""
    if rng.random() < 0.8:
        return dt.date(year + 1, 1, rng.randint(5, 31))
    return dt.date(year + 1, 1, 1) + dt.timedelta(days=rng.randint(31, 100))


def _format(rng: random.Random, family: str) -> Format:
    roll = rng.random()
    for fmt, share in (
        ("image", 0.04),
        ("pdf", 0.08),
        ("docx", 0.04),
        ("xlsx", 0.02),
        ("doc", 0.015),
        ("wps", 0.01),
    ):
        if roll < share:
            return fmt  # type: ignore[return-value]
        roll -= share
    return "html"


def make_report(
    seed: int,
    portal: Portal,
    unit: Unit,
    year: int,
    *,
    salt: str = "",
) -> ReportSpec:
    rng = rng_for(seed, portal.division_code, unit.key, year, "report", salt)
    template: Template = choose_template(rng, year)
    fmt = _format(rng, portal.family)
    if portal.family == "hanweb" and portal.style % 2 == 1:
        fmt = "pdf"  # reports published through the xxgkAnnualReport module
    suffix = "（图片版）" if fmt == "image" else ""
    title = _title(rng, unit, year, suffix)
    layout = content.choose_layout(rng, fmt)
    split = 1
    if fmt == "html" and portal.family in ("trs", "plain") and rng.random() < 0.12:
        split = rng.choice((2, 3))
    return ReportSpec(
        id=f"{portal.key}-{unit.key.replace(':', '-')}-{year}{salt}",
        seed=f"{seed}:{portal.division_code}:{unit.key}:{year}{salt}",
        unit=unit,
        year=year,
        template=template,
        title=title,
        publish_date=_publish_date(rng, year),
        format=fmt,
        layout=layout,
        broken_arithmetic=rng.random() < 0.07,
        with_pdf=fmt == "html" and rng.random() < 0.08,
        split_pages=split,
    )


def _decoy_title(kind: DecoyKind, county: str, year: int, rng: random.Random) -> str:
    if kind == "notice":
        return rng.choice(
            (
                f"关于做好{year}年度政府信息公开工作年度报告编制发布工作的通知",
                f"关于报送{year}年政府信息公开工作年度报告的通知",
                f"{county}人民政府办公室关于做好{year}年度政府信息公开工作年度报告编制工作的通知",
            )
        )
    if kind == "work-points":
        return rng.choice(
            (f"{county}{year}年政务公开工作要点", f"{year}年{county}政务公开工作要点")
        )
    if kind == "statistics-bulletin":
        return f"{county}{year}年国民经济和社会发展统计公报"
    return rng.choice(
        (
            f"{county}人民政府{year}年法治政府建设年度报告",
            f"{county}人民政府门户网站{year}年度工作年度报表",
            f"{county}{year}年度优化营商环境工作年度报告",
            f"{county}{year}年度社会信用体系建设工作年度报告",
        )
    )


def _build_columns(seed: int, portal: Portal) -> None:
    """The family-independent column tree, reports placed in it, decoys and news."""
    rng = rng_for(seed, portal.division_code, "columns")
    county = portal.name
    docids = iter(range(stable_int(portal.key, "doc", digits=5) * 10 + 1_000_000, 10**9))
    reports = [a for a in portal.articles if a.kind == "report"]

    platform = Column("platform", "政府信息公开")
    guide = Column("guide", "政府信息公开指南", parent=platform)
    system = Column("system", "政府信息公开制度", parent=platform)
    statutory = Column("statutory", "法定主动公开内容", parent=platform)
    annual = Column("annual", "政府信息公开年报", parent=platform)
    points = Column("points", "政务公开工作要点", parent=platform)
    platform.children = [guide, system, statutory, annual, points]
    news = Column("news", "工作动态")
    notices = Column("notices", "通知公告")
    columns = [platform, guide, system, statutory, annual, points, news, notices]

    # Reports: the 年报 column lists all of them; sub-columns by year and unit group.
    group_names = {
        "gov": "县政府及办公室",
        "office": "县政府及办公室",
        "dept": "县直部门",
        "township": "乡镇（街道）",
    }
    if not county.endswith("县"):
        group_names = {
            k: v.replace("县", "区" if county.endswith("区") else "市")
            for k, v in group_names.items()
        }
    annual.articles = list(reports)
    years = sorted({a.report.year for a in reports if a.report}, reverse=True)
    if portal.nesting == "year-unit":
        for year in years:
            ycol = Column(f"y{year}", f"{year}年", parent=annual)
            in_year = [a for a in reports if a.report and a.report.year == year]
            ycol.articles = list(in_year)
            for gkey in ("gov", "dept", "township"):
                members = [
                    a
                    for a in in_year
                    if a.report
                    and (
                        a.report.unit.kind == gkey
                        or (gkey == "gov" and a.report.unit.kind == "office")
                    )
                ]
                if not members:
                    continue
                gcol = Column(f"y{year}-{gkey}", group_names[gkey], parent=ycol)
                gcol.articles = members
                for a in members:
                    a.column = gcol
                ycol.children.append(gcol)
                columns.append(gcol)
            annual.children.append(ycol)
            columns.append(ycol)
    elif portal.nesting == "unit-year":
        for gkey in ("gov", "dept", "township"):
            gcol = Column(f"g-{gkey}", group_names[gkey], parent=annual)
            members = [
                a
                for a in reports
                if a.report
                and (
                    a.report.unit.kind == gkey or (gkey == "gov" and a.report.unit.kind == "office")
                )
            ]
            gcol.articles = list(members)
            for unit in portal.units:
                own = [a for a in members if a.report and a.report.unit is unit]
                if not own:
                    continue
                ucol = Column(
                    f"u-{unit.key}", unit.short if unit.kind != "gov" else unit.organ, parent=gcol
                )
                ucol.articles = own
                for a in own:
                    a.column = ucol
                gcol.children.append(ucol)
                columns.append(ucol)
            annual.children.append(gcol)
            columns.append(gcol)
    else:  # flat: one long list, plus year shortcuts that are only filters
        for a in reports:
            a.column = annual
    for a in reports:
        if a.column is None:
            a.column = annual

    # Decoys: look-alike titles in the 年报 column and around it.
    def decoy(kind: DecoyKind, column: Column, year: int) -> Article:
        if kind == "notice":
            d = dt.date(year, 12, rng.randint(1, 28))
        else:
            d = dt.date(year + 1, 3, rng.randint(2, 27))
        art = Article(
            key=f"decoy:{kind}:{year}:{column.key}",
            kind="decoy",
            title=_decoy_title(kind, county, year, rng),
            date=d,
            docid=next(docids),
            decoy_kind=kind,
            column=column,
        )
        column.articles.append(art)
        portal.articles.append(art)
        return art

    decoy("notice", annual, rng.choice(years[:3] or [2023]))
    decoy("notice", notices, rng.choice(years or [2023]))
    for year in rng.sample(YEARS[-3:], 2):
        decoy("work-points", points, year)
    decoy("other-annual-report", statutory, rng.choice(YEARS[-3:]))
    decoy("other-annual-report", annual if rng.random() < 0.5 else statutory, rng.choice(YEARS))
    decoy("statistics-bulletin", statutory, rng.choice(YEARS[-3:]))

    # News and other filler, so that discovery has to choose.
    for i in range(rng.randint(12, 18)):
        d = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
        title = rng.choice(_NEWS_TITLES).format(county=county, year=d.year, n=rng.randint(10, 60))
        col = news if i % 3 else notices
        art = Article(f"news:{i}", "news", title, d, next(docids), column=col)
        col.articles.append(art)
        portal.articles.append(art)
    for col, titles in (
        (guide, (f"{county}人民政府信息公开指南", f"{county}依申请公开政府信息办理流程")),
        (system, (f"{county}政府信息公开保密审查制度", f"{county}政府信息主动公开制度")),
    ):
        for i, title in enumerate(titles):
            art = Article(
                f"{col.key}:{i}",
                "news",
                title,
                dt.date(2021, 3, 1) + dt.timedelta(days=rng.randint(0, 900)),
                next(docids),
                column=col,
            )
            col.articles.append(art)
            portal.articles.append(art)

    if portal.host_corner == "pagination-trap":
        trap = Column("trap", "信息公开目录", parent=platform, endless=True)
        trap.articles = [a for a in portal.articles if a.kind == "news"][:5]
        platform.children.append(trap)
        columns.append(trap)

    # Page sizes: small enough that the 年报 column always paginates.
    size = rng.choice((10, 15, 15, 20)) if portal.family != "gkmlpt" else 10
    size = min(size, max(5, len(annual.articles) // 3))
    for col in columns:
        col.page_size = size
    portal.root = platform
    portal.annual = annual
    portal.columns = columns


def _apply_corners(seed: int, portal: Portal) -> None:
    rng = rng_for(seed, portal.division_code, "corners")
    reports = [a for a in portal.articles if a.kind == "report"]
    html_reports = [a for a in reports if a.report and a.report.format == "html"]
    if portal.has("orphan") and len(reports) > 3:
        orphan = rng.choice(reports[1:])
        orphan.linked = False
        for col in portal.columns:
            if orphan in col.articles:
                col.articles.remove(orphan)
    candidates = [a for a in html_reports if a.linked]
    if portal.has("server-error"):
        failing = candidates or [a for a in reports if a.linked]
        if failing:
            rng.choice(failing).status = 500
    if portal.has("huge") and candidates:
        rng.choice(candidates).huge = True
        news = [a for a in portal.articles if a.kind == "news"]
        if news:
            rng.choice(news).huge = True


def plan_landscape(config: Config) -> Landscape:
    """The landscape's skeleton: every portal with its county, host, family, encoding,
    caching, corners and home page, but no content yet (see :func:`fill_portal`)."""
    from crawler.simulator import families  # late: families import this module

    if config.portals < 0:
        raise ConfigurationError("--portals must be >= 0")
    seed = config.seed
    rng = rng_for(seed, "landscape")
    entries = _choose_counties(rng, config.portals)
    fams = _spread(rng, FAMILIES, len(entries))
    encs = _spread(rng, ENCODINGS, len(entries))
    cachings = _spread(rng, CACHING, len(entries))
    host_corners = _host_corners(rng, len(entries))
    local = _spread(rng, LOCAL_CORNERS, len(entries))
    local2 = _spread(rng, (*LOCAL_CORNERS, *([None] * 8)), len(entries))
    nestings = _spread(rng, ("year-unit", "unit-year", "flat"), len(entries))
    portals: list[Portal] = []
    ordinal: dict[str, int] = {}
    offsets = {family: rng.randrange(84) for family in FAMILIES}
    for i, entry in enumerate(entries):
        prng = rng_for(seed, entry.division_code, "portal")
        style = ordinal.get(fams[i], 0) + offsets[fams[i]]
        ordinal[fams[i]] = ordinal.get(fams[i], 0) + 1
        corners = tuple(sorted({c for c in (local[i], local2[i]) if c}))
        city = entry.city if entry.city not in ("市辖区", "县") else ""
        portal = Portal(
            index=i,
            key=f"p{i:04d}",
            name=entry.name,
            full_name=f"{entry.province}{city}{entry.name}",
            province=entry.province,
            city=entry.city,
            division_code=entry.division_code,
            ip=ip_for(i),
            family=fams[i],
            encoding=encs[i],
            caching=cachings[i],
            limit_status=429 if prng.random() < 0.7 else 503,
            host_corner=host_corners[i],
            corners=corners,
            nesting=nestings[i],
            variant=prng.randrange(1000),
            style=style,
            site_code=f"{entry.division_code}{prng.randint(1, 60):04d}",
            sid=prng.randint(700000, 799999),
            real_url=entry.portal_url,
        )
        portal.home_path = families.get(portal.family).home_path(portal)
        portals.append(portal)
    if config.with_seeds:
        portals.append(_seed_portal(seed, len(portals)))
    return Landscape(config, portals)


def fill_portal(landscape: Landscape, portal: Portal) -> None:
    """Decide a portal's units, reports, columns and corners, and give them URLs."""
    from crawler.simulator import families

    if portal.filled:
        return
    seed = landscape.config.seed
    if not portal.is_seed_portal:
        entry = _entry(portal.division_code)
        portal.units = _make_units(seed, entry)
        urng = rng_for(seed, entry.division_code, "years")
        for unit in portal.units:
            unit.years = _unit_years(urng, unit, landscape.config.years)
            for year in unit.years:
                portal.reports.append(make_report(seed, portal, unit, year))
        docids = iter(range(stable_int(portal.key, "rep", digits=5) * 10 + 3_000_000, 10**9))
        for spec in sorted(portal.reports, key=lambda s: (s.publish_date, s.id)):
            portal.articles.append(
                Article(
                    f"report:{spec.id}",
                    "report",
                    spec.title,
                    spec.publish_date,
                    next(docids),
                    report=spec,
                )
            )
        _build_columns(seed, portal)
        _apply_corners(seed, portal)
    families.get(portal.family).plan(portal, landscape)
    families.link_friends(portal, landscape)
    portal.filled = True


def build_landscape(config: Config, shard: Callable[[Portal], bool] | None = None) -> Landscape:
    """The landscape for ``config``, with every portal (or those ``shard`` picks) filled.
    Deterministic for a given seed and size."""
    landscape = plan_landscape(config)
    for portal in landscape.portals:
        if shard is None or shard(portal):
            fill_portal(landscape, portal)
    return landscape


@cache
def _entries_by_code() -> dict[str, PortalEntry]:
    return {p.division_code: p for p in county_portals()}


def _entry(code: str) -> PortalEntry:
    return _entries_by_code()[code]


def _seed_portal(seed: int, index: int) -> Portal:
    """The portal that serves the five real seed reports (``--with-seeds``)."""
    from crawler.simulator import seeds

    return seeds.seed_portal(seed, index, ip_for(index))
