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

Reports are generated in worker processes when there are many (fabricating a report
takes about a millisecond), then streamed to the file in a stable order.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crawler.simulator import content, encoding
from crawler.simulator.model import Article, Portal

_LANDSCAPE: Any = None  # the landscape handed to forked workers


def _url(portal: Portal, path: str) -> str:
    return portal.base_url + path


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


def report_entry(portal: Portal, article: Article) -> dict[str, object]:
    spec = article.report
    assert spec is not None
    if portal.is_seed_portal:
        from crawler.simulator import seeds

        return seeds.truth_entry(portal, article)
    report = content.synthetic(spec)
    family = portal.family
    page_paths = [article.path]
    if spec.split_pages > 1:
        from crawler.simulator import families

        fam = families.get(family)
        page_paths += [fam.split_path(article, n) for n in range(1, spec.split_pages)]
    page_paths += article.alt_paths
    if article.module_path and article.module_path not in page_paths:
        page_paths.append(article.module_path)
    attachment_paths = [a.path for a in article.attachments]
    why = unreachable_why(portal, article)
    return {
        "id": spec.id,
        "urls": [_url(portal, p) for p in page_paths + attachment_paths],
        "page_urls": [_url(portal, p) for p in page_paths],
        "attachment_urls": [_url(portal, p) for p in attachment_paths],
        "portal": portal.key,
        "family": family,
        "organ": spec.unit.organ,
        "level": spec.unit.level,
        "division_code": spec.unit.division_code,
        "year": spec.year,
        "template": spec.template,
        "title": spec.title,
        "publish_date": article.date.isoformat(),
        "format": spec.format,
        "layout": spec.layout,
        "cells": {cid: content.cell_json(v) for cid, v in report.cells.items()},
        "findings": [
            {"rule": f.rule, "cells": list(f.cells), "severity": f.severity}
            for f in content.findings(spec, report)
        ],
        "reachable": why is None,
        "why": why,
        "needs": needs(portal),
        "version": spec.version,
    }


def portal_entry(portal: Portal) -> dict[str, object]:
    return {
        "key": portal.key,
        "url": portal.url,
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


def _portal_reports_json(index: int) -> str:
    landscape = _LANDSCAPE
    portal = landscape.portals[index]
    lines = [
        json.dumps(report_entry(portal, a), ensure_ascii=False, separators=(",", ":"))
        for a in portal.articles
        if a.kind == "report"
    ]
    return ",\n".join(lines)


def _report_chunks(landscape: Any, workers: int) -> Iterator[str]:
    global _LANDSCAPE
    _LANDSCAPE = landscape
    indices = range(len(landscape.portals))
    if workers <= 1 or len(indices) < 50:
        yield from map(_portal_reports_json, indices)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        yield from pool.imap(_portal_reports_json, indices, chunksize=8)


def default_workers() -> int:
    return max(1, min(8, (os.cpu_count() or 1)))


def write_truth(landscape: Any, path: Path, workers: int | None = None) -> dict[str, int]:
    """Write the truth JSON to ``path`` (atomically); return counts."""
    tmp = path.with_name(path.name + ".tmp")
    counts = {"reports": 0, "reachable": 0, "decoys": 0, "portals": len(landscape.portals)}
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
    with tmp.open("w", encoding="utf-8") as out:
        out.write('{"simulator": ' + json.dumps(header, ensure_ascii=False) + ',\n"portals": [\n')
        out.write(
            ",\n".join(
                json.dumps(portal_entry(p), ensure_ascii=False, separators=(",", ":"))
                for p in landscape.portals
            )
        )
        out.write('\n],\n"reports": [\n')
        first = True
        for chunk in _report_chunks(landscape, default_workers() if workers is None else workers):
            if not chunk:
                continue
            if not first:
                out.write(",\n")
            out.write(chunk)
            first = False
        out.write('\n],\n"decoys": [\n')
        decoys = [
            {"url": p.base_url + path, "kind": kind, "title": title, "portal": p.key}
            for p in landscape.portals
            for path, kind, title in p.decoy_urls
        ]
        out.write(
            ",\n".join(json.dumps(d, ensure_ascii=False, separators=(",", ":")) for d in decoys)
        )
        out.write("\n]}\n")
    os.replace(tmp, path)
    for portal in landscape.portals:
        for article in portal.articles:
            if article.kind == "report":
                counts["reports"] += 1
                counts["reachable"] += unreachable_why(portal, article) is None
    counts["decoys"] = sum(len(p.decoy_urls) for p in landscape.portals)
    return counts


def sites_csv(landscape: Any) -> str:
    """``portal_url,name,division_code,province,city`` for ``scrapy crawl … -a sites=``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["portal_url", "name", "division_code", "province", "city"])
    for portal in landscape.portals:
        writer.writerow(
            [
                portal.url,
                f"{portal.name}人民政府",
                portal.division_code,
                portal.province,
                portal.city,
            ]
        )
    return buffer.getvalue()


def write_sites(landscape: Any, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(sites_csv(landscape), encoding="utf-8")
    os.replace(tmp, path)
