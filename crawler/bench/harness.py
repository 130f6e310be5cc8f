"""Scoring a crawl against the simulator's truth file: the project's one scorer.

:func:`score` reads what a crawl stored (``reports``, ``report_aliases``,
``report_cells``, ``findings``, ``portals``) and the truth JSON, and answers:

``recall``     share of the reachable reports in the truth that were stored (under any
               of their URLs: page, attachment, or an alias);
``precision``  share of stored report rows that are real reports, each counted once (a
               look-alike page, or a second row for a report already stored, is not);
``exact``      share of the cell-checked reports whose every cell is exactly the truth's
               (values compared as decimals, blank as blank; a stored cell the truth
               lacks must be blank). Cells are checked where the content can be read:
               HTML (one page or split over several), PDF, DOCX and XLSX;
findings       image-only reports must carry ``doc.image_only``; DOC/WPS reports are
               either read (every cell right) or carry ``doc.unsupported_format`` or
               ``doc.broken``;

overall, per CMS family and (cells) per source: ``html``, ``split``, ``pdf``, ``docx``,
``xlsx``. It also lists the missing reports, the rows that are no real report (the
look-alikes among them as ``decoys``), the reports stored as more than one row
(``duplicates``) and each portal's status. Only rows under the truth's portals count,
so a database holding other crawls too can be scored.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from crawler.db.session import make_engine

# Formats whose cells a crawl must read; the others are judged by their findings.
READABLE = ("html", "pdf", "docx", "xlsx")
# Findings that account for a report whose cells cannot be read, by format.
ACCEPTED_FINDINGS = {
    "image": frozenset({"doc.image_only"}),
    "doc": frozenset({"doc.unsupported_format", "doc.broken"}),
    "wps": frozenset({"doc.unsupported_format", "doc.broken"}),
}
SOURCES = ("html", "split", "pdf", "docx", "xlsx")
_SPLIT_PAGE = re.compile(r"_\d+\.\w+$")  # the second and later pages of a split report


@dataclass(slots=True)
class Tally:
    reachable: int = 0
    found: int = 0
    stored: int = 0
    real: int = 0
    checked: int = 0  # found reports whose cells are compared
    exact: int = 0  # ... with every cell right
    findings_checked: int = 0  # found image/DOC/WPS reports
    findings_ok: int = 0  # ... read, or carrying an accepted finding

    @property
    def recall(self) -> float:
        return self.found / self.reachable if self.reachable else 1.0

    @property
    def precision(self) -> float:
        return self.real / self.stored if self.stored else 1.0

    @property
    def exact_share(self) -> float:
        return self.exact / self.checked if self.checked else 1.0

    @property
    def findings_share(self) -> float:
        return self.findings_ok / self.findings_checked if self.findings_checked else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "found": self.found,
            "stored": self.stored,
            "real": self.real,
            "checked": self.checked,
            "exact": self.exact,
            "findings_checked": self.findings_checked,
            "findings_ok": self.findings_ok,
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
            "exact_share": round(self.exact_share, 4),
        }


@dataclass(slots=True)
class Score:
    total: Tally = field(default_factory=Tally)
    families: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    sources: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))  # cells only
    missing: list[str] = field(default_factory=list)  # reachable truth ids not stored
    wrong: list[str] = field(default_factory=list)  # stored URLs that are no real report
    decoys: list[str] = field(default_factory=list)  # ... of them, the truth's look-alikes
    duplicates: list[str] = field(default_factory=list)  # truth ids stored as several rows
    inexact: list[str] = field(default_factory=list)  # truth ids with a wrong cell
    wrong_cells: dict[str, list[str]] = field(default_factory=dict)  # truth id → cell ids
    wrong_findings: list[tuple[str, str]] = field(default_factory=list)  # truth id, rules
    portal_status: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return self.total.recall

    @property
    def precision(self) -> float:
        return self.total.precision

    @property
    def exact(self) -> float:
        return self.total.exact_share

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.total.as_dict(),
            "families": {f: t.as_dict() for f, t in sorted(self.families.items())},
            "sources": {s: t.as_dict() for s, t in sorted(self.sources.items())},
            "missing": self.missing[:50],
            "wrong": self.wrong[:50],
            "decoys": self.decoys[:50],
            "duplicates": self.duplicates[:50],
            "inexact": self.inexact[:50],
            "wrong_findings": [list(w) for w in self.wrong_findings[:50]],
            "portal_status": {u: list(s) for u, s in sorted(self.portal_status.items())},
        }

    def lines(self) -> list[str]:
        """A human summary: one line per family, per cell source, and the whole."""
        out = [f"{family:8s} {_line(t)}" for family, t in sorted(self.families.items())]
        out += [
            f"cells from {source:6s} {t.exact}/{t.checked} ({t.exact_share:.4f})"
            for source, t in sorted(self.sources.items())
        ]
        out.append(
            f"all      {_line(self.total)}  ({self.total.real}/{self.total.stored} rows real)  "
            f"duplicates {len(self.duplicates)}  decoys stored {len(self.decoys)}"
        )
        return out


def _line(t: Tally) -> str:
    return (
        f"reachable {t.reachable:5d}  found {t.found:5d}  recall {t.recall:.4f}  "
        f"precision {t.precision:.4f}  cells exact {t.exact}/{t.checked} "
        f"({t.exact_share:.4f})  image/doc/wps findings ok {t.findings_ok}/{t.findings_checked}"
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value))


def _portal_of(url: str, bases: list[tuple[str, str]]) -> str | None:
    for base, family in bases:
        if url.startswith(base):
            return family
    return None


def score(database_url: str, truth_path: Path | str) -> Score:
    """Recall, precision, cells and findings of what ``database_url`` holds."""
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    engine = make_engine(database_url)
    try:
        return score_truth(engine, truth)
    finally:
        engine.dispose()


@dataclass(slots=True)
class _Stored:
    rows: dict[int, str]  # report id → its URL
    ids: dict[str, int]  # URL (report URL or alias) → report id
    cells: dict[int, dict[str, Any]]
    rules: dict[int, set[str]]  # report id → rules of its findings
    statuses: dict[str, tuple[str, str | None]]


def _stored(engine: Engine, prefixes: list[str]) -> _Stored:
    like = {f"p{i}": p + "%" for i, p in enumerate(prefixes)}

    def under(column: str) -> str:
        return " OR ".join(f"{column} LIKE :p{i}" for i in range(len(prefixes))) or "false"

    with engine.connect() as conn:
        rows: dict[int, str] = {
            rid: url
            for rid, url in conn.execute(
                text(f"SELECT r.id, r.url FROM reports r WHERE {under('r.url')}"), like
            )
        }
        ids = {url: rid for rid, url in rows.items()}
        report_ids = list(rows)
        for url, rid in conn.execute(
            text("SELECT url, report_id FROM report_aliases WHERE report_id = ANY(:ids)"),
            {"ids": report_ids},
        ):
            ids.setdefault(url, rid)
        cells: dict[int, dict[str, Any]] = defaultdict(dict)
        for rid, cell, value in conn.execute(
            text("SELECT report_id, cell, value FROM report_cells WHERE report_id = ANY(:ids)"),
            {"ids": report_ids},
        ):
            cells[rid][cell] = value
        rules: dict[int, set[str]] = defaultdict(set)
        for rid, rule in conn.execute(
            text("SELECT report_id, rule FROM findings WHERE report_id = ANY(:ids)"),
            {"ids": report_ids},
        ):
            rules[rid].add(rule)
        statuses = {
            url: (status, detail)
            for url, status, detail in conn.execute(
                text(f"SELECT url, status, status_detail FROM portals WHERE {under('url')}"), like
            )
        }
    return _Stored(rows, ids, cells, rules, statuses)


def score_truth(engine: Engine, truth: dict[str, Any]) -> Score:
    bases = [(p["url"].split("/", 3)[:3], p["family"]) for p in truth.get("portals", [])]
    prefixes = ["/".join(parts) + "/" for parts, _ in bases]
    family_of_base = list(zip(prefixes, (f for _, f in bases), strict=True))
    stored = _stored(engine, prefixes)
    result = Score(portal_status=stored.statuses)
    matched: dict[int, str] = {}  # report id → truth id it is
    for report in truth.get("reports", []):
        rids = {stored.ids[u] for u in report.get("urls", []) if u in stored.ids}
        for rid in rids:
            matched.setdefault(rid, report["id"])
        if len(rids) > 1:
            result.duplicates.append(report["id"])
        if report.get("reachable"):
            _judge(result, report, rids, stored)
    decoys = {d["url"] for d in truth.get("decoys", [])}
    seen_truth: set[str] = set()
    for rid, url in sorted(stored.rows.items()):
        family = _portal_of(url, family_of_base) or "unknown"
        tally = result.families[family]
        tally.stored += 1
        result.total.stored += 1
        truth_id = matched.get(rid)
        if truth_id is not None and truth_id not in seen_truth:
            seen_truth.add(truth_id)
            tally.real += 1
            result.total.real += 1
            continue
        result.wrong.append(url)
        if url in decoys:
            result.decoys.append(url)
    return result


def _judge(result: Score, report: dict[str, Any], rids: set[int], stored: _Stored) -> None:
    """Counts one reachable truth report: found, then its cells or its findings."""
    tallies: tuple[Tally, ...] = (result.total, result.families[report.get("family") or "unknown"])
    for tally in tallies:
        tally.reachable += 1
    if not rids:
        result.missing.append(report["id"])
        return
    for tally in tallies:
        tally.found += 1
    rid = min(rids)
    expected = report.get("cells", {})
    got = stored.cells.get(rid, {})
    wrong = _wrong_cells(expected, got)
    fmt = report.get("format", "html")
    if fmt in READABLE:
        split = any(_SPLIT_PAGE.search(u) for u in report.get("page_urls", [])[1:])
        tallies += (result.sources["split" if split else fmt],)
        for tally in tallies:
            tally.checked += 1
        if wrong:
            result.inexact.append(report["id"])
            result.wrong_cells[report["id"]] = wrong
        else:
            for tally in tallies:
                tally.exact += 1
        return
    accepted = ACCEPTED_FINDINGS.get(fmt, frozenset())
    read = fmt != "image" and not wrong  # a DOC/WPS read right needs no finding
    for tally in tallies:
        tally.findings_checked += 1
    if read or accepted & stored.rules.get(rid, set()):
        for tally in tallies:
            tally.findings_ok += 1
    else:
        result.wrong_findings.append((report["id"], "/".join(sorted(accepted)) or fmt))


def _wrong_cells(expected: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    """Cell ids whose stored value is not the truth's (a cell the truth lacks must be blank)."""
    wrong = [c for c, value in expected.items() if _decimal(value) != _decimal(stored.get(c))]
    wrong += [c for c, value in stored.items() if c not in expected and value is not None]
    return wrong
