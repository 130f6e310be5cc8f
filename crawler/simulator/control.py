"""The control API on ``--host`` (default 127.0.0.1), same port as the portals.

``GET  /__sim/health``   ``{"ok": true, "portals": N, "reports": M, "port": P, …}``
``GET  /__sim/stats``    per-host requests, violations, 304s, bytes, statuses, first/last
                         request times, and the busiest host's lower bound on crawl time
``GET  /__sim/truth``    the truth JSON (the file ``--truth`` was written to)
``POST /__sim/mutate``   ``?step=K`` (default: one more than the last): adds and edits
                         reports deterministically, rewrites the truth file, answers
                         what changed
``POST /__sim/reset-stats``  zero the counters (between two measured crawls)
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.simulator import content, families
from crawler.simulator.landscape import OUTSIDE_IP, make_report, rng_for
from crawler.simulator.model import Article, Column, Portal, Route, route_key
from crawler.simulator.server import Request, Response

if TYPE_CHECKING:
    from crawler.simulator.app import Simulator

# Cells an edit may change without touching any arithmetic rule.
_EDITABLE = {
    "2021": ("s2.licensing.decisions", "s2.penalty.decisions", "s2.coercion.decisions"),
    "2019": ("s2.licensing.decisions", "s2.penalty.decisions", "s2.other_services.decisions"),
}


def _json(data: object, status: int = 200) -> Response:
    return Response(
        status,
        json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"),
        "application/json; charset=utf-8",
        [("Cache-Control", "no-store")],
    )


class Control:
    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.truth_path: Path | None = None
        self.truth_workers: int | None = None

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path == "/__sim/health":
            return _json(self.health())
        if path == "/__sim/stats":
            return _json(self.stats())
        if path == "/__sim/truth":
            if self.truth_path is None or not self.truth_path.exists():
                return _json({"error": "no truth file"}, 404)
            return Response(200, self.truth_path.read_bytes(), "application/json; charset=utf-8")
        if path == "/__sim/mutate":
            if request.method != "POST":
                return _json({"error": "POST only"}, 405)
            args = request.args()
            step = int(args.get("step") or self.simulator.landscape.mutations + 1)
            return _json(self.mutate(step))
        if path == "/__sim/reset-stats":
            self.simulator.reset_stats()
            return _json({"ok": True})
        return _json({"error": "unknown control endpoint", "path": request.path}, 404)

    def health(self) -> dict[str, object]:
        landscape = self.simulator.landscape
        return {
            "ok": True,
            "portals": len(landscape.portals),
            "reports": sum(1 for _ in landscape.reports()),
            "port": landscape.port,
            "mutations": landscape.mutations,
            "truth": str(self.truth_path) if self.truth_path else None,
            "uptime": round(time.time() - self.simulator.started, 3),
        }

    def stats(self) -> dict[str, object]:
        sim = self.simulator
        landscape = sim.landscape
        hosts: dict[str, object] = {}
        totals = {
            "requests": 0,
            "static": 0,
            "violations": 0,
            "not_modified": 0,
            "bytes": 0,
            "challenged": 0,
        }
        busiest = ("", 0)
        for ip, stats in sim.stats.items():
            if not stats.requests:
                continue
            entry = stats.as_dict()
            portal = landscape.by_ip.get(ip)
            entry["portal"] = portal.key if portal else ("outside" if ip == OUTSIDE_IP else "")
            hosts[ip] = entry
            for key in totals:
                totals[key] += int(entry[key])  # type: ignore[call-overload]
            limited = stats.requests - stats.static
            if limited > busiest[1]:
                busiest = (ip, limited)
        rate = landscape.config.rate
        return {
            "rate": rate,
            "burst": landscape.config.burst,
            "totals": totals,
            "hosts": hosts,
            "busiest": {
                "ip": busiest[0],
                "requests": busiest[1],
                "min_seconds": round(busiest[1] / rate, 3) if rate > 0 else 0.0,
            },
            "mutations": landscape.mutations,
            "cache": {"entries": len(sim.cache), "bytes": sim.cache_bytes},
            "uptime": round(time.time() - sim.started, 3),
        }

    # --- mutations ------------------------------------------------------------------------

    def mutate(self, step: int) -> dict[str, object]:
        """Add a few reports and edit a few existing ones, deterministically from ``step``."""
        sim = self.simulator
        landscape = sim.landscape
        seed = landscape.config.seed
        rng = rng_for(seed, "mutate", step)
        candidates = [
            p for p in landscape.portals if not p.is_seed_portal and p.host_corner != "rs412-hard"
        ]
        chosen = rng.sample(candidates, min(len(candidates), 3))
        added: list[dict[str, object]] = []
        edited: list[dict[str, object]] = []
        for portal in sorted(chosen, key=lambda p: p.index):
            new = self._add_report(portal, step, rng)
            if new is not None:
                added.append(
                    {
                        "id": new.report.id if new.report else "",
                        "url": portal.base_url + new.path,
                        "portal": portal.key,
                    }
                )
            change = self._edit_report(portal, step, rng)
            if change is not None:
                edited.append(change)
        landscape.mutations = max(landscape.mutations, step)
        sim.clear_cache()
        if self.truth_path is not None:
            from crawler.simulator import truth

            truth.write_truth(landscape, self.truth_path, self.truth_workers)
        return {
            "step": step,
            "added": added,
            "edited": edited,
            "truth": str(self.truth_path) if self.truth_path else None,
        }

    def _add_report(self, portal: Portal, step: int, rng: object) -> Article | None:
        import random

        assert isinstance(rng, random.Random)
        years = sorted({y for u in portal.units for y in u.years})
        gaps = [(u, y) for u in portal.units for y in years if y not in u.years]
        family = families.get(portal.family)
        rng.shuffle(gaps)
        for unit, year in gaps:
            columns = self._columns_for(portal, unit.kind, year, unit.key)
            if columns is None:
                continue
            spec = make_report(landscape_seed(self), portal, unit, year)
            # Published "now": after everything else on the portal, fixed by the step.
            latest = max(a.date for a in portal.articles)
            spec.publish_date = latest + dt.timedelta(days=3 + step)
            unit.years = tuple(sorted((*unit.years, year)))
            portal.reports.append(spec)
            docid = max(a.docid for a in portal.articles) + 101
            article = Article(
                f"report:{spec.id}",
                "report",
                spec.title,
                spec.publish_date,
                docid,
                report=spec,
                column=columns[-1],
            )
            portal.articles.append(article)
            for column in columns:
                column.articles.append(article)
            family.place_article(portal, article)
            self._reroute_columns(portal, columns)
            return article
        return None

    def _columns_for(
        self, portal: Portal, kind: str, year: int, unit_key: str
    ) -> list[Column] | None:
        annual = portal.annual
        if annual is None:
            return None
        group = "gov" if kind in ("gov", "office") else kind
        by_key = {c.key: c for c in portal.columns}
        if portal.nesting == "year-unit":
            ycol, gcol = by_key.get(f"y{year}"), by_key.get(f"y{year}-{group}")
            return [annual, ycol, gcol] if ycol and gcol else None
        if portal.nesting == "unit-year":
            gcol, ucol = by_key.get(f"g-{group}"), by_key.get(f"u-{unit_key}")
            return [annual, gcol, ucol] if gcol and ucol else None
        return [annual]

    def _reroute_columns(self, portal: Portal, columns: list[Column]) -> None:
        family = families.get(portal.family)
        for column in columns:
            for n in range(column.pages()):
                path = family.column_page_path(portal, column, n)
                if path:
                    portal.routes[route_key(*path.partition("?")[::2])] = Route("column", column, n)

    def _edit_report(self, portal: Portal, step: int, rng: object) -> dict[str, object] | None:
        import random

        assert isinstance(rng, random.Random)
        reports = [
            a
            for a in portal.articles
            if a.kind == "report"
            and a.linked
            and a.status == 200
            and a.report is not None
            and a.report.format == "html"
        ]
        if not reports:
            return None
        article = rng.choice(reports)
        spec = article.report
        assert spec is not None
        report = content.synthetic(spec)
        cell = rng.choice(_EDITABLE[spec.template])
        old = report.cells.get(cell)
        new = int(old or 0) + rng.randint(1, 9)
        spec.edits.append((cell, new))
        spec.version += 1
        latest = max(a.date for a in portal.articles)
        article.date = spec.publish_date = latest + dt.timedelta(days=1 + step)
        return {
            "id": spec.id,
            "url": portal.base_url + article.path,
            "cell": cell,
            "old": content.cell_json(old),
            "new": new,
            "portal": portal.key,
            "publish_date": article.date.isoformat(),
        }


def landscape_seed(control: Control) -> int:
    return control.simulator.landscape.config.seed
