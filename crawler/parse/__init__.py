"""Pure, typed parsing of annual-report documents (no Scrapy imports).

The public API (others code against exactly these names)::

    PARSER_VERSION
    clean_html(body, *, url=None, encoding=None) -> CleanedDocument
    clean_text(text) -> CleanedDocument
    parse_report(doc, *, url=None, hint_title=None, division_hint=None) -> ParsedReport
    validate(report) -> ParsedReport
    parse_document(body, *, url=None, content_type=None, encoding=None, hint_title=None,
                   division_hint=None) -> ParsedReport
    native_status() -> NativeStatus  (compiled or pure Python, and why)

Modules, in pipeline order:

* :mod:`~crawler.parse.encoding` — bytes to text (BOM, header, meta, sniffing, GB18030);
* :mod:`~crawler.parse.chrome` — content containers and chrome vocabulary (constants);
* :mod:`~crawler.parse.html` — page to blocks: container, chrome elements, grids;
* :mod:`~crawler.parse.text` — a text extraction to blocks;
* :mod:`~crawler.parse.noise` — chrome *lines* (info bar, toolbar, footer) and page facts;
* :mod:`~crawler.parse.texttables` — blocks to lines and cell tokens, whatever the layout;
* :mod:`~crawler.parse.vocab` — label vocabularies (sections, rows, columns, markers);
* :mod:`~crawler.parse.numbers` — one cell's text to a number, blank or not-a-number;
* :mod:`~crawler.parse.sections` — the six sections;
* :mod:`~crawler.parse.tables` — template detection and row/column alignment to cells;
* :mod:`~crawler.parse.metadata` — title, organ, level, region, year, dates;
* :mod:`~crawler.parse.report` — ``parse_report``, ``validate``, ``parse_document``;
* :mod:`~crawler.parse.arithmetic` and :mod:`~crawler.parse.model` — checks and types.

``make install`` also compiles the hot modules with mypyc (:mod:`crawler.native`); the compiled
build is imported only when built from exactly the sources on disk. :func:`native_status` says
which parser runs.
"""

from crawler.native import NativeStatus, activate

# Before any submodule is imported: from here on, a current compiled build or none at all.
_NATIVE: NativeStatus = activate()

from crawler.parse.html import clean_html  # noqa: E402
from crawler.parse.report import PARSER_VERSION, parse_document, parse_report, validate  # noqa: E402
from crawler.parse.text import clean_text  # noqa: E402


def native_status() -> NativeStatus:
    """Whether this process parses with the compiled (mypyc) modules or the ``.py`` files."""
    return _NATIVE


__all__ = [
    "PARSER_VERSION",
    "clean_html",
    "clean_text",
    "native_status",
    "parse_document",
    "parse_report",
    "validate",
]
