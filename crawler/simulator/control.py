"""The control API on ``--host`` (default 127.0.0.1), same port as the portals.

``GET  /__sim/health``       ``{"ok", "portals", "reports", "port", "truth", "mutations", …}``
``GET  /__sim/stats``        per host: requests, static (unlimited) requests, violations,
                             304s, challenges served, bytes, statuses, first/last request
                             time; totals; the busiest host and its lower bound on crawl
                             time (requests ÷ rate)
``GET  /__sim/truth``        the truth JSON (the file ``--truth`` was written to)
``POST /__sim/mutate``       ``?step=K`` (default: one more than the last): adds and edits
                             reports, deterministically from the seed and K; rewrites the
                             truth file; answers what changed
``POST /__sim/reset-stats``  zero the counters (between two measured crawls)

The portals are served by worker processes (:mod:`crawler.simulator.run`); this module
holds what a worker does for its own portals (:class:`WorkerControl`) and what the main
process answers by asking them (:class:`Coordinator`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.simulator import content, families
from crawler.simulator.landscape import Landscape, make_report, rng_for
from crawler.simulator.model import Article, Column, Portal, Route, route_key
from crawler.simulator.server import Request, Response

if TYPE_CHECKING:
    from crawler.simulator.app import Simulator

# Cells an edit may change without touching any arithmetic rule.
_EDITABLE = {
    "2021": ("s2.licensing.decisions", "s2.penalty.decisions", "s2.coercion.decisions"),
    "2019": ("s2.licensing.decisions", "s2.penalty.decisions", "s2.other_services.decisions"),
}
MUTATED_PORTALS = 3


def json_response(data: object, status: int = 200) -> Response:
    return Response(
        status,
        json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"),
        "application/json; charset=utf-8",
        [("Cache-Control", "no-store")],
    )


def mutation_targets(landscape: Landscape, step: int) -> list[Portal]:
    """The portals mutation ``step`` changes (the same in every process)."""
    candidates = [
        p for p in landscape.portals if not p.is_seed_portal and p.host_corner != "rs412-hard"
    ]
    rng = rng_for(landscape.config.seed, "mutate", step)
    chosen = rng.sample(candidates, min(len(candidates), MUTATED_PORTALS))
    return sorted(chosen, key=lambda p: p.index)


# --- in a worker -----------------------------------------------------------------------------


class WorkerControl:
    """What a serving worker does for the portals it owns."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    def stats(self) -> dict[str, dict[str, object]]:
        sim = self.simulator
        out: dict[str, dict[str, object]] = {}
        for ip, stats in sim.stats.items():
            if stats.requests:
                entry = stats.as_dict()
                portal = sim.landscape.by_ip.get(ip)
                entry["portal"] = portal.key if portal else "outside"
                out[ip] = entry
        return out

    def mutate(self, step: int) -> dict[str, list[Any]]:
        """Apply mutation ``step`` to the owned portals among its targets."""
        sim = self.simulator
        landscape = sim.landscape
        added: list[dict[str, object]] = []
        edited: list[dict[str, object]] = []
        changed: list[int] = []
        for portal in mutation_targets(landscape, step):
            if not portal.filled or portal.ip not in sim.owned:
                continue
            rng = rng_for(landscape.config.seed, "mutate", step, portal.key)
            new = self._add_report(portal, step, rng)
            if new is not None and new.report is not None:
                added.append(
                    {"id": new.report.id, "url": portal.base_url + new.path, "portal": portal.key}
                )
            change = self._edit_report(portal, step, rng)
            if change is not None:
                edited.append(change)
            changed.append(portal.index)
        landscape.mutations = max(landscape.mutations, step)
        sim.clear_cache()
        return {"added": added, "edited": edited, "changed": changed}

    def _add_report(self, portal: Portal, step: int, rng: random.Random) -> Article | None:
        years = sorted({y for u in portal.units for y in u.years})
        gaps = [(u, y) for u in portal.units for y in years if y not in u.years]
        family = families.get(portal.family)
        rng.shuffle(gaps)
        for unit, year in gaps:
            columns = _columns_for(portal, unit.kind, year, unit.key)
            if columns is None:
                continue
            spec = make_report(self.simulator.landscape.config.seed, portal, unit, year)
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
            _reroute_columns(portal, columns)
            return article
        return None

    def _edit_report(
        self, portal: Portal, step: int, rng: random.Random
    ) -> dict[str, object] | None:
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


