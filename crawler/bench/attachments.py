"""``make bench-parse ARGS=--attachments``: CPU cost of reading attachments, per format.

Offline and deterministic: ``--files`` reports (default 20) are drawn from a fixed
seed with :func:`crawler.fabricate.generate_report` (both templates, blanks, odd
values, broken arithmetic, as the simulator serves them) and rendered as PDF, DOCX and
XLSX with :func:`crawler.fabricate.render_attachment`, the renderer the simulator's
file server uses. Each file goes through :func:`crawler.parse.attachments.extract`
(what the crawl's clean stage calls) and then ``parse_report``; every pass is timed in
CPU time of this process (``time.process_time``), the best of ``--repeat`` passes is
reported per format in milliseconds per file, extraction and parse apart.

Exactness is checked on the way: a file counts as exact when its parse gives back
every cell of its report. ``--dump FILE`` writes each file's extraction and parse as
JSON (blocks cell by cell, meta, findings, cells), and ``--compare FILE`` says which
files differ from such a dump — the before/after check of a change to the readers.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from crawler.bench.parse import COUNTIES
from crawler.fabricate import SyntheticReport, county_units, generate_report, render_attachment
from crawler.parse import parse_report
from crawler.parse.attachments import extract
from crawler.parse.model import CleanedDocument, ParsedReport, Table

FORMATS: Final = ("pdf", "docx", "xlsx")
CONTENT_TYPES: Final = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Stats that say how, not what: left out of the snapshots.
_UNSTABLE_STATS: Final = frozenset({"attach/ms", "attach/pages_pdfium"})
URL: Final = "http://www.example.gov.cn/zwgk/zfxxgknb/202301/P020230130{:06d}.{}"


@dataclass(frozen=True, slots=True)
class Attachment:
    key: str  # "pdf/7"
    fmt: str
    url: str
    body: bytes
    report: SyntheticReport


def build_reports(n: int, seed: int = 0) -> list[SyntheticReport]:
    """``n`` reports drawn from ``seed``: both templates, blanks, odd values, broken sums."""
    pools = {c: county_units(c, random.Random(0)) for c in COUNTIES}
    out = []
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        pool = pools[COUNTIES[i % len(COUNTIES)]]
        out.append(
            generate_report(
                rng,
                pool[rng.randrange(len(pool))],
                rng.randint(2019, 2024),
                broken=rng.random() < 0.3,
                blank_rate=rng.choice((0.0, 0.0, 0.2, 0.5)),
                odd_values=rng.random() < 0.4,
            )
        )
    return out


def build_attachments(n: int, seed: int = 0, formats: Sequence[str] = FORMATS) -> list[Attachment]:
    """Every report rendered in every format (the rng per file as the simulator seeds it)."""
    out = []
    for i, report in enumerate(build_reports(n, seed)):
        for fmt in formats:
            rng = random.Random(f"{seed}:{i}:file:{fmt}")
            body = render_attachment(report, fmt, rng)
            out.append(Attachment(f"{fmt}/{i}", fmt, URL.format(i, fmt), body, report))
    return out


def read(att: Attachment) -> CleanedDocument:
    return extract(att.body, url=att.url, content_type=CONTENT_TYPES[att.fmt], soffice=None)


def parse(att: Attachment, doc: CleanedDocument) -> ParsedReport:
    return parse_report(doc, url=att.url)


def snapshot(doc: CleanedDocument, parsed: ParsedReport) -> dict[str, Any]:
    """What a change to the readers must keep: blocks cell by cell, meta, findings, cells
    (timings left out)."""
    blocks: list[Any] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            blocks.append(
                {"table": [block.n_rows, block.n_cols], "cells": [list(c) for c in block.cells]}
            )
        else:
            blocks.append({"text": block.text, "emphasis": block.emphasis})
    return {
        "title": doc.title,
        "blocks": blocks,
        "meta": doc.meta,
        "stats": {k: v for k, v in sorted(doc.stats.items()) if k not in _UNSTABLE_STATS},
        "findings": [f.as_dict() for f in doc.findings],
        "parsed": {
            "template": parsed.template,
            "title": parsed.title,
            "year": parsed.year,
            "cells": {k: [str(v.value), v.raw] for k, v in sorted(parsed.cells.items())},
            "findings": [f.as_dict() for f in parsed.findings],
        },
    }


def compare(now: dict[str, Any], before: dict[str, Any]) -> list[str]:
    """Keys of this run's files whose snapshot differs from (or is missing in) ``before``."""
    return sorted(k for k in now if now[k] != before.get(k))


def timed_pass(files: Sequence[Attachment]) -> dict[str, list[float]]:
    """CPU seconds per format: [extract, parse] summed over ``files``."""
    gc.collect()
    clock = time.process_time
    spent = {fmt: [0.0, 0.0] for fmt in FORMATS}
    for att in files:
        t0 = clock()
        doc = read(att)
        t1 = clock()
        parse(att, doc)
        t2 = clock()
        spent[att.fmt][0] += t1 - t0
        spent[att.fmt][1] += t2 - t1
    return spent


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.bench.attachments",
        description="CPU ms per attachment, by format: extract() and parse_report().",
    )
    parser.add_argument("--files", type=int, default=20, help="reports, each in every format")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated")
    parser.add_argument("--dump", type=Path, help="write every file's snapshot as JSON")
    parser.add_argument("--compare", type=Path, help="compare with a --dump from before")
    args = parser.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    if args.files < 1 or args.repeat < 1 or not set(formats) <= set(FORMATS):
        parser.error("--files and --repeat must be positive, --formats among pdf,docx,xlsx")

    started = time.perf_counter()
    files = build_attachments(args.files, args.seed, formats)
    print(
        f"attachments: {len(files)} rendered in {time.perf_counter() - started:.1f} s "
        f"({args.files} reports x {', '.join(formats)})"
    )
    snapshots: dict[str, Any] = {}
    exact = dict.fromkeys(formats, 0)
    for att in files:  # also the warm-up: imports, caches, CMaps
        doc = read(att)
        parsed = parse(att, doc)
        snapshots[att.key] = snapshot(doc, parsed)
        if parsed.template == att.report.template and parsed.values() == att.report.cells:
            exact[att.fmt] += 1
    for fmt in formats:
        print(f"exact parses {fmt}: {exact[fmt]}/{args.files} (every cell of the report)")
    if args.dump:
        args.dump.write_text(json.dumps(snapshots, ensure_ascii=False, sort_keys=True, indent=0))
        print(f"snapshots written to {args.dump}")
    differ: list[str] = []
    if args.compare:
        before = json.loads(args.compare.read_text())
        differ = compare(json.loads(json.dumps(snapshots)), before)
        print(f"compared with {args.compare}: {len(differ)} of {len(files)} differ {differ[:10]}")

    best = {fmt: [float("inf"), float("inf")] for fmt in formats}
    for n in range(args.repeat):
        spent = timed_pass(files)
        for fmt in formats:
            best[fmt] = [min(a, b) for a, b in zip(best[fmt], spent[fmt], strict=True)]
        line = ", ".join(f"{fmt} {spent[fmt][0]:.2f} s" for fmt in formats)
        print(f"pass {n + 1}/{args.repeat}: extract {line} (CPU)", flush=True)
    for fmt in formats:
        ext, par = (1000 * t / args.files for t in best[fmt])
        print(
            f"{fmt}: extract {ext:.1f} ms/file, parse_report {par:.1f} ms/file "
            f"(CPU, best of {args.repeat})"
        )
    ok = all(exact[fmt] == args.files for fmt in formats) and not differ
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
