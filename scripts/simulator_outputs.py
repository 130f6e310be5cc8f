"""Dump what the simulator answers for a sample of requests, to check that a change to it
(or to the fabricate library it draws on) changes no byte it serves.

    .venv/bin/python scripts/simulator_outputs.py dump OUT.json [--portals 2000] [--files 1]
    .venv/bin/python scripts/simulator_outputs.py compare OLD.json NEW.json

The sample: the first 60 portals of the landscape (every family, encoding, caching style
and corner, several times) and 20 more drawn at random, challenge hosts left out (their
cookies are fresh on every answer). For each portal every static route (home, columns'
first pages, every article and report page, split pages, redirects, robots.txt),
``--files`` attachments, Hanweb ``dataproxy.jsp`` (POST and GET) and gkmlpt API pages, a
missing page, and the same-site links found on the pages answered (Epoint ``iList.jsp``,
Hanweb's annual-report module, calendar pages …); some answers are asked again with
``If-None-Match`` and as HEAD. Each answer is recorded as a SHA-256 of its status,
content type, headers, delay and body. Everything is asked three times: without the
disk cache of rendered report bodies, with it just written (as the truth writers do),
and reading it again in a new simulator; the three must agree.

To compare against another commit, dump from a worktree of that commit (its own
``.venv``), or with its tree on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

PORT = 8731
LINK = re.compile(r'(?:href|src|action)="([^"#]*)"')
CHALLENGES = ("rs412", "rs412-hard", "jsl521")

Ask = tuple[str, str, bytes, dict[str, str]]  # method, target, body, headers


def _portals(landscape: Any) -> list[Any]:
    rng = random.Random(7)
    chosen = list(range(min(60, len(landscape.portals))))
    others = list(range(len(chosen), len(landscape.portals)))
    chosen += rng.sample(others, min(20, len(others)))
    portals = [landscape.portals[i] for i in chosen]
    return [p for p in portals if p.host_corner not in CHALLENGES]


def _asks(portal: Any, rng: random.Random, files: int) -> list[Ask]:
    from crawler.simulator import families

    kinds: dict[str, list[str]] = {}
    for key, route in portal.routes.items():
        kinds.setdefault(route.kind, []).append(key)
    out: list[Ask] = []
    for kind, keys in kinds.items():
        if kind == "file":
            continue
        for key in keys[:12] if kind == "column" else keys:
            out.append(("GET", key, b"", {}))
    attachments = kinds.get("file", [])
    rng.shuffle(attachments)
    out += [("GET", key, b"", {}) for key in attachments[:files]]
    family = families.get(portal.family)
    webid = getattr(family, "webid", None)  # Hanweb's site id
    form = {"content-type": "application/x-www-form-urlencoded"}
    for column in portal.columns[:8]:
        if webid is not None:
            query = f"columnid={column.colid}&webid={webid(portal)}"
            for page in (1, 2):
                body = f"{query}&page={page}&perpage=15".encode()
                out.append(("POST", "/module/web/jpage/dataproxy.jsp", body, form))
            target = f"/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&{query}"
            out.append(("GET", target, b"", {}))
        elif portal.family == "gkmlpt":
            for page in (1, 2):
                target = f"/gkmlpt/api/all/{column.colid}?page={page}&sid={portal.sid}"
                out.append(("GET", target, b"", {}))
    out.append(("GET", "/no/such/page.html", b"", {}))
    return out


def _digest(response: Any) -> str:
    h = hashlib.sha256()
    head = (response.status, response.content_type, response.headers, response.delay)
    h.update(repr((*head, response.close)).encode())
    h.update(response.body)
    return h.hexdigest()


def dump(out: Path, portals: int, files: int) -> int:
    from crawler.simulator import content, encoding
    from crawler.simulator.app import Simulator
    from crawler.simulator.landscape import Config, fill_portal, plan_landscape
    from crawler.simulator.server import Request

    landscape = plan_landscape(Config(seed=1, portals=portals, rate=0))
    landscape.set_port(PORT, "127.0.0.1")
    sample = _portals(landscape)
    for portal in sample:
        fill_portal(landscape, portal)
    loop = asyncio.new_event_loop()
    records: dict[str, str] = {}
    differ = 0

    def ask(
        sim: Simulator, portal: Any, method: str, target: str, body: bytes, headers: dict[str, str]
    ) -> Any:
        path, _, query = target.partition("?")
        request = Request(method, target, path, query, dict(headers), body, portal.ip, "127.0.0.1")
        response = sim.dispatch(request)
        if response.later is not None:
            response = loop.run_until_complete(response.later)
        return response

    with tempfile.TemporaryDirectory(prefix="simulator-outputs-") as tmp:
        for mode in ("plain", "bodies-written", "bodies-read"):
            content.BODIES = None if mode == "plain" else Path(tmp) / "bodies"
            first = mode == "plain"
            if mode == "bodies-written":  # as the truth writers do, before serving reads them
                for portal in sample:
                    codec = encoding.codec(portal.encoding)
                    for spec in portal.reports:
                        if spec.format == "html" and spec.layout != "seed-text":
                            content.store_body(spec, codec)
            sim = Simulator(landscape, owned={p.ip for p in sample}, files_dir=Path(tmp) / "files")
            rng = random.Random(3)
            for portal in sample:
                asks = _asks(portal, rng, files if first else 0)
                seen = {a[1] for a in asks}
                found: list[str] = []
                for method, target, body, headers in asks:
                    response = ask(sim, portal, method, target, body, headers)
                    key = f"{portal.key} {method} {target} {body.decode()}"
                    digest = _digest(response)
                    if first:
                        records[key] = digest
                    elif records.get(key) != digest:
                        differ += 1
                        print(f"{mode} differs from plain: {key}")
                    if not first or response.status != 200 or method != "GET":
                        continue
                    if "html" in (response.content_type or "") and len(found) < 40:
                        for link in LINK.findall(response.body.decode("latin-1")):
                            link = link.replace("&amp;", "&")
                            local = link.startswith("/") and not link.startswith(("//", "/static/"))
                            if local and link not in seen:
                                seen.add(link)
                                found.append(link)
                    etag = next((v for k, v in response.headers if k == "ETag"), None)
                    if etag and rng.random() < 0.05:
                        again = ask(sim, portal, "GET", target, b"", {"if-none-match": etag})
                        records[key + " If-None-Match"] = _digest(again)
                        records[key + " HEAD"] = _digest(ask(sim, portal, "HEAD", target, b"", {}))
                for link in found:
                    records[f"{portal.key} GET {link} "] = _digest(
                        ask(sim, portal, "GET", link, b"", {})
                    )
            sim.close()
    out.write_text(json.dumps(records, indent=0, sort_keys=True), encoding="utf-8")
    print(f"{len(records)} answers of {len(sample)} portals recorded in {out}")
    return 1 if differ else 0


def compare(old: Path, new: Path) -> int:
    a = json.loads(old.read_text(encoding="utf-8"))
    b = json.loads(new.read_text(encoding="utf-8"))
    differ = [k for k in a if a[k] != b.get(k)] + [k for k in b if k not in a]
    if not differ:
        print(f"identical: {len(a)} answers")
        return 0
    print(f"{len(differ)} of {len(a)} answers differ, e.g.:")
    for k in differ[:10]:
        print(" ", k)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--portals", type=int, default=2000)
    d.add_argument("--files", type=int, default=1, help="attachments asked per portal")
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "dump":
        return dump(args.out, args.portals, args.files)
    return compare(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
