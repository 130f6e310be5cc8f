"""gov-reports as a service: a real Scrapyd with the repository's scrapyd.conf, real eggs.

One daemon for the module, on a free loopback port, with basic auth, in a temporary
folder holding a copy of ``scrapyd.conf``; ``scrapyd-deploy`` builds and uploads the
egg from this tree; jobs crawl the portal simulator into the test PostgreSQL
(``DATABASE_URL`` in the daemon's environment). The spider is still being rewritten,
so the rows checked are the seed portal's five real reports and all their cells.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from decimal import Decimal
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from crawler.commands.schedule import Scrapyd
from crawler.db import migrate
from crawler.db.models import Base
from crawler.db.session import make_engine
from crawler.simulator.process import SimulatorProcess

pytestmark = [pytest.mark.scrapyd, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
USER = "crawler"
PASSWORD = uuid.uuid4().hex
JOB_TIMEOUT = 150.0
FAST = ["DOWNLOAD_DELAY=0.01", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=INFO"]
NEW_VERSION = "0.1.0+redeployed"
_SNAPSHOT = """
SELECT r.url, r.title, r.organ, r.level, r.year, r.template, r.publish_date, r.division_code,
       r.section_1, r.section_2, r.section_3, r.section_4, r.section_5, r.section_6,
       c.cell, c.value, c.raw, c.unit
FROM reports r JOIN report_cells c ON c.report_id = r.id
UNION ALL
SELECT r.url, f.rule, f.detail, f.severity, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, array_to_string(f.cells, ','), NULL, NULL, NULL
FROM reports r JOIN findings f ON f.report_id = r.id
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Daemon:
    """Scrapyd started with ``python -m crawler.scrapyd.run`` (what ``make scrapyd`` runs)."""

    def __init__(self, home: Path, port: int, env: dict[str, str]) -> None:
        self.home, self.port, self.env = home, port, env
        self.url = f"http://127.0.0.1:{port}/"
        self.client = Scrapyd(self.url, (USER, PASSWORD))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.home / "daemon.out").open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "crawler.scrapyd.run", "--port", str(self.port), "--home",
                 str(self.home)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=self.home,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.home / "daemon.out").read_text()
            try:
                self.client.call("daemonstatus.json")
                return
            except Exception:
                time.sleep(0.3)
        raise AssertionError("Scrapyd did not answer in 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def schedule(self, *settings: str, **args: str) -> str:
        form = [("project", "gov_reports"), ("spider", "gov_reports"), *args.items()]
        form += [("setting", s) for s in settings]
        return str(self.client.call("schedule.json", form)["jobid"])

    def finished(self) -> dict[str, dict[str, Any]]:
        return {j["id"]: j for j in self.client.listjobs("gov_reports")["finished"]}

    def wait(self, *jobs: str, timeout: float = JOB_TIMEOUT) -> dict[str, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.finished()
            if all(job in done for job in jobs):
                return {job: done[job] for job in jobs}
            time.sleep(1)
        raise AssertionError(
            f"jobs not finished in {timeout:.0f} s: {self.client.listjobs('gov_reports')}"
        )

    def get(self, path: str) -> str:
        request = urllib.request.Request(self.url.rstrip("/") + path)
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=30) as response:
            return str(response.read().decode("utf-8"))

    def log_lines(self, job: dict[str, Any]) -> list[str]:
        return [line for line in self.get(job["log_url"]).splitlines() if line.strip()]


def deploy(tree: Path, port: int, version: str) -> dict[str, Any]:
    env = {**os.environ, "SCRAPYD_PORT": str(port), "SCRAPYD_USERNAME": USER,
           "SCRAPYD_PASSWORD": PASSWORD}  # fmt: skip
    done = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "local", "-p", "gov_reports", "-v", version],
        cwd=tree, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorProcess]:
    with SimulatorProcess(portals=4, seed=7, rate=0, with_seeds=True) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def seed_sites(sim: SimulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A sites file with only the seed portal: five real reports, quick to crawl."""
    (seed_url,) = [p["url"] for p in sim.truth["portals"] if p["key"] == "seeds"]
    header, *rows = sim.sites_csv.read_text(encoding="utf-8").splitlines()
    (row,) = [r for r in rows if r.split(",")[0] == seed_url]
    path = tmp_path_factory.mktemp("seed-sites") / "sites.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def database(pg_server_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_server_url)
    migrate.upgrade(engine)
    _empty(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def daemon(
    tmp_path_factory: pytest.TempPathFactory, pg_server_url: str, database: Engine
) -> Iterator[Daemon]:
    home = tmp_path_factory.mktemp("scrapyd")
    shutil.copy(ROOT / "scrapyd.conf", home / "scrapyd.conf")
    env = {
        **os.environ,
        "DATABASE_URL": pg_server_url,
        "GOVREPORTS_HOME": str(home / "govreports"),
        "SCRAPYD_USERNAME": USER,
        "SCRAPYD_PASSWORD": PASSWORD,
    }
    env.pop("SCRAPYD_HTTP_PORT", None)
    server = Daemon(home, _free_port(), env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def empty_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real portal that answers, with no report anywhere."""
    folder = tmp_path_factory.mktemp("empty-portal")
    (folder / "index.html").write_text(
        "<html><head><title>某县人民政府</title></head><body><a href='about.html'>关于</a>"
        "</body></html>",
        encoding="utf-8",
    )

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sites = folder / "sites.csv"
    sites.write_text(
        f"portal_url,name,division_code\nhttp://127.0.0.1:{server.server_port}/index.html,"
        "空县人民政府,999999\n",
        encoding="utf-8",
    )
    try:
        yield str(sites)
    finally:
        server.shutdown()
        server.server_close()


def _empty(engine: Engine) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(text(_SNAPSHOT)))


