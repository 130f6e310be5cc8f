"""``make bench-parse``: our full parse beside ``trafilatura.extract`` on the same pages.

The pages are generated (:mod:`crawler.fabricate`): ``--pages`` report detail pages
(default 600) of both templates, every HTML layout, every CMS chrome style and every
page encoding, as the bytes a portal serves. Both sides get those bytes:

* ours: :func:`crawler.parse.parse_document` — encoding detection, chrome removal,
  sections, tables to canonical cells, metadata and the arithmetic checks;
* theirs: ``trafilatura.extract(body)`` — main-text extraction only (plain text out).

Both run in this process, after the same warm-up, timed the same way: ``--repeat``
passes (default 3), each one side over all pages and then the other (which goes first
alternates from pass to pass), in CPU time of this process (``time.process_time``: on a
shared machine, wall time measures the neighbours too); each side's best pass gives its
pages per second. That is how a parser runs in a crawl: ours in the parse workers
(``GOVREPORTS_WORKER_PROCESSES``), which parse page after page and nothing else.

One more pass, printed for comparison and not counted, runs the two page by page in turn
(ours, then theirs, on the same bytes), as this benchmark did up to stop 12. That way
charges the faster side for the slower one's leavings: each of our pages starts on the
CPU caches (and malloc free lists) that ~30 ms of trafilatura left behind, which costs
our 2–3 ms pages 12–21 % more CPU time and trafilatura's pages nothing measurable
(measured in one process, stop 13: ours 2.43 ms/page run alone, 2.73 ms interleaved; theirs
29.3 and 28.4 ms).

The parse's exactness is checked on the way (every page must give back its report's
cells), and which parser ran, compiled (:mod:`crawler.native`) or pure Python, is printed
before the timings; the last line printed is always::

    parse-vs-trafilatura: <ratio>x

``--attachments`` measures the attachment readers instead: CPU ms per PDF, DOCX and
XLSX file (:mod:`crawler.bench.attachments`, which takes the remaining arguments).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import logging
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from crawler.fabricate import (
    CHROME_STYLES,
    ENCODINGS,
    HTML_LAYOUTS,
    SyntheticReport,
    county_units,
    encode_page,
    generate_report,
    render_page,
)
from crawler.parse import native_status, parse_document
from crawler.parse.encoding import charset_from_content_type

COUNTIES: Final = ("130682", "330825", "440306", "652701", "231002", "411421", "211224")
URL: Final = "http://www.example.gov.cn/zwgk/zfxxgknb/202301/t20230130_{}.html"
WARM_UP: Final = 20  # pages each side parses before timing


@dataclass(frozen=True, slots=True)
class Page:
    body: bytes
    content_type: str
    charset: str | None
    url: str
    report: SyntheticReport
    layout: str
    chrome: str
    encoding: str


def build_pages(n: int, seed: int = 0) -> list[Page]:
    """``n`` report pages, layouts × chromes × encodings in turn, reports drawn from ``seed``."""
    pools = {c: county_units(c, random.Random(0)) for c in COUNTIES}
    combos = list(itertools.product(HTML_LAYOUTS, CHROME_STYLES, ENCODINGS))
    random.Random(seed).shuffle(combos)
    pages = []
    for i in range(n):
        layout, chrome, encoding = combos[i % len(combos)]
        rng = random.Random(seed * 1_000_003 + i)
        pool = pools[rng.choice(COUNTIES)]
        report = generate_report(
            rng,
            pool[rng.randrange(len(pool))],
            rng.randint(2019, 2024),
            broken=rng.random() < 0.3,
            blank_rate=rng.choice((0.0, 0.0, 0.2)),
            odd_values=rng.random() < 0.4,
            gbk_only=True if encoding == "gb2312-lying" else None,
        )
        html = render_page(report, layout=layout, chrome=chrome, rng=rng)
        body, headers = encode_page(html, charset=encoding)
        content_type = headers["Content-Type"]
        pages.append(
            Page(
                body=body,
                content_type=content_type,
                charset=charset_from_content_type(content_type),
                url=URL.format(1_000_000 + i),
                report=report,
                layout=layout,
                chrome=chrome,
                encoding=encoding,
            )
        )
    return pages


def ours(page: Page) -> object:
    return parse_document(
        page.body, url=page.url, content_type=page.content_type, encoding=page.charset
    )


def trafilatura_extractor() -> Callable[[Page], object]:
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a dev dependency
        raise SystemExit("bench-parse needs trafilatura: pip install -e '.[dev]'") from None
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

    def theirs(page: Page) -> object:
        return trafilatura.extract(page.body, url=page.url, output_format="txt")

    return theirs


def cpu_seconds(fn: Callable[[Page], object], pages: Sequence[Page]) -> float:
    """CPU seconds of one pass of ``fn`` over ``pages``, page after page."""
    gc.collect()
    clock = time.process_time
    started = clock()
    for page in pages:
        fn(page)
    return clock() - started


def timed_pass(
    ours_fn: Callable[[Page], object],
    theirs_fn: Callable[[Page], object],
    pages: Sequence[Page],
    ours_first: bool = True,
) -> tuple[float, float]:
    """CPU seconds of one pass of each over ``pages`` (ours, theirs): one side over every
    page, then the other (``ours_first``: which side starts)."""
    if ours_first:
        mine = cpu_seconds(ours_fn, pages)
        return mine, cpu_seconds(theirs_fn, pages)
    theirs = cpu_seconds(theirs_fn, pages)
    return cpu_seconds(ours_fn, pages), theirs


def interleaved_pass(
    ours_fn: Callable[[Page], object], theirs_fn: Callable[[Page], object], pages: Sequence[Page]
) -> tuple[float, float]:
    """CPU seconds of one pass of each over ``pages``, page by page in turn (ours, theirs):
    the comparison pass (see the module docstring)."""
    gc.collect()
    clock = time.process_time
    mine = theirs = 0.0
    for page in pages:
        t0 = clock()
        ours_fn(page)
        t1 = clock()
        theirs_fn(page)
        t2 = clock()
        mine += t1 - t0
        theirs += t2 - t1
    return mine, theirs


def exact(pages: Sequence[Page]) -> int:
    """Pages whose parse gives back every cell value of the report they show."""
    good = 0
    for page in pages:
        parsed = parse_document(
            page.body, url=page.url, content_type=page.content_type, encoding=page.charset
        )
        if parsed.template == page.report.template and parsed.values() == page.report.cells:
            good += 1
    return good


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if "--attachments" in args_in:  # the attachment readers instead (crawler.bench.attachments)
        from crawler.bench import attachments

        return attachments.main([a for a in args_in if a != "--attachments"])
    parser = argparse.ArgumentParser(
        prog="python -m crawler.bench.parse",
        description="Reports per second: our full parse beside trafilatura.extract.",
    )
    parser.add_argument("--pages", type=int, default=600, help="generated pages (min 500)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per side")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--allow-small", action="store_true", help="allow fewer than 500 pages (smoke runs)"
    )
    args = parser.parse_args(args_in)
    if args.pages < 500 and not args.allow_small:
        parser.error("--pages must be at least 500 (or pass --allow-small)")
    if args.pages < 1 or args.repeat < 1:
        parser.error("--pages and --repeat must be positive")
    theirs = trafilatura_extractor()

    started = time.perf_counter()
    pages = build_pages(args.pages, args.seed)
    total = sum(len(p.body) for p in pages)
    print(
        f"pages: {len(pages)} generated in {time.perf_counter() - started:.1f} s "
        f"({len(HTML_LAYOUTS)} layouts x {len(CHROME_STYLES)} chromes x "
        f"{len(ENCODINGS)} encodings), {total / len(pages) / 1024:.0f} KiB on average"
    )
    print(f"parser: {native_status()}")  # compiled (make install) or pure Python
    good = exact(pages)
    print(f"exact parses: {good}/{len(pages)} (every cell of the report)")

    for fn in (ours, theirs):  # warm-up: imports, caches, lazy compilation
        for page in pages[:WARM_UP]:
            fn(page)
    best_ours = best_theirs = float("inf")
    for n in range(args.repeat):
        ours_first = n % 2 == 0
        t_ours, t_theirs = timed_pass(ours, theirs, pages, ours_first)
        best_ours, best_theirs = min(best_ours, t_ours), min(best_theirs, t_theirs)
        print(
            f"pass {n + 1}/{args.repeat} ({'ours' if ours_first else 'trafilatura'} first): "
            f"parse {t_ours:.2f} s, trafilatura {t_theirs:.2f} s (CPU), {t_theirs / t_ours:.1f}x",
            flush=True,
        )
    i_ours, i_theirs = interleaved_pass(ours, theirs, pages)
    print(
        f"page by page in turn (not counted; see the docstring): parse "
        f"{i_ours / len(pages) * 1000:.2f} ms/page, trafilatura "
        f"{i_theirs / len(pages) * 1000:.2f} ms/page, {i_theirs / i_ours:.1f}x",
        flush=True,
    )
    rate_ours = len(pages) / best_ours
    rate_theirs = len(pages) / best_theirs
    print(
        f"parse (clean + parse + validate, bytes in): {rate_ours:.1f} reports/s "
        f"({best_ours / len(pages) * 1000:.2f} ms/page CPU, best of {args.repeat})"
    )
    print(
        f"trafilatura.extract (text only): {rate_theirs:.1f} pages/s "
        f"({best_theirs / len(pages) * 1000:.2f} ms/page CPU, best of {args.repeat})"
    )
    print(f"parse-vs-trafilatura: {rate_ours / rate_theirs:.1f}x")
    return 0 if good == len(pages) else 1


if __name__ == "__main__":
    sys.exit(main())