def _columns_for(portal: Portal, kind: str, year: int, unit_key: str) -> list[Column] | None:
    annual = portal.annual
    if annual is None:
        return None
    if annual.module:
        return [annual]
    group = "gov" if kind in ("gov", "office") else kind
    by_key = {c.key: c for c in portal.columns}
    if portal.nesting == "year-unit":
        ycol, gcol = by_key.get(f"y{year}"), by_key.get(f"y{year}-{group}")
        return [annual, ycol, gcol] if ycol and gcol else None
    if portal.nesting == "unit-year":
        gcol, ucol = by_key.get(f"g-{group}"), by_key.get(f"u-{unit_key}")
        return [annual, gcol, ucol] if gcol and ucol else None
    return [annual]


def _reroute_columns(portal: Portal, columns: list[Column]) -> None:
    family = families.get(portal.family)
    for column in columns:
        for n in range(column.pages()):
            path = family.column_page_path(portal, column, n)
            if path:
                portal.routes[route_key(*path.partition("?")[::2])] = Route("column", column, n)


# --- in the main process -----------------------------------------------------------------------

Ask = Callable[[dict[str, Any]], Awaitable[list[dict[str, Any]]]]


class Coordinator:
    """Answers the control API by asking the workers (``ask`` broadcasts a command and
    gathers one reply per worker)."""

    def __init__(
        self,
        landscape: Landscape,
        ask: Ask,
        truth_path: Path,
        rewrite_truth: Callable[[], dict[str, int]],
    ) -> None:
        self.landscape = landscape
        self.ask = ask
        self.truth_path = truth_path
        self.rewrite_truth = rewrite_truth
        self.truth_state = "pending"
        self.counts: dict[str, int] = {}
        self.started = time.time()
        self._lock = asyncio.Lock()

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path == "/__sim/health":
            return json_response(self.health())
        if path == "/__sim/stats":
            return Response(later=self._stats())
        if path == "/__sim/truth":
            if self.truth_state != "complete" or not self.truth_path.exists():
                return json_response({"error": "the truth is not written yet"}, 503)
            return Response(200, self.truth_path.read_bytes(), "application/json; charset=utf-8")
        if path == "/__sim/mutate":
            if request.method != "POST":
                return json_response({"error": "POST only"}, 405)
            try:
                step = int(request.args().get("step") or self.landscape.mutations + 1)
            except ValueError:
                return json_response({"error": "step must be an integer"}, 400)
            return Response(later=self._mutate(step))
        if path == "/__sim/reset-stats":
            if request.method != "POST":
                return json_response({"error": "POST only"}, 405)
            return Response(later=self._reset())
        return json_response({"error": "unknown control endpoint", "path": request.path}, 404)

    def health(self) -> dict[str, object]:
        return {
            "ok": True,
            "portals": len(self.landscape.portals),
            "reports": self.counts.get("reports"),
            "reachable": self.counts.get("reachable"),
            "port": self.landscape.port,
            "truth": self.truth_state,
            "truth_path": str(self.truth_path),
            "mutations": self.landscape.mutations,
            "uptime": round(time.time() - self.started, 3),
        }

    async def _stats(self) -> Response:
        replies = await self.ask({"cmd": "stats"})
        hosts: dict[str, Any] = {}
        for reply in replies:
            hosts.update(reply["stats"])
        totals = dict.fromkeys(
            ("requests", "static", "violations", "not_modified", "challenged", "bytes"), 0
        )
        busiest = ("", 0)
        for ip, entry in sorted(hosts.items()):
            for key in totals:
                totals[key] += int(entry[key])
            limited = int(entry["requests"]) - int(entry["static"])
            if limited > busiest[1]:
                busiest = (ip, limited)
        rate = self.landscape.config.rate
        return json_response(
            {
                "rate": rate,
                "burst": self.landscape.config.burst,
                "totals": totals,
                "hosts": dict(sorted(hosts.items())),
                "busiest": {
                    "ip": busiest[0],
                    "requests": busiest[1],
                    "min_seconds": round(busiest[1] / rate, 3) if rate > 0 else 0.0,
                },
                "mutations": self.landscape.mutations,
                "uptime": round(time.time() - self.started, 3),
            }
        )

    async def _reset(self) -> Response:
        await self.ask({"cmd": "reset"})
        return json_response({"ok": True})

    async def _mutate(self, step: int) -> Response:
        async with self._lock:
            replies = await self.ask({"cmd": "mutate", "step": step})
            self.landscape.mutations = max(self.landscape.mutations, step)
            loop = asyncio.get_running_loop()
            self.counts = await loop.run_in_executor(None, self.rewrite_truth)
            added = sorted(itertools.chain(*(r["added"] for r in replies)), key=lambda a: a["id"])
            edited = sorted(itertools.chain(*(r["edited"] for r in replies)), key=lambda e: e["id"])
            return json_response(
                {
                    "step": step,
                    "added": added,
                    "edited": edited,
                    "portals": sorted(
                        self.landscape.portals[i].key for r in replies for i in r["changed"]
                    ),
                    "truth": str(self.truth_path),
                    "reports": self.counts.get("reports"),
                }
            )
