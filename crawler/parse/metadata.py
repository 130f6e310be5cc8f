"""What a report says about itself: title, issuing organ, level, region, year, date.

The organ comes from the title (``定州市东亭镇2021年…`` → 定州市东亭镇人民政府), else the
signature at the end, else the page's 发布机构. The region is resolved against the bundled
division tree: place names in the organ, disambiguated by the county/city names present
in the document, the page's 网站标识码 (first six digits: the county code) or a hint.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from crawler.parse import vocab
from crawler.parse.model import Level, Region
from crawler.registry import Division, Divisions, divisions

_YEAR_RE: Final = re.compile(r"((?:19|20)\d{2})\s*年")
_BRACKETED_YEAR_RE: Final = re.compile(r"[〔\[(（【]\s*(?:19|20)\d{2}\s*[〕\])）】]")
_PERIOD_YEAR_RE: Final = re.compile(r"统计期限为\s*((?:19|20)\d{2})\s*年")
_CN_DIGITS: Final = {
    "〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "一": 1, "二": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip
_DATE_PATTERNS: Final = (
    re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"((?:19|20)\d{2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)"),
    re.compile(r"((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"),
)
_CN_DATE_RE: Final = re.compile(
    r"([二〇○零一二三四五六七八九OoＯ]{4})\s*年\s*([〇○零一二三四五六七八九十]{1,3})\s*月\s*([〇○零一二三四五六七八九十]{1,3})\s*日"
)
_DATE_LINE_RE: Final = re.compile(
    r"^\s*(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|[二〇○零一二三四五六七八九OoＯ]{4}\s*年\s*[〇○零一二三四五六七八九十]{1,3}\s*月\s*[〇○零一二三四五六七八九十]{1,3}\s*日)\s*$"
)
_PUBDATE_KEYS: Final = (
    "PubDate",
    "pubdate",
    "发布时间",
    "发布日期",
    "公开日期",
    "生成日期",
    "成文日期",
)
_ORGAN_KEYS: Final = (
    "发布机构",
    "发布单位",
    "发文机关",
    "发文单位",
    "ContentSource",
    "信息来源",
    "来源",
)
_TITLE_NOISE_RE: Final = re.compile(
    r"[(（【\[][^)）】\]]{0,10}版[)）】\]]|[(（]\s*(?:附件|图片|超链)[^)）]{0,6}[)）]"
)
_SIGNATURE_MAX: Final = 40
_MAX_NAME: Final = 14
# Registry names that are not places one would name an organ by.
_TOWNSHIP_ORGAN_SUFFIXES: Final = ("", "人民政府", "办事处", "管理委员会")
_IGNORED_NAMES: Final = frozenset({"市辖区", "县", "街道", "农场", "林场", "盐场", "城南"})


# --- dates ------------------------------------------------------------------------------


def _cn_number(s: str) -> int | None:
    if not s:
        return None
    if "十" in s:
        left, _, right = s.partition("十")
        tens = _CN_DIGITS.get(left, 0) if left else 1
        ones = _CN_DIGITS.get(right, 0) if right else 0
        return tens * 10 + ones
    value = 0
    for ch in s:
        d = _CN_DIGITS.get(ch)
        if d is None:
            return None
        value = value * 10 + d
    return value


def parse_date(text: str | None) -> dt.date | None:
    """The first date in ``text`` (2022年12月23日, 2022-01-29 14:59, 2022/1/29, 二〇二二年…)."""
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if m is not None:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    m = _CN_DATE_RE.search(text)
    if m is not None:
        year, month, day = (_cn_number(g) for g in m.groups())
        if year and month and day:
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def publish_date(meta: dict[str, str], tail: Sequence[str]) -> dt.date | None:
    """From the page's PubDate / info bar, else the signature date at the end."""
    for key in _PUBDATE_KEYS:
        value = parse_date(meta.get(key))
        if value is not None:
            return value
    for line in reversed(tail):
        if _DATE_LINE_RE.match(line):
            return parse_date(line)
    return None


# --- year --------------------------------------------------------------------------------


def _plausible(year: int) -> bool:
    return 2000 <= year <= 2100


def year_from_title(title: str | None) -> int | None:
    if not title:
        return None
    for m in _YEAR_RE.finditer(title):
        year = int(m.group(1))
        if _plausible(year):
            return year
    return None


