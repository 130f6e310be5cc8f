"""What ships: only crawler*, spiders*, pipelines*, with the migrations and the registry inside."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _declared() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(config["packages"])


def _on_disk() -> set[str]:
    found = set()
    for top in ("crawler", "spiders", "pipelines"):
        for init in (ROOT / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    for init in (ROOT / "migrations").rglob("__init__.py"):
        found.add(".".join(("crawler", *init.parent.relative_to(ROOT).parts)))
    return found


def test_package_list_names_every_package() -> None:
    assert _declared() == _on_disk()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        cwd=out,
    )
    (path,) = out.glob("gov_reports-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_holds_only_our_packages(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/")[0] for name in wheel.namelist() if not name.startswith("gov_reports-")}
    assert tops == {"crawler", "spiders", "pipelines"}


def test_wheel_carries_migrations_and_data(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "crawler/migrations/env.py" in names
    assert "crawler/migrations/script.py.mako" in names
    assert any(n.startswith("crawler/migrations/versions/") and n.endswith(".py") for n in names)
    assert "crawler/data/county_portals.csv" in names
    assert "crawler/data/divisions.csv.gz" in names
    assert sum(n.startswith("crawler/data/seeds/") and n.endswith(".txt") for n in names) == 5
    assert sum(n.endswith(".truth.json") for n in names) == 5


def test_registry_reads_through_importlib_resources() -> None:
    from crawler.registry import county_portals, divisions, seed_texts, seed_truths

    assert len(county_portals()) == 2839
    assert [d.name for d in divisions().ancestors("411421103")] == [
        "河南省",
        "商丘市",
        "民权县",
        "北关镇",
    ]
    assert len(seed_texts()) == 5
    assert set(seed_truths()) == set(seed_texts())
