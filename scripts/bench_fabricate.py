"""How fast crawler.fabricate generates and renders: pages per second, per layout.

    .venv/bin/python scripts/bench_fabricate.py [N]

"cold" renders each report for the first time (its logical tables are built),
"warm" renders it again (the tables are memoised on the report), "page" is
generate_report + render_page with a fresh report each time, chrome rotating.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from crawler.fabricate import (
    ATTACHMENT_FORMATS,
    CHROME_STYLES,
    HTML_LAYOUTS,
    TEXT_LAYOUTS,
    Unit,
    county_units,
    generate_report,
    render_attachment,
    render_body,
    render_page,
    render_text,
    site_info,
)

T = TypeVar("T")


def rate(items: Sequence[T], work: Callable[[int, T], object]) -> float:
    """Items per second for ``work(index, item)`` over ``items``."""
    start = time.perf_counter()
    for i, item in enumerate(items):
        work(i, item)
    return len(items) / (time.perf_counter() - start)


def main(n: int = 300) -> None:
    pool = county_units("130682", random.Random(7)) + county_units("330825", random.Random(7))
    site = site_info("130682", random.Random(1))
    units: list[Unit] = [pool[i % len(pool)] for i in range(n)]

    def report(i: int, unit: Unit) -> object:
        return generate_report(random.Random(i), unit, 2019 + i % 6)

    print(f"generate_report          {rate(units, report):9.0f}/s")
    print("layout                   body cold  body warm  page (generate + render)")
    for layout in HTML_LAYOUTS:
        batch = [generate_report(random.Random(i), u, 2019 + i % 6) for i, u in enumerate(units)]
        body = lambda i, r, layout=layout: render_body(r, layout, random.Random(i))  # noqa: E731
        cold, warm = rate(batch, body), rate(batch, body)
        page = rate(
            units,
            lambda i, u, layout=layout: render_page(
                generate_report(random.Random(i), u, 2019 + i % 6),
                layout=layout,
                chrome=CHROME_STYLES[i % len(CHROME_STYLES)],
                rng=random.Random(i),
                site=site,
            ),
        )
        print(f"{layout:24s} {cold:9.0f} {warm:10.0f} {page:10.0f}")
    batch = [generate_report(random.Random(i), u, 2019 + i % 6) for i, u in enumerate(units)]
    for layout in TEXT_LAYOUTS:
        text = rate(batch, lambda i, r, layout=layout: render_text(r, layout, random.Random(i)))
        print(f"text {layout:19s} {text:9.0f}")
    for fmt in ATTACHMENT_FORMATS:
        files = rate(batch[:20], lambda i, r, fmt=fmt: render_attachment(r, fmt, random.Random(i)))
        print(f"attachment {fmt:13s} {files:9.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
