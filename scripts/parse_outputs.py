"""Dump every parse of a fixed corpus, to check that a change to the parser changes no output.

    .venv/bin/python scripts/parse_outputs.py dump OUT.txt [--pages N] [--seeds 0,1]
    .venv/bin/python scripts/parse_outputs.py compare OLD.txt NEW.txt

The corpus: the bench's generated pages (:func:`crawler.bench.parse.build_pages`, one set
per seed), the same reports as text extractions in every text layout, the saved CMS pages
of ``tests/data/pages`` and the seed reports (as text and in every wrapper page). For each
document the dump holds the full ``repr`` of ``clean_html``/``clean_text`` and of
``parse_document`` (every field, Decimals exact, dicts in order), or the error raised.

To compare against another commit, dump with that commit's tree on ``PYTHONPATH``::

    git archive main crawler tests | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base .venv/bin/python scripts/parse_outputs.py dump /tmp/old.txt
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _corpus(pages: int, seeds: list[int]) -> Iterator[tuple[str, str, bytes, str | None, str]]:
    """(name, kind, body, content type, url) of every document."""
    import random

    from crawler.bench.parse import build_pages
    from crawler.fabricate import TEXT_LAYOUTS, render_text
    from crawler.registry import seed_texts

    for seed in seeds:
        for n, page in enumerate(build_pages(pages, seed)):
            yield f"bench/{seed}/{n}", "html", page.body, page.content_type, page.url
            if n % 10 == 0:
                layout = TEXT_LAYOUTS[(n // 10) % len(TEXT_LAYOUTS)]
                text = render_text(page.report, layout=layout, rng=random.Random(n))
                body = text.encode("utf-8")
                yield f"text/{seed}/{n}/{layout}", "text", body, "text/plain", page.url
    for path in sorted((ROOT / "tests" / "data" / "pages").rglob("*.html")):  # the same in both
        url = f"http://www.example.gov.cn/{path.stem}.html"
        yield f"saved/{path.relative_to(ROOT)}", "html", path.read_bytes(), None, url
    import crawler

    sys.path.insert(0, str(Path(crawler.__file__).resolve().parent.parent))  # its tests/
    from tests.parse.pages import WRAPPER_ENCODINGS, build

    for stem, text in sorted(seed_texts().items()):
        yield f"seed/{stem}", "text", text.encode("utf-8"), "text/plain", None
        for wrapper in sorted(WRAPPER_ENCODINGS):
            page = build(wrapper, stem, text)
            ctype = f"text/html; charset={page.header_charset}" if page.header_charset else None
            yield f"seed/{stem}/{wrapper}", "html", page.body, ctype, page.url


def _guard(fn: Callable[[], object]) -> str:
    try:
        return repr(fn())
    except Exception as exc:  # the error is part of the output
        return f"{type(exc).__name__}: {exc}"


def dump(out: Path, pages: int, seeds: list[int]) -> int:
    import crawler.parse
    from crawler.parse import clean_html, parse_document
    from crawler.parse.report import decode_text
    from crawler.parse.text import clean_text

    # The compiled build or the .py files (crawler.native; older trees have pure Python only).
    status = getattr(crawler.parse, "native_status", None)
    print(f"parser: {status() if status else 'pure Python'}")
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for name, kind, body, ctype, url in _corpus(pages, seeds):
            if kind == "html":
                cleaned = _guard(lambda: clean_html(body, url=url))  # noqa: B023
            else:
                cleaned = _guard(lambda: clean_text(decode_text(body, None)))  # noqa: B023
            parsed = _guard(
                lambda: parse_document(body, url=url, content_type=ctype)  # noqa: B023
            )
            f.write(f"{name}\n\tclean {cleaned}\n\tparse {parsed}\n")
            n += 1
    print(f"{n} documents dumped to {out}")
    return 0


def _records(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("\t"):
            name = line
            out[name] = ""
        else:
            assert name is not None
            out[name] += line + "\n"
    return out


def compare(old: Path, new: Path) -> int:
    a, b = _records(old), _records(new)
    differ = [k for k in a if a[k] != b.get(k)] + [k for k in b if k not in a]
    digest = hashlib.sha256(old.read_bytes()).hexdigest()[:16]
    if not differ and old.read_bytes() == new.read_bytes():
        print(f"identical: {len(a)} documents (sha256 {digest})")
        return 0
    print(f"{len(differ)} of {len(a)} documents differ, e.g.:")
    for k in differ[:10]:
        print(" ", k)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--pages", type=int, default=600)
    d.add_argument("--seeds", default="0,1")
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "dump":
        return dump(args.out, args.pages, [int(s) for s in args.seeds.split(",")])
    return compare(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