def year_from_text(text: str) -> int | None:
    """The statistics year (统计期限为…), else the year the first section talks about most."""
    m = _PERIOD_YEAR_RE.search(text)
    if m is not None:
        return int(m.group(1))
    text = _BRACKETED_YEAR_RE.sub("", text)
    counts: dict[int, int] = {}
    for m in _YEAR_RE.finditer(text):
        year = int(m.group(1))
        if _plausible(year):
            counts[year] = counts.get(year, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], -y))


# --- title and organ -------------------------------------------------------------------------


def clean_title(title: str | None) -> str | None:
    if not title:
        return None
    t = " ".join(title.split())
    t = _TITLE_NOISE_RE.sub("", t).strip()
    return t or None


@lru_cache(maxsize=4096)
def normalise_organ(name: str) -> str | None:
    """The organ's formal name: 定州市东亭镇 → 定州市东亭镇人民政府, XX镇政府 → XX镇人民政府."""
    s = re.sub(r"\s+", "", name).strip("：:，,、。.（）()《》")
    s = re.sub(r"^关于", "", s)
    if not s or len(s) > 40:
        return None
    if s.endswith(("人民政府", "办事处")):
        return s
    if vocab.DEPARTMENT_SUFFIX_RE.search(s) and not s.endswith("政府"):
        return s
    if s.endswith("政府"):
        return s[: -len("政府")] + "人民政府"
    if s.endswith("街道"):
        return s + "办事处"
    if s.endswith(("镇", "乡", "苏木", "县", "区", "旗", "市", "州", "盟", "省", "自治区")):
        return s + "人民政府"
    return s


def organ_from_title(title: str | None) -> str | None:
    if not title:
        return None
    m = vocab.REPORT_TITLE_RE.search(title)
    if m is None:
        return None
    prefix = title[: m.start()]
    prefix = re.sub(r"(?:19|20)\d{2}\s*年度?", "", prefix)
    prefix = re.sub(r"[（(]\s*[）)]", "", prefix).strip(" 　的")
    if not prefix:
        return None
    return normalise_organ(prefix)


def organ_from_signature(tail: Sequence[str]) -> str | None:
    """The signing organ: a short organ-like line next to the closing date."""
    lines = [s for s in (line.strip() for line in tail) if s]
    for i in range(len(lines) - 1, -1, -1):
        if _DATE_LINE_RE.match(lines[i]):
            for j in (i - 1, i + 1):
                if 0 <= j < len(lines) and _organ_like(lines[j]):
                    return normalise_organ(lines[j])
    for line in reversed(lines[-2:]):
        if _organ_like(line):
            return normalise_organ(line)
    return None


@lru_cache(maxsize=4096)
def _organ_like(s: str) -> bool:
    """A short line that names a government or a department (a signature, a meta field)."""
    s = re.sub(r"\s+", "", s)
    return (
        2 < len(s) <= _SIGNATURE_MAX
        and (
            vocab.GOVERNMENT_SUFFIX_RE.search(s) is not None
            or vocab.DEPARTMENT_SUFFIX_RE.search(s) is not None
        )
        and not re.search(r"[，。；！？,;]", s)
    )


def meta_context(meta: dict[str, str]) -> str:
    """What the page's metadata says of the publisher (发布机构, 来源, site name), one per line."""
    return "\n".join(meta[k] for k in (*_ORGAN_KEYS, "SiteName") if meta.get(k))


def organ_from_meta(meta: dict[str, str]) -> str | None:
    for key in _ORGAN_KEYS:
        value = meta.get(key)
        if value and _organ_like(value) and "网" not in value:
            return normalise_organ(value)
    return None


# --- region ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolution:
    region: Region
    division: Division | None
    note: str | None  # why the region is unresolved or ambiguous


def _names_in(text: str, table: Divisions) -> list[tuple[int, str]]:
    """Division names in ``text``, longest first at each position, non-overlapping."""
    out: list[tuple[int, str]] = []
    i = 0
    n = len(text)
    while i < n:
        hit = None
        for length in range(min(_MAX_NAME, n - i), 1, -1):
            name = text[i : i + length]
            if name in table.by_name and name not in _IGNORED_NAMES and "直辖" not in name:
                hit = name
                break
        if hit is not None:
            out.append((i, hit))
            i += len(hit)
        else:
            i += 1
    return out


@lru_cache(maxsize=4096)
def _place_names(text: str) -> tuple[tuple[int, str], ...]:
    """:func:`_names_in` the bundled divisions (an organ or a title: they repeat)."""
    return tuple(_names_in(text, divisions()))


