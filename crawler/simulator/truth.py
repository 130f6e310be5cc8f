"""The truth file (every published report, where it is, what it says) and the sites CSV.

Layout of the truth JSON (one report, portal or decoy per line, so that big files
stay greppable)::

    {"simulator": {...how it was started...},
     "portals": [{"key", "url", "name", "division_code", "family", "ip", "rate", "burst",
                  "encoding", "charset", "caching", "limit_status", "host_corner",
                  "corners", "nesting", "units": [{"key", "organ", "level",
                  "division_code", "credit_code", "years"}]}, ...],
     "reports": [{"id", "urls", "page_urls", "attachment_urls", "portal", "family",
                  "organ", "level", "division_code", "year", "template", "title",
                  "publish_date", "format", "layout", "cells", "findings",
                  "reachable", "why", "needs", "version"}, ...],
     "decoys": [{"url", "kind", "title", "portal"}, ...]}

Cells: every canonical id of the report's template; integers are JSON numbers,
money amounts with decimals are exact decimal strings ("12.35"), a blank cell is
null. Findings are ``{"rule", "cells", "severity"}``, the rules a correct parser
must raise (:func:`crawler.parse.arithmetic.check` of the cells, ``doc.image_only``,
``meta.template_year``).

Each portal's share (its entry, decoys and reports) is generated once as a "part" with
the port left out, in the workers that serve the portal, and cached on disk under a
fingerprint of the code and the landscape's parameters; the truth file is the parts
merged in portal order with the port filled in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterator
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import Any

from crawler.simulator import content, encoding
from crawler.simulator.model import Article, Portal

PORT_MARK = "@@SIMPORT@@"  # stands for the port in cached parts


def base_of(portal: Portal) -> str:
    return f"http://{portal.ip}:{PORT_MARK}"


def needs(portal: Portal) -> list[str]:
    out = []
    if portal.host_corner == "rs412":
        out.append("browser (412 cookie script)")
    if portal.host_corner == "jsl521":
        out.append("browser (521 cookie rounds)")
    if portal.family == "gkmlpt":
        out.append("json api or browser")
    return out


def unreachable_why(portal: Portal, article: Article) -> str | None:
    if portal.host_corner == "rs412-hard":
        return "host answers 412 to every request; its cookie check never passes"
    if not article.linked:
        return "published but linked from nowhere"
    if article.status != 200:
        return f"the report page always answers {article.status}"
    return None


def page_paths(portal: Portal, article: Article) -> list[str]:
    spec = article.report
    paths = [article.path]
    if spec is not None and spec.split_pages > 1:
        from crawler.simulator import families

        family = families.get(portal.family)
        paths += [family.split_path(article, n) for n in range(1, spec.split_pages)]
    paths += article.alt_paths
    if article.module_path and article.module_path not in paths:
        paths.append(article.module_path)
    return paths


def report_entry(portal: Portal, article: Article, base: str | None = None) -> dict[str, object]:
    spec = article.report
    assert spec is not None
    base = portal.base_url if base is None else base
    if portal.is_seed_portal:
        from crawler.simulator import seeds

        return seeds.truth_entry(portal, article, base)
    cells, found = content.numbers(spec)
    pages = page_paths(portal, article)
    files = [a.path for a in article.attachments]
    why = unreachable_why(portal, article)
    return {
        "id": spec.id,
        "urls": [base + p for p in pages + files],
        "page_urls": [base + p for p in pages],
        "attachment_urls": [base + p for p in files],
        "portal": portal.key,
        "family": portal.family,
        "organ": spec.unit.organ,
        "level": spec.unit.level,
        "division_code": spec.unit.division_code,
        "year": spec.year,
        "template": spec.template,
        "title": spec.title,
        "publish_date": article.date.isoformat(),
        "format": spec.format,
        "layout": spec.layout,
        "cells": {cid: content.cell_json(v) for cid, v in cells.items()},
        "findings": [
            {"rule": f.rule, "cells": list(f.cells), "severity": f.severity}
            for f in content.findings(spec, found)
        ],
        "reachable": why is None,
        "why": why,
        "needs": needs(portal),
        "version": spec.version,
    }


def portal_entry(portal: Portal, base: str | None = None) -> dict[str, object]:
    base = portal.base_url if base is None else base
    reports = [a for a in portal.articles if a.kind == "report"]
    return {
        "key": portal.key,
        "url": base + portal.home_path,
        "name": portal.name,
        "full_name": portal.full_name,
        "division_code": portal.division_code,
        "family": portal.family,
        "ip": portal.ip,
        "encoding": portal.encoding,
        "codec": encoding.codec(portal.encoding),
        "charset": encoding.declared(portal.encoding),
        "caching": portal.caching,
        "limit_status": portal.limit_status,
        "host_corner": portal.host_corner,
        "corners": list(portal.corners),
        "nesting": portal.nesting,
        "seed_portal": portal.is_seed_portal,
        "reports": len(reports),
        "reachable": sum(unreachable_why(portal, a) is None for a in reports),
        "units": [
            {
                "key": u.key,
                "organ": u.organ,
                "level": u.level,
                "division_code": u.division_code,
                "credit_code": u.credit_code,
                "years": list(u.years),
            }
            for u in portal.units
        ],
    }


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def portal_part(portal: Portal) -> bytes:
    """A portal's share of the truth, port-free: its entry, its decoys, its reports."""
    base = base_of(portal)
    lines = [
        _dumps(portal_entry(portal, base)),
        _dumps(
            [
                {"url": base + path, "kind": kind, "title": title, "portal": portal.key}
                for path, kind, title in portal.decoy_urls
            ]
        ),
    ]
    lines += [_dumps(report_entry(portal, a, base)) for a in portal.articles if a.kind == "report"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def part_name(portal: Portal) -> str:
    return f"{portal.index:05d}-{portal.key}.jsonl"


# The simulator modules that decide what is published (URLs, pages, truth); serving
# machinery (app, server, run, control, challenges) is left out so that its changes keep
# the caches.
_CONTENT_MODULES = (
    "landscape.py", "model.py", "content.py", "files.py", "seeds.py", "truth.py",
    "encoding.py", "chrome.py", "filler.py", "families/*.py",
)  # fmt: skip


def _package_files(
    root: Traversable, prefix: PurePosixPath
) -> Iterator[tuple[PurePosixPath, Traversable]]:
    for entry in root.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            yield from _package_files(entry, prefix / entry.name)
        else:
            yield prefix / entry.name, entry


@cache
def code_fingerprint() -> str:
    """A hash of the code that decides what the landscape publishes.

    Read through importlib.resources, so it works from a zipped egg too.
    """
    patterns = [
        *(f"simulator/{pattern}" for pattern in _CONTENT_MODULES),
        "fabricate/*.py",
        "cells.py",
        "parse/arithmetic.py",
        "registry.py",
        "data/*.csv*",
        "data/seeds/*",
    ]
    files = sorted(
        (rel, entry)
        for rel, entry in _package_files(resources.files("crawler"), PurePosixPath())
        if any(rel.match(p) and len(rel.parts) == len(PurePosixPath(p).parts) for p in patterns)
    )
    digest = hashlib.sha256()
    for rel, entry in files:
        digest.update(str(rel).encode())
        digest.update(entry.read_bytes())
    return digest.hexdigest()[:16]


def landscape_fingerprint(config: Any) -> str:
    key = f"{code_fingerprint()}:{config.seed}:{config.portals}:{config.with_seeds}:{config.years}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def merge(landscape: Any, parts: list[Path], path: Path) -> dict[str, int]:
    """Write the truth file from the portals' parts (in portal order), atomically."""
    counts = {"reports": 0, "reachable": 0, "decoys": 0, "portals": len(parts)}
    config = landscape.config
    header = {
        "version": 1,
        "seed": config.seed,
        "portals": config.portals,
        "with_seeds": config.with_seeds,
        "port": landscape.port,
        "control": f"http://{landscape.control_host}:{landscape.port}/__sim/",
        "rate": config.rate,
        "burst": config.burst,
        "mutations": landscape.mutations,
        "years": list(config.years),
        "cells": "every id of the template; ints as numbers, decimals as strings, blank null",
    }
    mark, port = PORT_MARK.encode(), str(landscape.port).encode()
    tmp = path.with_name(f".{path.name}.tmp")
    decoys: list[bytes] = []
    with tmp.open("wb") as out:
        out.write(b'{"simulator": ' + _dumps(header).encode() + b',\n"portals": [\n')
        first_report = True
        report_chunks: list[Path] = []
        for i, part in enumerate(parts):
            data = part.read_bytes().replace(mark, port)
            head, decoy_line, rest = data.split(b"\n", 2)
            entry = json.loads(head)
            counts["reports"] += int(entry["reports"])
            counts["reachable"] += int(entry["reachable"])
            out.write((b",\n" if i else b"") + head)
            if decoy_line.strip() != b"[]":
                decoys.append(decoy_line.strip()[1:-1])
            report_chunks.append(part)
        out.write(b'\n],\n"reports": [\n')
        for part in report_chunks:
            data = part.read_bytes().replace(mark, port)
            rest = data.split(b"\n", 2)[2].rstrip(b"\n")
            if not rest:
                continue
            out.write((b"" if first_report else b",\n") + rest.replace(b"\n", b",\n"))
            first_report = False
        out.write(b'\n],\n"decoys": [\n')
        out.write(b",\n".join(decoys).replace(b"},{", b"},\n{"))
        out.write(b"\n]}\n")
    os.replace(tmp, path)
    counts["decoys"] = sum(d.count(b'"kind":') for d in decoys)
    return counts


def write_truth(landscape: Any, path: Path) -> dict[str, int]:
    """Generate every portal's part in this process and write the truth (small landscapes,
    tests)."""
    folder = path.with_name(f".{path.name}.parts")
    parts = []
    for portal in landscape.portals:
        part = folder / part_name(portal)
        write_atomic(part, portal_part(portal))
        parts.append(part)
    return merge(landscape, parts, path)


def sites_csv(landscape: Any) -> str:
    """``portal_url,name,division_code,province,city`` for ``scrapy crawl … -a sites=``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["portal_url", "name", "division_code", "province", "city"])
    for portal in landscape.portals:
        name = portal.full_name if portal.is_seed_portal else f"{portal.name}人民政府"
        writer.writerow([portal.url, name, portal.division_code, portal.province, portal.city])
    return buffer.getvalue()


def write_sites(landscape: Any, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(sites_csv(landscape), encoding="utf-8")
    os.replace(tmp, path)