def _seed_rows(engine: Engine, sim: SimulatorProcess) -> dict[str, dict[str, Decimal | None]]:
    """The stored cells of each seed report, keyed by the report's truth id."""
    found: dict[str, dict[str, Decimal | None]] = {}
    with engine.connect() as conn:
        for report in (r for r in sim.truth["reports"] if r["portal"] == "seeds"):
            report_id = conn.execute(
                text(
                    "SELECT id FROM reports WHERE url = ANY(:u) UNION "
                    "SELECT report_id FROM report_aliases WHERE url = ANY(:u)"
                ),
                {"u": report["urls"]},
            ).scalar()
            if report_id is None:
                continue
            rows = conn.execute(
                text("SELECT cell, value FROM report_cells WHERE report_id = :r"), {"r": report_id}
            )
            found[report["id"]] = {row.cell: row.value for row in rows}
    return found


def _assert_seed_reports_landed(engine: Engine, sim: SimulatorProcess) -> None:
    seeds = [r for r in sim.truth["reports"] if r["portal"] == "seeds"]
    assert len(seeds) == 5
    stored = _seed_rows(engine, sim)
    assert set(stored) == {r["id"] for r in seeds}
    for report in seeds:
        expected = {
            cell: None if value is None else Decimal(str(value))
            for cell, value in report["cells"].items()
        }
        assert stored[report["id"]] == expected, report["id"]


def test_unauthenticated_requests_are_refused(daemon: Daemon) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(daemon.url + "listjobs.json", timeout=10)
    refused.value.close()
    assert refused.value.code == 401


def test_deploy_crawl_and_rows(
    daemon: Daemon,
    sim: SimulatorProcess,
    seed_sites: str,
    database: Engine,
    pg_server_url: str,
    tmp_path: Path,
) -> None:
    answer = deploy(ROOT, daemon.port, "v1")
    assert answer["status"] == "ok" and answer["spiders"] == 1
    assert daemon.client.call("listspiders.json?project=gov_reports")["spiders"] == ["gov_reports"]

    job = daemon.schedule(*FAST, sites=seed_sites)
    entry = daemon.wait(job)[job]
    assert entry["close_reason"] == "finished", entry
    assert entry["exit_status"] == 0 and entry["version"] == "v1"
    lines = daemon.log_lines(entry)
    assert "gov_reports closed: finished: " in lines[-1]
    assert any("'DOWNLOAD_DELAY': '0.01'" in line for line in lines)  # setting= reached the crawl
    assert any("Storing into postgresql://" in line for line in lines)  # the daemon's DATABASE_URL
    items = daemon.get(entry["items_url"]).splitlines()
    assert any('"portal_url"' in line for line in items)
    _assert_seed_reports_landed(database, sim)

    # The same crawl with plain `scrapy crawl` into an emptied database: the same rows.
    from_scrapyd = _snapshot(database)
    _empty(database)
    env = {
        **os.environ,
        "DATABASE_URL": pg_server_url,
        "SCRAPY_SETTINGS_MODULE": "crawler.settings",
        "GOVREPORTS_HOME": str(tmp_path / "home"),
    }
    argv = [str(BIN / "scrapy"), "crawl", "gov_reports", "-a", f"sites={seed_sites}",
            "-s", f"LOG_FILE={tmp_path / 'crawl.log'}"]  # fmt: skip
    argv += [x for setting in FAST for x in ("-s", setting)]
    subprocess.run(argv, cwd=tmp_path, env=env, check=True, timeout=JOB_TIMEOUT)
    assert _snapshot(database) == from_scrapyd
    assert len(from_scrapyd) > 5 * 190


