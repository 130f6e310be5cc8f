"""Pure, typed parsing of annual-report documents (no Scrapy imports).

The public API (others code against exactly these names)::

    PARSER_VERSION
    clean_html(body, *, url=None, encoding=None) -> CleanedDocument
    clean_text(text) -> CleanedDocument
    parse_report(doc, *, url=None, hint_title=None, division_hint=None) -> ParsedReport
    validate(report) -> ParsedReport
    parse_document(body, *, url=None, content_type=None, encoding=None, hint_title=None,
                   division_hint=None) -> ParsedReport
"""

from crawler.parse.html import clean_html
from crawler.parse.report import PARSER_VERSION, parse_document, parse_report, validate
from crawler.parse.text import clean_text

__all__ = [
    "PARSER_VERSION",
    "clean_html",
    "clean_text",
    "parse_document",
    "parse_report",
    "validate",
]
