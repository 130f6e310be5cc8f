"""The bundled registry: county portals and the division tree down to township.

Both are package data (built by ``scripts/build_registry.py``) read through
:mod:`importlib.resources`, so they work from a source tree, a wheel or a zipped
Scrapyd egg.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

DivisionLevel = Literal["province", "city", "county", "township"]


@dataclass(frozen=True, slots=True)
class PortalEntry:
    """A county's government portal as listed in the registry."""

    division_code: str
    name: str
    province: str
    city: str
    portal_url: str


@dataclass(frozen=True, slots=True)
class Division:
    code: str  # 2 (province), 4 (city), 6 (county) or 9 (township) digits
    name: str
    level: DivisionLevel
    parent_code: str | None


def _read_data(name: str) -> bytes:
    return resources.files("crawler").joinpath("data", name).read_bytes()


@cache
def county_portals() -> tuple[PortalEntry, ...]:
    text = _read_data("county_portals.csv").decode("utf-8")
    return tuple(
        PortalEntry(r["division_code"], r["name"], r["province"], r["city"], r["portal_url"])
        for r in csv.DictReader(io.StringIO(text))
    )


def select_portals(prefixes: Iterable[str] = (), limit: int | None = None) -> list[PortalEntry]:
    """Registry portals whose division code starts with any of ``prefixes`` (all if none)."""
    wanted = tuple(p.strip() for p in prefixes if p.strip())
    chosen = [p for p in county_portals() if not wanted or p.division_code.startswith(wanted)]
    return chosen[:limit] if limit is not None else chosen


class Divisions:
    """The division tree with lookups by code, by parent and by name."""

    def __init__(self, divisions: Iterable[Division]) -> None:
        self.by_code: dict[str, Division] = {}
        self.children: dict[str, list[Division]] = defaultdict(list)
        self.by_name: dict[str, list[Division]] = defaultdict(list)
        for division in divisions:
            self.by_code[division.code] = division
            if division.parent_code:
                self.children[division.parent_code].append(division)
            self.by_name[division.name].append(division)

    def get(self, code: str) -> Division | None:
        return self.by_code.get(code)

    def ancestors(self, code: str) -> list[Division]:
        """The division and its parents, from the top (province) down."""
        chain: list[Division] = []
        current = self.by_code.get(code)
        while current is not None:
            chain.append(current)
            current = self.by_code.get(current.parent_code) if current.parent_code else None
        return chain[::-1]

    def townships(self, county_code: str) -> list[Division]:
        return [d for d in self.children.get(county_code, []) if d.level == "township"]


@cache
def divisions() -> Divisions:
    text = gzip.decompress(_read_data("divisions.csv.gz")).decode("utf-8")
    return Divisions(
        Division(r["code"], r["name"], r["level"], r["parent_code"] or None)  # type: ignore[arg-type]
        for r in csv.DictReader(io.StringIO(text))
    )


def seed_truths() -> dict[str, dict[str, object]]:
    """The hand-checked truth of the five seeds (template, metadata, every cell), by stem."""
    folder = resources.files("crawler").joinpath("data", "seeds")
    return {
        entry.name.removesuffix(".truth.json"): json.loads(entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".truth.json")
    }


def seed_texts() -> dict[str, str]:
    """The five real reports bundled as text extractions, by file stem."""
    folder = resources.files("crawler").joinpath("data", "seeds")
    return {
        entry.name.removesuffix(".txt"): entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".txt")
    }