def test_failures_are_visible(
    daemon: Daemon, sim: SimulatorProcess, seed_sites: str, empty_portal: str
) -> None:
    sites = str(sim.sites_csv)
    missing = daemon.schedule(sites="/nonexistent/sites.csv")
    db_down = daemon.schedule(
        *FAST,
        "GOVREPORTS_DATABASE_URL=postgresql://nobody:secret@127.0.0.1:9/none",
        sites=seed_sites,
    )
    nothing = daemon.schedule(*FAST, "ROBOTSTXT_OBEY=False", sites=empty_portal)
    slow = ["DOWNLOAD_DELAY=3", "AUTOTHROTTLE_ENABLED=False", "CLOSESPIDER_TIMEOUT=150"]
    first = daemon.schedule(*slow, sites=sites)
    second = daemon.schedule(*slow, sites=sites)  # the same portals: one of the two is refused

    done = daemon.wait(missing, db_down, nothing)
    expected = {
        missing: ("configuration_error", "sites file not found: /nonexistent/sites.csv"),
        db_down: ("database_unavailable", "cannot use postgresql://nobody:***@127.0.0.1:9/none"),
        nothing: ("no_reports", "1 of 1 portals answered"),
    }
    for job, (reason, cause) in expected.items():
        entry = done[job]
        assert entry["close_reason"] == reason, entry
        assert cause in entry["cause"] and entry["exit_status"] == 1
        last = daemon.log_lines(entry)[-1]
        assert f"gov_reports closed: {reason}: " in last and cause in last
        assert "secret" not in last

    deadline = time.monotonic() + JOB_TIMEOUT
    while not {first, second} & set(daemon.finished()) and time.monotonic() < deadline:
        time.sleep(1)
    refused = next(job for job in (first, second) if job in daemon.finished())
    holder = second if refused == first else first
    entry = daemon.finished()[refused]
    assert entry["close_reason"] == "overlap", entry
    assert f"gov_reports job {holder}" in entry["cause"]
    assert "gov_reports closed: overlap: " in daemon.log_lines(entry)[-1]

    cancel = [("project", "gov_reports"), ("job", holder)]
    daemon.client.call("cancel.json", cancel)  # graceful: lets the pipelines finish …
    time.sleep(3)
    daemon.client.call("cancel.json", cancel)  # … which takes a while here: force it
    entry = daemon.wait(holder)[holder]
    assert entry["close_reason"] == "shutdown", entry
    assert "gov_reports closed: shutdown: " in daemon.log_lines(entry)[-1]


def test_redeploy_runs_the_new_version(
    daemon: Daemon, sim: SimulatorProcess, seed_sites: str, database: Engine, tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    for name in ("crawler", "spiders", "pipelines", "migrations"):
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "scrapy.cfg", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    init = tree / "crawler" / "__init__.py"
    init.write_text(init.read_text().replace('"0.1.0"', f'"{NEW_VERSION}"'))
    assert deploy(tree, daemon.port, "v2")["status"] == "ok"
    versions = daemon.client.call("listversions.json?project=gov_reports")["versions"]
    assert versions == ["v1", "v2"]
    with database.connect() as conn:
        reports_before = conn.execute(text("SELECT count(*) FROM reports")).scalar()

    env = {**os.environ, "SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD}
    done = subprocess.run(
        [str(BIN / "govreports"), "schedule", "--url", daemon.url, "--sites", seed_sites,
         *(x for s in FAST for x in ("-s", s)), "--wait", "--poll", "1",
         "--timeout", str(JOB_TIMEOUT)],
        env=env, capture_output=True, text=True, timeout=JOB_TIMEOUT + 30,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    job = done.stdout.splitlines()[0]
    assert done.stdout.splitlines()[-1].startswith(f"{job}: finished: ")
    entry = daemon.finished()[job]
    assert entry["version"] == "v2"
    lines = daemon.log_lines(entry)
    assert any(f"gov-reports/{NEW_VERSION}" in line for line in lines)  # the egg's code ran
    with database.connect() as conn:  # the same rows again: upserted, not duplicated
        assert conn.execute(text("SELECT count(*) FROM reports")).scalar() == reports_before
    _assert_seed_reports_landed(database, sim)


def test_job_history_survives_a_restart(daemon: Daemon) -> None:
    before = daemon.finished()
    assert len(before) >= 6
    daemon.stop()
    daemon.start()
    after = daemon.finished()
    assert {j: e["close_reason"] for j, e in after.items()} == {
        j: e["close_reason"] for j, e in before.items()
    }
