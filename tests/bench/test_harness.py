"""The scorer on a tiny hand-made truth and hand-written rows in a real PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from crawler.bench.harness import score, score_truth

A = "http://10.0.0.1:8000/"  # a trs portal
B = "http://10.0.0.2:8000/"  # a vsb portal
ELSEWHERE = "http://10.0.0.9:8000/"  # another crawl's portal, not in this truth
CELLS = {"s2.a": 5, "s3.b": "1.50", "s4.c": None}


def report(rid: str, base: str, fmt: str = "html", **extra: Any) -> dict[str, Any]:
    pages = extra.pop("pages", [f"{base}{rid}.html"])
    files = extra.pop("files", [])
    return {
        "id": rid,
        "urls": pages + files,
        "page_urls": pages,
        "attachment_urls": files,
        "family": "trs" if base == A else "vsb",
        "format": fmt,
        "cells": CELLS,
        "reachable": True,
        **extra,
    }


TRUTH: dict[str, Any] = {
    "portals": [{"url": A + "index.html", "family": "trs"}, {"url": B, "family": "vsb"}],
    "reports": [
        report("alias", A, files=[A + "alias.pdf"]),
        report("twice", A, pages=[A + "twice.html", A + "col/twice.html"]),
        report("wrong", A),
        report("scan-ok", A, "image"),
        report("scan-bare", A, "image"),
        report("doc-read", B, "doc"),
        report("wps-noted", B, "wps"),
        report("split", B, pages=[B + "split.html", B + "split_2.html"]),
        report("missed", B, "pdf"),
        report("gone", B, reachable=False),
    ],
    "decoys": [{"url": A + "lookalike.html", "kind": "notice"}],
}


def add(conn: Any, url: str, cells: dict[str, Any] | None = None, *rules: str) -> int:
    rid: int = conn.execute(
        text(
            "INSERT INTO reports (url, content_hash, parser_version) "
            "VALUES (:url, 'h', 't') RETURNING id"
        ),
        {"url": url},
    ).scalar_one()
    for cell, value in (cells or {}).items():
        conn.execute(
            text("INSERT INTO report_cells (report_id, cell, value) VALUES (:r, :c, :v)"),
            {"r": rid, "c": cell, "v": value},
        )
    for rule in rules:
        conn.execute(
            text("INSERT INTO findings (report_id, rule, detail) VALUES (:r, :rule, '')"),
            {"r": rid, "rule": rule},
        )
    return rid


def fill(engine: Engine) -> None:
    with engine.begin() as conn:
        # Found only through an alias: the row sits under another URL.
        rid = add(conn, A + "moved.html", CELLS)
        conn.execute(
            text("INSERT INTO report_aliases (url, report_id) VALUES (:u, :r)"),
            {"u": A + "alias.pdf", "r": rid},
        )
        add(conn, A + "twice.html", CELLS)
        add(conn, A + "col/twice.html", CELLS)  # the same report, a second row
        add(conn, A + "wrong.html", {**CELLS, "s2.a": 6, "s4.x": 1})
        add(conn, A + "scan-ok.html", {}, "doc.image_only")
        add(conn, A + "scan-bare.html", {}, "table.missing")
        add(conn, B + "doc-read.html", CELLS)
        add(conn, B + "wps-noted.html", {}, "doc.unsupported_format")
        add(conn, B + "split.html", CELLS)
        add(conn, A + "lookalike.html")
        add(conn, ELSEWHERE + "other.html")
        conn.execute(
            text("INSERT INTO portals (url, status, status_detail) VALUES (:u, :s, :d)"),
            [
                {"u": A + "index.html", "s": "blocked", "d": "412 after challenge"},
                {"u": B, "s": "ok", "d": None},
                {"u": ELSEWHERE, "s": "ok", "d": None},
            ],
        )


def test_score_judges_rows_cells_and_findings(db: Engine) -> None:
    fill(db)
    result = score_truth(db, TRUTH)
    total = result.total
    assert (total.reachable, total.found, total.stored, total.real) == (9, 8, 10, 8)
    assert result.missing == ["missed"]
    assert result.duplicates == ["twice"]
    assert result.decoys == [A + "lookalike.html"]
    assert result.wrong == [A + "col/twice.html", A + "lookalike.html"]
    assert result.precision == 8 / 10
    # Cells: alias, twice, wrong (html) and split; one wrong value, one cell the truth lacks.
    assert (total.checked, total.exact) == (4, 3)
    assert result.exact == 3 / 4
    assert result.inexact == ["wrong"]
    assert result.wrong_cells == {"wrong": ["s2.a", "s4.x"]}
    assert {s: (t.checked, t.exact) for s, t in result.sources.items()} == {
        "html": (3, 2),
        "split": (1, 1),
    }
    # Findings: the image with doc.image_only, the DOC read right and the WPS noted pass.
    assert (total.findings_checked, total.findings_ok) == (4, 3)
    assert result.wrong_findings == [("scan-bare", "doc.image_only")]
    trs, vsb = result.families["trs"], result.families["vsb"]
    assert (trs.reachable, trs.found, trs.stored, trs.real, trs.checked) == (5, 5, 7, 5, 3)
    assert (vsb.reachable, vsb.found, vsb.stored, vsb.real, vsb.checked) == (4, 3, 3, 3, 1)
    assert result.portal_status == {
        A + "index.html": ("blocked", "412 after challenge"),
        B: ("ok", None),
    }
    lines = result.lines()
    assert lines[-1].startswith("all ") and "duplicates 1  decoys stored 1" in lines[-1]
    assert any(line.startswith("cells from split") for line in lines)
    json.dumps(result.as_dict())


def test_score_reads_the_truth_file(db_url: str, db: Engine, tmp_path: Path) -> None:
    fill(db)
    path = tmp_path / "truth.json"
    path.write_text(json.dumps(TRUTH), encoding="utf-8")
    assert score(db_url, path).as_dict() == score_truth(db, TRUTH).as_dict()


def test_empty_database_finds_nothing(db: Engine) -> None:
    result = score_truth(db, TRUTH)
    assert result.recall == 0.0 and result.precision == 1.0
    assert len(result.missing) == 9 and not result.wrong and not result.duplicates