@dataclass(frozen=True, slots=True)
class _Lineage:
    """What resolving a region reads of one division of the bundled tree (cached: the same
    few divisions are weighed page after page)."""

    codes: frozenset[str]  # the division's and its ancestors' codes
    context_names: tuple[str, ...]  # its county and city ancestors' names (looked for in text)
    region: Region


@lru_cache(maxsize=4096)
def _lineage(code: str) -> _Lineage:
    chain = divisions().ancestors(code)
    names: dict[str, str] = {}
    for d in chain:
        names[d.level] = d.name
    region = Region(
        division_code=code,
        province=names.get("province"),
        city=names.get("city") if names.get("city") != "市辖区" else None,
        county=names.get("county"),
        township=names.get("township"),
    )
    context_names = tuple(
        a.name
        for a in chain[:-1]
        if a.level in ("county", "city") and a.name not in _IGNORED_NAMES and "直辖" not in a.name
    )
    return _Lineage(frozenset(a.code for a in chain), context_names, region)


def _site_anchor(table: Divisions, site_code: str | None) -> str | None:
    """The division a 网站标识码 names: its first six digits (a county), or for a city's or
    a province's site (…00) the city or province code."""
    if not site_code or not site_code[:6].isdigit():
        return None
    code = site_code[:6]
    for candidate in (code, code[:4], code[:2]):
        if candidate in table.by_code and (candidate == code or code.endswith("00")):
            return candidate
    return None


def resolve_region(
    organ: str | None,
    title: str | None,
    context: str,
    *,
    site_code: str | None = None,
    hint: str | None = None,
) -> Resolution:
    """The organ's division: township (9 digits) for a township, else its county (6)."""
    table = divisions()
    anchors: list[str] = []  # codes the result must sit under
    if hint and hint.isdigit():
        anchors.append(hint)
    site_anchor = _site_anchor(table, site_code)
    if site_anchor is not None:
        anchors.append(site_anchor)
    source = organ or title or ""
    found = _place_names(source)
    candidates: list[Division] = []
    for _, name in found:
        candidates.extend(
            d for d in table.by_name[name] if d.level != "province" or len(found) == 1
        )
    if not candidates:
        for code in anchors:
            division = table.get(code)
            if division is not None:
                return Resolution(_lineage(division.code).region, division, None)
        return Resolution(Region(), None, "no place name in the organ or title")
    # The deepest names narrow the search; every other name found must be an ancestor.
    codes = {d.code for d in candidates}
    scored: list[tuple[int, Division]] = []
    for d in candidates:
        lineage = _lineage(d.code)
        chain_codes = lineage.codes
        if anchors and not any(a in chain_codes for a in anchors):
            continue
        support = sum(1 for c in codes if c in chain_codes and c != d.code)
        in_context = sum(1 for name in lineage.context_names if name in context)
        scored.append((support * 10 + in_context + len(chain_codes), d))
    if not scored:
        return Resolution(Region(), None, "place names contradict the site's division code")
    best_score = max(s for s, _ in scored)
    best = [d for s, d in scored if s == best_score]
    best_codes = {d.code for d in best}
    if len(best_codes) > 1:
        names = ", ".join(sorted(f"{d.name}({d.code})" for d in best)[:6])
        return Resolution(Region(), None, f"ambiguous place name: {names}")
    division = best[0]
    return Resolution(_lineage(division.code).region, division, None)


def level_of(organ: str | None, division: Division | None) -> Level | None:
    if not organ:
        return None
    s = organ
    if (
        division is not None
        and division.level == "township"
        and s.endswith(tuple(division.name + suf for suf in _TOWNSHIP_ORGAN_SUFFIXES))
    ):
        return "township"  # 阿热勒托海牧场, 兵团八十六团分部, 某某林场: the division itself
    if not s.endswith(("人民政府", "办事处")) and vocab.DEPARTMENT_SUFFIX_RE.search(s):
        return "department"
    if s.endswith("人民政府办公室") or s.endswith("政府办"):
        return "department"
    if s.endswith("街道办事处") or any(
        s.endswith(f"{suf}人民政府") for suf in vocab.ORGAN_SUFFIXES_TOWNSHIP
    ):
        return "township"
    if division is not None and s.endswith("人民政府"):
        return division.level
    base = s.removesuffix("人民政府")
    if base.endswith(("县", "区", "旗")):
        return "county"
    if base.endswith(("省", "自治区")):
        return "province"
    if base.endswith(("州", "盟")):
        return "city"
    if base.endswith("市"):
        return "city"
    return None


def first_organ(candidates: Iterable[str | None]) -> str | None:
    return next((c for c in candidates if c), None)
