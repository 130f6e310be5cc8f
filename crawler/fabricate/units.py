"""Reporting organs built from the bundled real geography.

A county portal publishes the reports of the county government, its 办公室, its
departments (局/委) and every township (乡/镇/街道) of the county. The names come
from :func:`crawler.registry.divisions`; only the department list is a catalogue
of the usual county-level organs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final, Literal

from crawler.parse.model import Region
from crawler.registry import Division, divisions

UnitLevel = Literal["county", "township", "department"]

# County-level departments that publish their own annual reports.
DEPARTMENTS: Final[tuple[str, ...]] = (
    "发展和改革局",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电和旅游局",
    "卫生健康局",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "林业局",
    "行政审批局",
    "城市管理综合行政执法局",
    "信访局",
    "生态环境分局",
    "卫生健康委员会",
    "住房和城乡建设委员会",
)

# Names of city levels that are not cities (municipalities, directly administered counties).
_NOT_A_CITY: Final = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# Township-level divisions that are not 乡/镇/街道: the organ keeps its own name or
# is the 管理委员会 of a development zone.
_ZONE_SUFFIXES: Final = (
    "开发区",
    "园区",
    "工业园",
    "产业园",
    "示范区",
    "度假区",
    "经济区",
    "风景区",
    "保税区",
    "工业区",
    "新区",
)
_ORGAN_SUFFIXES: Final = (
    "办事处",
    "管委会",
    "委员会",
    "管理处",
    "管理局",
    "管理区",
    "服务中心",
    "公司",
)


@dataclass(frozen=True, slots=True)
class Unit:
    """An organ that publishes an annual report."""

    name: str  # the organ's full name as it signs: 定州市东亭镇人民政府, 定州市教育局
    short_name: str  # the name without the county: 东亭镇, 教育局 (the county's own name for it)
    level: UnitLevel
    division_code: str  # 6 digits for county and department units, 9 for townships
    region: Region

    @property
    def county_code(self) -> str:
        return self.division_code[:6]


def township_organ(township: str) -> str:
    """The organ of a township-level division: 街道 → 街道办事处, 乡/镇/苏木 → 人民政府."""
    if township.endswith("街道") or township.endswith("地区"):
        return township + "办事处"
    if township.endswith(("镇", "乡", "苏木")):
        return township + "人民政府"
    if township.endswith(_ZONE_SUFFIXES):
        return township + "管理委员会"
    return township  # 农场, 林场, 管理区 … sign with their own name


def self_reference(unit: Unit) -> str:
    """How the organ refers to itself in prose: 我镇, 我乡, 本街道, 我县, 我局 …"""
    if unit.level == "township":
        for suffix, ref in (("街道", "我街道"), ("镇", "我镇"), ("乡", "我乡"), ("苏木", "我苏木")):
            if unit.short_name.endswith(suffix):
                return ref
        return "我单位"
    if unit.level == "county":
        return "我" + unit.short_name[-1]
    if unit.short_name.endswith("办公室"):
        return "我办"
    if unit.short_name.endswith("委员会"):
        return "我委"
    return "我" + unit.short_name[-1]


def _region(code: str) -> Region:
    chain = divisions().ancestors(code)
    by_level = {d.level: d.name for d in chain}
    city = by_level.get("city")
    return Region(
        division_code=code,
        province=by_level.get("province"),
        city=None if city in _NOT_A_CITY else city,
        county=by_level.get("county"),
        township=by_level.get("township"),
    )


def _county(county_code: str) -> Division:
    division = divisions().get(county_code)
    if division is None or division.level != "county":
        raise ValueError(f"not a county division code: {county_code!r}")
    return division


def county_unit(county_code: str) -> Unit:
    """The county (区, 县级市, 旗 …) people's government itself."""
    county = _county(county_code)
    return Unit(
        name=f"{county.name}人民政府",
        short_name=county.name,
        level="county",
        division_code=county.code,
        region=_region(county.code),
    )


def department_unit(county_code: str, department: str) -> Unit:
    """A county department, or the 人民政府办公室 when ``department`` is 人民政府办公室."""
    county = _county(county_code)
    return Unit(
        name=f"{county.name}{department}",
        short_name=department,
        level="department",
        division_code=county.code,
        region=_region(county.code),
    )


def township_unit(township_code: str) -> Unit:
    division = divisions().get(township_code)
    if division is None or division.level != "township":
        raise ValueError(f"not a township division code: {township_code!r}")
    region = _region(township_code)
    return Unit(
        name=f"{region.county or ''}{township_organ(division.name)}",
        short_name=division.name,
        level="township",
        division_code=division.code,
        region=region,
    )


def county_units(county_code: str, rng: random.Random, *, departments: int = 4) -> list[Unit]:
    """The county government, its 办公室, ``departments`` 局/委 and every township of the county."""
    units = [county_unit(county_code), department_unit(county_code, "人民政府办公室")]
    chosen = rng.sample(DEPARTMENTS, k=min(departments, len(DEPARTMENTS)))
    units.extend(department_unit(county_code, d) for d in chosen)
    units.extend(
        township_unit(t.code)
        for t in sorted(divisions().townships(county_code), key=lambda d: d.code)
    )
    return units
