"""Realistic synthetic annual reports and their renderings.

The ground the crawler is tested on: reports of real organs (from the bundled
geography) with plausible numbers, rendered the ways real portals publish them —
HTML bodies in several table layouts, full detail pages in the chrome of the CMS
families, seed-like text extractions, image-only pages, PDF/DOCX/XLSX attachments
and DOC/WPS stand-ins, and the page encodings real sites use.

Everything is pure and deterministic given the ``random.Random`` passed in: the
same seed gives byte-identical output. A :class:`SyntheticReport` is the truth
every rendering shows: a correct parse of any rendering returns its title, organ,
year, publish date, cells and section texts.
"""

from crawler.fabricate.attachments import ATTACHMENT_FORMATS, CONTENT_TYPES, render_attachment
from crawler.fabricate.chrome import (
    CHROME_STYLES,
    SEEDS,
    render_image_page,
    render_page,
    seed_page,
)
from crawler.fabricate.encoding import ENCODINGS, encode_page
from crawler.fabricate.html import HTML_LAYOUTS, render_body
from crawler.fabricate.report import SyntheticReport, generate_report
from crawler.fabricate.site import SiteInfo, site_info
from crawler.fabricate.style import ReportStyle
from crawler.fabricate.text import TEXT_LAYOUTS, render_text
from crawler.fabricate.units import Unit, county_units
from crawler.fabricate.vocab import gbk_only_chars

__all__ = [
    "ATTACHMENT_FORMATS",
    "CHROME_STYLES",
    "CONTENT_TYPES",
    "ENCODINGS",
    "HTML_LAYOUTS",
    "SEEDS",
    "TEXT_LAYOUTS",
    "ReportStyle",
    "SiteInfo",
    "SyntheticReport",
    "Unit",
    "county_units",
    "encode_page",
    "gbk_only_chars",
    "generate_report",
    "render_attachment",
    "render_body",
    "render_image_page",
    "render_page",
    "render_text",
    "seed_page",
    "site_info",
]
