"""The egg scrapyd-deploy builds: only our packages, data inside, no secret, works zipped."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "egg-secret-0f5c9e"


@pytest.fixture(scope="module")
def egg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("egg") / "gov_reports.egg"
    env = {**os.environ, "SCRAPYD_PORT": "6800", "SCRAPYD_USERNAME": "someone",
           "SCRAPYD_PASSWORD": SECRET}  # fmt: skip
    subprocess.run(
        [str(BIN / "scrapyd-deploy"), "--build-egg", str(path)],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return path


def test_egg_holds_only_our_packages_and_their_data(egg: Path) -> None:
    names = zipfile.ZipFile(egg).namelist()
    assert {n.split("/")[0] for n in names} == {"EGG-INFO", "crawler", "spiders", "pipelines"}
    assert "crawler/data/county_portals.csv" in names
    assert "crawler/data/divisions.csv.gz" in names
    assert "crawler/migrations/env.py" in names
    assert "crawler/migrations/script.py.mako" in names
    assert "crawler/scrapyd/commands/crawl.py" in names
    # Pure Python only: a zipped egg cannot load extension modules (crawler.native).
    assert not [n for n in names if n.endswith((".so", ".pyd", ".c")) or "__mypyc" in n]
    entry_points = zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode()
    assert "settings = crawler.settings" in entry_points


def test_no_secret_in_the_egg_or_the_config(egg: Path) -> None:
    with zipfile.ZipFile(egg) as archive:
        for name in archive.namelist():
            assert SECRET.encode() not in archive.read(name), name
    for config in ("scrapy.cfg", "scrapyd.conf"):
        for line in (ROOT / config).read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() in {"username", "password"}:
                assert value.strip() in {"", "${SCRAPYD_USERNAME}", "${SCRAPYD_PASSWORD}"}


def _run_with_egg(script: str, egg: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``script`` in an isolated interpreter (``-I``: no PYTHONPATH, no working directory on
    the path), with the egg's path as its argument."""
    return subprocess.run(
        [sys.executable, "-I", "-c", script, str(egg)],
        cwd=cwd, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_package_data_reads_from_the_zipped_egg(egg: Path, tmp_path: Path) -> None:
    """Registry, seeds, migrations and the simulator fingerprint, imported from the zip only."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import crawler, crawler.registry as r, crawler.db.migrate as m\n"
        "from crawler.simulator.truth import code_fingerprint\n"
        "assert crawler.__file__.startswith(sys.argv[1]), crawler.__file__\n"
        "print(len(r.county_portals()), len(r.seed_texts()), m.head_revision() is not None,"
        " len(code_fingerprint()))\n"
    )
    done = _run_with_egg(script, egg, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2839", "5", "True", "16"]


def test_the_parser_runs_as_pure_python_from_the_zipped_egg(egg: Path, tmp_path: Path) -> None:
    """No compiled build beside a zipped egg: the .py modules, quietly, and they parse."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import crawler.parse as p, crawler.parse.tables as t, crawler.registry as r\n"
        "assert t.__file__.startswith(sys.argv[1]) and t.__file__.endswith('.py'), t.__file__\n"
        "text = r.seed_texts()[min(r.seed_texts())]\n"
        "print(p.native_status().compiled, len(p.parse_report(p.clean_text(text)).values()))\n"
    )
    done = _run_with_egg(script, egg, tmp_path)
    assert done.returncode == 0, done.stderr
    compiled, cells = done.stdout.split()
    assert compiled == "False" and int(cells) > 50
    assert not done.stderr  # no warning: a missing build is not a stale one
