"""Build the bundled registry in crawler/data/ from the reference data in ../shared/data/.

    python scripts/build_registry.py [SOURCE_DIR]

Writes ``crawler/data/county_portals.csv`` (division_code, name, province, city,
portal_url) and ``crawler/data/divisions.csv.gz`` (code, name, level, parent_code)
for every province, city, county and township. Run it again when the reference data
changes; the output is deterministic.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "crawler" / "data"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else ROOT.parent / "shared" / "data"
    provinces = _rows(source / "divisions_provinces.csv")
    cities = _rows(source / "divisions_cities.csv")
    areas = _rows(source / "divisions_areas.csv")
    streets = _rows(source / "divisions_streets.csv")

    divisions: list[tuple[str, str, str, str]] = []
    divisions += [(p["code"], p["name"], "province", "") for p in provinces]
    divisions += [(c["code"], c["name"], "city", c["provinceCode"]) for c in cities]
    divisions += [(a["code"], a["name"], "county", a["cityCode"]) for a in areas]
    divisions += [(s["code"], s["name"], "township", s["areaCode"]) for s in streets]
    divisions.sort()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "name", "level", "parent_code"])
    writer.writerows(divisions)
    # mtime=0 keeps the archive byte-identical from run to run.
    (TARGET / "divisions.csv.gz").write_bytes(gzip.compress(buffer.getvalue().encode(), mtime=0))

    province_names = {p["code"]: p["name"] for p in provinces}
    city_names = {c["code"]: c["name"] for c in cities}
    portals = sorted(_rows(source / "county_portals.csv"), key=lambda r: r["division_code"])
    with (TARGET / "county_portals.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["division_code", "name", "province", "city", "portal_url"])
        for row in portals:
            code = row["division_code"]
            url = row["portal_url"]
            if "://" not in url:
                url = "http://" + url
            writer.writerow(
                [
                    code,
                    row["name"],
                    province_names.get(code[:2], ""),
                    city_names.get(code[:4], ""),
                    url,
                ]
            )
    print(f"{len(divisions)} divisions, {len(portals)} county portals written to {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
