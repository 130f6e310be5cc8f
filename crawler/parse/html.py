"""HTML page to :class:`CleanedDocument`: decode, find the content, drop the chrome, blocks.

1. Decode (:mod:`crawler.parse.encoding`), parse with lxml (bounded depth; a page nested
   past libxml2's limit is re-read with its inline formatting tags removed).
2. Read the page's own facts: ``<meta>`` (ArticleTitle, PubDate, SiteIDCode …), ``<title>``,
   the jiucuo widget's ``sitecode``, Hanweb's ``file_appendix``.
3. Find the content: Hanweb's ContentStart/ContentEnd markers, else the known CMS
   containers of :mod:`crawler.parse.chrome`, else a text-density descent from ``<body>``.
4. Inside it, drop chrome elements (scripts, share/print/font bars, breadcrumbs …), then
   walk the tree once into paragraphs and tables (a real grid from rowspan/colspan;
   layout tables — a wrapper around a nested table, a single cell — are walked through).
5. Drop chrome lines left in the text (:mod:`crawler.parse.noise`): info bar, toolbar,
   上一篇/下一篇, footer.
"""

from __future__ import annotations

import logging
import operator
import re
import threading
from functools import lru_cache
from itertools import compress
from typing import Any, Final, TypeAlias
from urllib.parse import urljoin

import lxml.etree as et

from crawler.errors import DocumentError
from crawler.parse import chrome, encoding, noise
from crawler.parse.model import (
    RULE_DOC_BROKEN,
    RULE_ENCODING,
    Block,
    CleanedDocument,
    Finding,
    GridCell,
    Paragraph,
    Table,
)
from crawler.parse.report import MAX_DOCUMENT_BYTES, check_not_binary
from crawler.parse.text import first_heading_line, title_from_lines

logger = logging.getLogger(__name__)

_BLOCK_TAGS: Final = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "blockquote", "pre", "section", "article", "main", "center", "form", "fieldset",
        "address", "figure", "figcaption", "caption", "tr", "td", "th", "table", "tbody",
        "thead", "tfoot", "hr", "header", "footer", "nav", "aside", "body", "html",
    }
)  # fmt: skip
_BREAK_TAGS: Final = _BLOCK_TAGS | {"br"}  # a paragraph ends where one of these starts
_BOLD_TAGS: Final = frozenset({"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6"})
_INLINE_FORMAT_TAGS: Final = ("span", "font", "b", "strong", "i", "em", "u", "o:p", "small", "big")
_INLINE_TAG_RE: Final = re.compile(
    r"</?(?:" + "|".join(_INLINE_FORMAT_TAGS) + r")\b[^>]*>", re.IGNORECASE
)
MAX_BLOCKS: Final = 20_000  # a report has a few thousand lines at most
_MAX_COLSPAN: Final = 100
_MAX_ROWSPAN: Final = 1000
_MAX_GRID_CELLS: Final = 200_000
_MAX_TABLE_CELLS: Final = 20_000  # a report's biggest table has a few hundred cells
_LAYOUT_CELL_CHARS: Final = 400  # a table cell with this much text holds prose, not a number
_TITLE_CLASS_RE: Final = re.compile(r"title|biaoti|bt\b|tit\b|headline", re.IGNORECASE)
_HIDDEN_RE: Final = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BOLD_STYLE_RE: Final = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)
# Codecs in which every ASCII character of the text is the same byte of the page, in order
# (multi-byte characters never decode to ASCII): an ASCII word in the text is in the bytes.
_ASCII_SAFE_CODECS: Final = frozenset({"utf-8", "gb18030", "big5hkscs", "cp1252"})
# (Regular expressions, not "in": sre's literal search is the faster on a page's bytes.)
_DISPLAY_RE: Final = re.compile(b"display")
_VISIBILITY_RE: Final = re.compile(b"visibility")
_WEIGHT_RE: Final = re.compile(b"weight")
_MAX_HASH_PROBES: Final = 64  # "#" found one by one, up to this many, in search of "&#"
# What XML text cannot hold (lxml refuses to set it): C0 controls but tab, LF and CR;
# surrogates; U+FFFE and U+FFFF.
_XML_INCOMPATIBLE_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SOURCE_WS: Final = " \t\f\v"  # source indentation (not NBSP: that is the author's)
_XML_DECL_RE: Final = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_APPENDIX_RE: Final = re.compile(r"file_appendix\s*=\s*['\"]([^'\"]{1,300})['\"]")
_DOC_TITLE_RE: Final = re.compile(r"报告|年报|(?:19|20)\d{2}\s*年")
_SITE_SUFFIX_SPLIT_RE: Final = re.compile(r"\s*[-_|—–]+\s*|\s{2,}")
_META_KEYS: Final = frozenset(
    {
        "ArticleTitle", "PubDate", "ContentSource", "SiteName", "SiteDomain", "SiteIDCode",
        "ColumnName", "ColumnType", "ColumnKeywords", "ColumnDescription", "Keywords",
        "Description", "Author", "Url", "ArticleId", "keywords", "description", "author",
        "firstpublishedtime", "lastmodifiedtime", "catalog", "contentid", "publishdate",
    }
)  # fmt: skip
_WS: Final = " \t\r\n\u00a0\u3000"
_El: TypeAlias = Any  # lxml ships no type information: elements are untyped here
_HEADING_TAGS: Final = frozenset({"h1", "h2", "h3"})
_TITLE_TAGS: Final = frozenset({"div", "p", "td", "span", "strong"})
_SPECIAL_TAGS: Final = _HEADING_TAGS | chrome.CHROME_TAGS  # what _Scan takes by tag
_GRID_TAGS: Final = frozenset({"table", "td", "tr", "tbody", "th", "thead"})
_ROW_PARTS: Final = frozenset({"tr", "thead", "tbody", "tfoot"})  # what holds a table's rows
_ROW_HOLDERS: Final = frozenset({"table", "thead", "tbody", "tfoot"})  # a row part's parents
_SPAN_RE: Final = re.compile(r"\s*(\d+)")
_CELL_TEXT: Final = operator.itemgetter(0)  # GridCell.text
_new: Final = tuple.__new__  # a named tuple from its fields, without its Python-level __new__


# --- parsing -------------------------------------------------------------------------------


_PARSERS: Final = threading.local()
_EMPTY_WORD_MARK: Final = b"<o:p></o:p>"


def _parser() -> Any:
    """This thread's HTML parser: made once (a parser serves one thread at a time; its
    error log is that of its last run)."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = et.HTMLParser(remove_pis=True, no_network=True, encoding="utf-8")
    return parser


def _parse(text: str, utf8: bytes | None = None) -> tuple[_El, bool]:
    """The tree, and whether libxml2 gave up part of the page (excessive depth).

    ``utf8``: the page's own bytes when they are exactly ``text`` in UTF-8 (saves encoding).
    """
    declaration = _XML_DECL_RE.match(text)  # (anchored: no copy of the page to test it)
    if declaration is not None:
        text = text[declaration.end() :]
        utf8 = None
    # UTF-8 bytes with the encoding fixed: faster than a str, and deaf to <meta charset>.
    data = utf8 if utf8 is not None else text.encode("utf-8", "surrogatepass")
    if b"\x00" in data:  # (a NUL byte in UTF-8 is the NUL character: memchr, not a str scan)
        text = text.replace("\x00", "")
        data = text.encode("utf-8", "surrogatepass")
    if not text or text.isspace():  # (not text.strip(): without copying the page)
        raise DocumentError("empty document (only white space)")
    # Word's empty paragraph marks hold no text: dropped from the bytes (a C-level
    # search), they cost the tree nothing rather than an element each (dozens a page).
    data = data.replace(_EMPTY_WORD_MARK, b"")
    parser = _parser()
    try:
        root = et.fromstring(data, parser=parser)
    except (et.ParserError, et.XMLSyntaxError, ValueError) as exc:
        raise DocumentError(f"not parseable as HTML: {exc}") from exc
    if root is None:
        raise DocumentError("not parseable as HTML: no elements")
    too_deep = any("Excessive depth" in str(e.message) for e in parser.error_log)
    if too_deep:
        # Word and broken CMSs nest thousands of unclosed <span>/<font>: they carry no
        # structure, so drop them and read the page again.
        flat = _INLINE_TAG_RE.sub("", text)
        parser = _parser()
        try:
            flat_root = et.fromstring(flat.encode("utf-8", "surrogatepass"), parser=parser)
        except (et.ParserError, et.XMLSyntaxError, ValueError) as exc:
            raise DocumentError(f"not parseable as HTML: {exc}") from exc
        if flat_root is not None:
            root = flat_root
        too_deep = any("Excessive depth" in str(e.message) for e in parser.error_log)
    return root, too_deep


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def _norm_ws(text: str) -> str:
    """Source line breaks are white space: dropped between CJK characters, else one space.

    Split-based (linear): a regex over runs of white space would rescan long runs.
    """
    if "\n" not in text and "\r" not in text:
        return text
    pieces = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = [pieces[0].rstrip(_SOURCE_WS)]
    for piece in pieces[1:]:
        piece = piece.lstrip(_SOURCE_WS)
        prev = out[-1]
        if not piece:
            out.append("")
            continue
        if prev and _is_cjk(prev[-1]) and _is_cjk(piece[0]):
            out[-1] = prev + piece.rstrip(_SOURCE_WS)
        else:
            out.append(piece.rstrip(_SOURCE_WS))
    return " ".join(p for p in out if p) if len(out) > 1 else out[0]


def _cell_text(el: _El) -> str:
    """A cell's text on one line: every run of white space (NBSP included) one space."""
    if len(el) == 0:
        text = el.text
        return " ".join(text.split()) if text else ""
    return " ".join(_text(el).split())


# --- page facts ------------------------------------------------------------------------------


class _PageNodes:
    """The page's ``<meta>``, ``<title>``, ``<script>`` elements and comments, the heading
    and chrome tags :class:`_Scan` wants, and the comments and elements that are never
    content (``chrome.DROP_TAGS``), read in one pass over the tree (in document order, each
    kind in its own list).

    One pass for all: a C-level tag search costs a walk over every node of the page
    whatever it finds, and more tags cost that walk next to nothing.
    """

    __slots__ = ("comments", "drop", "metas", "scripts", "special", "title")

    def __init__(self, root: _El) -> None:
        self.metas: list[_El] = []
        self.scripts: list[_El] = []
        self.comments: list[_El] = []
        self.special: list[_El] = []  # headings and chrome tags
        self.drop: list[_El] = []  # comments and never-content elements (see drop_all)
        self.title: _El | None = None
        metas, scripts, comments, special = self.metas, self.scripts, self.comments, self.special
        drop = self.drop
        for el in root.iter(et.Comment, *_SPECIAL_TAGS, *chrome.DROP_TAGS):
            tag = el.tag
            if tag in chrome.DROP_TAGS:  # (<meta>, <title> and <script> among them)
                drop.append(el)
                if tag == "meta":
                    metas.append(el)
                elif tag == "script":
                    scripts.append(el)
                elif tag == "title" and self.title is None:
                    self.title = el
            elif tag in _SPECIAL_TAGS:
                special.append(el)
            else:
                comments.append(el)
                drop.append(el)

    def drop_all(self) -> None:
        """Remove the comments and never-content elements (scripts, styles, forms, the
        ``<head>`` …), each with its subtree; their tails are text and stay. One found
        inside another already removed is left where it is (it is gone with it)."""
        gone: set[_El] = set()
        for el in self.drop:
            parent = el.getparent()
            if parent is not None and parent not in gone:
                _drop_tree(el)
                gone.add(el)

    def special_under(self, top: _El) -> list[_El]:
        """The headings and chrome tags still inside ``top`` (not stripped with a
        ``<noscript>``, not moved into Hanweb's box), in document order."""
        out = []
        for el in self.special:
            el_top, parent = el, el.getparent()
            while parent is not None:
                el_top, parent = parent, parent.getparent()
            if el_top is top:
                out.append(el)
        return out


def _page_meta(nodes: _PageNodes) -> tuple[dict[str, str], str | None]:
    meta: dict[str, str] = {}
    for el in nodes.metas:
        name = el.get("name") or el.get("property") or el.get("http-equiv")
        content = el.get("content")
        if name and content and (name in _META_KEYS or name.startswith("og:")):
            meta.setdefault(name, content.strip())
    title_el = nodes.title
    page_title = _cell_text(title_el) if title_el is not None else None
    for el in nodes.scripts:
        sitecode = el.get("sitecode")
        if sitecode and "SiteIDCode" not in meta:
            meta["SiteIDCode"] = sitecode.strip()
    return meta, page_title or None


def _script_attachments(nodes: _PageNodes) -> list[str]:
    out: list[str] = []
    for el in nodes.scripts:
        text = el.text
        if text and "file_appendix" in text:
            out.extend(_APPENDIX_RE.findall(text))
    return out


# --- the content container ---------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _names_info(el_id: str | None, cls: str | None) -> tuple[int | None, str, bool, bool]:
    """(container priority, container name, is a title block, is a noise block) of id/class."""
    prio: int | None = None
    name = ""
    if el_id is not None and el_id in chrome.CONTAINER_IDS:
        prio, name = chrome.CONTAINER_IDS[el_id], "#" + el_id
    for c in (cls or "").split():
        p = chrome.CONTAINER_CLASSES.get(c)
        if p is not None and (prio is None or p < prio):
            prio, name = p, "." + c
    names = f"{el_id or ''} {cls or ''}"
    is_title = _TITLE_CLASS_RE.search(names) is not None
    is_noise = el_id == "_ideConac" or chrome.NOISE_NAME_RE.search(names) is not None
    return prio, name, is_title, is_noise


class _Scan:
    """One pass over the page: container candidates, title blocks, chrome elements."""

    def __init__(self, root: _El, special: list[_El], styles: bool = True) -> None:
        """``special``: the heading and chrome tags inside ``root``, in document order
        (:meth:`_PageNodes.special_under`); ``styles``: whether any element may be hidden by
        its style (False when the page never says ``display``/``visibility``: no style
        attribute is then read)."""
        self.containers: list[tuple[int, str, _El]] = []
        self.titles: list[_El] = []
        self.noise: list[_El] = []
        self.always: set[_El] = set()
        self.texts: dict[_El, str] = {}
        self.root = root
        titles, noise, always, containers = self.titles, self.noise, self.always, self.containers
        # The heading and chrome tags (found in C); the loop below reads only attributes.
        skip: set[_El] = set()
        for el in special:
            if el.tag in _HEADING_TAGS:
                titles.append(el)
            else:
                noise.append(el)
                always.add(el)
                skip.add(el)
        # Every element's Python object, kept alive until the content has been walked
        # (:meth:`release`): lxml makes an element's object on each visit unless one is
        # alive, so the walk then finds them made instead of making them again.
        elements: list[_El] = list(root.iter())
        self.elements = elements
        for el in elements:
            # The attribute names first (one call, a short list): most elements have none,
            # or only ones this scan does not read (width, lang, style on most pages).
            keys: list[str] = el.keys()
            if not keys or (skip and el in skip):
                continue
            if styles and "style" in keys:
                style: str | None = el.get("style")
                if (
                    style
                    and ("display" in style or "visibility" in style)
                    and _HIDDEN_RE.search(style)
                ):
                    noise.append(el)
                    always.add(el)
                    continue
            el_id: str | None = el.get("id") if "id" in keys else None
            cls: str | None = el.get("class") if "class" in keys else None
            if el_id is None and (cls is None or cls == "MsoNormal"):
                continue
            prio, name, is_title, is_noise = _names_info(el_id, cls)
            if prio is not None and prio <= chrome.MAX_CONTAINER_PRIORITY:
                containers.append((prio, name, el))
            if is_title or is_noise:
                tag = el.tag
                if is_title and tag in _TITLE_TAGS:
                    titles.append(el)
                if is_noise and tag not in _GRID_TAGS and tag != "p":
                    noise.append(el)
                    if el_id == "_ideConac":
                        always.add(el)
        self.count = len(elements)  # the elements (and other nodes) of the tree as scanned

    def size_of(self, el: _El) -> int:
        """The nodes of ``el.iter()`` (``el`` inside the scanned tree), read off the scan's
        list rather than walked again: ``el``'s subtree is the run of the list from ``el`` up
        to the next node outside it (the first next sibling of ``el`` or of an ancestor)."""
        elements = self.elements
        start = _position(elements, el, 0)
        if start < 0:  # (not in the scanned tree: counted by libxml2)
            return _count(el)
        node: _El | None = el
        after: _El | None = None
        while node is not None and node is not self.root:
            after = node.getnext()
            if after is not None:
                break
            node = node.getparent()
        end = -1 if after is None else _position(elements, after, start)
        return (len(elements) if end < 0 else end) - start

    def release(self) -> None:
        """Let go of the elements' objects (see :meth:`__init__`)."""
        self.elements = []

    def text_of(self, el: _El) -> str:
        """The element's text, read once (valid until the tree changes)."""
        text = self.texts.get(el)
        if text is None:
            text = self.texts[el] = _text_len_probe(el)
        return text

    def container(self) -> tuple[_El | None, str]:
        best: tuple[int, int, _El, str] | None = None
        for prio, name, el in self.containers:
            length = len(self.text_of(el).strip())
            # A short container still counts when it holds the report as images or files.
            if (
                length < chrome.MIN_CONTAINER_CHARS
                and next(el.iter("img", "a", "embed"), None) is None
            ):
                continue
            if best is None or (prio, -length) < (best[0], best[1]):
                best = (prio, -length, el, name)
        return (best[2], best[3]) if best is not None else (None, "")

    def title_texts(self) -> list[str]:
        """Headings first, then blocks named *title*; never one that holds the info bar."""
        heads = [el for el in self.titles if el.tag in _HEADING_TAGS]
        named = [el for el in self.titles if el.tag not in _HEADING_TAGS]
        out = []
        for el in heads + named:
            text = _cell_text(el)
            if 4 <= len(text) <= 120 and not chrome.INFO_FIELD_RE.search(text):
                out.append(text)
        return out


def _drop_noise(container: _El, candidates: list[_El], always: set[_El]) -> tuple[int, int]:
    """Remove the chrome elements inside the container; (nodes, chars) removed.

    Elements in ``always`` (structural chrome tags, hidden elements, the conac badge) go
    whatever their size; the others only when short (a big block misnamed stays).
    """
    doomed: list[_El] = []
    for el in candidates:
        if el is container or el.getparent() is None:
            continue
        inside = False
        for a in el.iterancestors():
            if a is container:
                inside = True
                break
        if not inside:
            continue
        if el in always or len(_text_len_probe(el).strip()) <= chrome.NOISE_MAX_CHARS:
            doomed.append(el)
    nodes = chars = 0
    doomed_set = set(doomed)
    for el in doomed:
        if el.getparent() is None or any(a in doomed_set for a in el.iterancestors()):
            continue  # already inside a removed element
        chars += len(_text_len_probe(el).strip())
        nodes += 1
        _drop_tree(el)
    return nodes, chars


def _position(elements: list[_El], el: _El, start: int) -> int:
    """The index of ``el`` in ``elements`` from ``start`` on, or -1 (by identity: an
    element has no ``==`` of its own, and ``list.index`` would try one on each)."""
    for i in range(start, len(elements)):
        if elements[i] is el:
            return i
    return -1


def _text_len_probe(el: _El) -> str:
    """The element's text (C-level; white space included)."""
    return _text(el)


def _text(el: _El) -> str:
    """All text inside ``el`` (not its tail), serialised by libxml2: the fastest way."""
    text: str = et.tostring(el, method="text", encoding=str, with_tail=False)
    return text


_COUNT_ELEMENTS: Final = et.XPath("count(descendant-or-self::*)")


def _count(el: _El) -> int:
    """The nodes of ``el.iter()``, counted by libxml2: elements only, as the tree has
    nothing else by then (comments are stripped, processing instructions never kept)."""
    return int(_COUNT_ELEMENTS(el))


def _set_text(el: _El, attr: str, value: str | None) -> None:
    """``el.text`` or ``el.tail`` (``attr``) set to ``value``. libxml2 keeps the control
    characters of a damaged page in its text nodes, but lxml refuses to write them back:
    such a text is written without them (only ever text the page already had)."""
    try:
        setattr(el, attr, value)
    except ValueError:
        setattr(el, attr, _XML_INCOMPATIBLE_RE.sub("", value or ""))


def _drop_tree(el: _El) -> None:
    """Remove ``el`` but keep its tail text in place (lxml.html's drop_tree)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            _set_text(prev, "tail", (prev.tail or "") + el.tail)
        else:
            _set_text(parent, "text", (parent.text or "") + el.tail)
    parent.remove(el)


def _hanweb_container(nodes: _PageNodes) -> _El | None:
    """Hanweb's body: between <!--ZJEG_RSS.content.begin--> (or <meta name=ContentStart>)
    and the matching end marker."""
    begin = end = None
    for c in nodes.comments:
        text = c.text or ""
        if chrome.HANWEB_BEGIN in text and begin is None:
            begin = c
        elif chrome.HANWEB_END in text:
            end = c
    if begin is None:
        for m in nodes.metas:
            if m.get("name") == chrome.HANWEB_META_BEGIN and begin is None:
                begin = m
            elif m.get("name") == chrome.HANWEB_META_END:
                end = m
    if begin is None or end is None:
        return None
    parent = begin.getparent()
    if parent is None or parent is not end.getparent():
        return None
    # Keep only what lies between the markers: wrap it in a fresh element.
    box = et.Element("div")
    _set_text(box, "text", begin.tail)
    node = begin.getnext()
    moving = []
    while node is not None and node is not end:
        moving.append(node)
        node = node.getnext()
    for n in moving:
        box.append(n)  # moves the node (with its tail)
    return box


def _density_container(body: _El) -> _El:
    """Descend from <body> while one child holds most of the non-link text."""
    own: dict[_El, int] = {}
    order: list[_El] = []
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        order.append(el)
        n = len(el.text.strip()) if el.text and el.tag != "a" else 0
        own[el] = own.get(el, 0) + n
        if el.tail and el is not body:
            parent = el.getparent()
            if parent is not None:
                own[parent] = own.get(parent, 0) + len(el.tail.strip())
    total = dict(own)
    for el in reversed(order):
        if el is body:
            continue
        parent = el.getparent()
        if parent is not None and parent in total and el.tag != "a":
            total[parent] += total[el]

    def heaviest(node: _El) -> _El | None:
        best, best_len = None, 0
        for child in node:
            n = total.get(child, 0)
            if n > best_len:
                best, best_len = child, n
        if best is None or best_len < chrome.DENSITY_DESCEND_SHARE * total.get(node, 0):
            return None
        return best

    node = body
    while True:
        best = heaviest(node)
        if best is None or best.tag in ("p", "ul", "ol", "dl", "li", "span", "a", "font"):
            return node
        if best.tag in ("table", "tbody", "thead", "tr", "td", "th"):
            # A layout table is walked through to the one cell that holds the text; a data
            # table (text spread over its cells) is content: stop above it.
            cell = best
            while cell is not None and cell.tag not in ("td", "th"):
                cell = heaviest(cell)
            if cell is None:
                return node
            best = cell
        node = best


# --- blocks ------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _bold_style(style: str | None) -> bool:
    if not style or "weight" not in style:
        return False
    return _BOLD_STYLE_RE.search(style) is not None


class _Full(Exception):
    """The container holds more blocks than any report: stop reading."""


class _Walker:
    """One pass over the container: paragraphs at block boundaries, tables as grids."""

    def __init__(self, base_url: str | None, weights: bool = True) -> None:
        """``weights``: whether a style may set a font weight (False when the page never
        says ``weight``: no style attribute is then read)."""
        self.weights = weights
        self.truncated = False
        self.pre_depth = 0
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.bold_chars = 0
        self.bold_depth = 0
        self.links: list[tuple[str, str]] = []
        self.images: list[str] = []
        self.base_url = base_url
        self.tables = 0
        self.orphans: set[_El] = set()  # row parts already read as part of an orphan table

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)
            if self.bold_depth:
                self.bold_chars += len(text.strip())

    def flush(self) -> None:
        parts = self.parts
        if not parts:
            return
        raw = "".join(parts)
        parts.clear()
        bold = self.bold_chars
        self.bold_chars = 0
        text = raw.strip(" \n\r")
        if not text:  # source white space between blocks
            return
        if self.pre_depth:
            # <pre>: line breaks and tabs are the layout (a text table pasted as is).
            text = raw.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
        elif "\n" in raw or "\r" in raw:  # (else _norm_ws would give back raw)
            # Source line breaks are white space; indentation at the edges is formatting,
            # but a leading tab typed into the paragraph itself (text layouts) is kept.
            text = _norm_ws(raw).strip(" \n\r")
        if not text:
            return
        blocks = self.blocks
        for line in text.split("\n") if "\n" in text else (text,):
            if "[bookmark" in line:
                line = noise.strip_artifacts(line)
            if line.strip(" "):
                # Bold when at least 80% of its visible characters are (none are: not bold).
                if bold:
                    visible = len(line.strip(_WS))
                    emphasis = visible > 0 and bold >= visible * 0.8
                else:
                    emphasis = False
                blocks.append(_new(Paragraph, (line, emphasis)))
        if len(blocks) >= MAX_BLOCKS:
            raise _Full

    def _abs(self, href: str) -> str:
        return urljoin(self.base_url, href) if self.base_url else href

    def walk(self, root: _El) -> None:
        try:
            self._walk(root)
        except _Full:
            self.parts.clear()
            self.truncated = True

    def _walk(self, root: _El) -> None:
        self._visit((root,), 0, root)
        self.bold_depth = 0
        self.flush()

    def _visit(self, nodes: Any, bold_depth: int, root: _El) -> None:
        """Walk ``nodes`` (the root alone, or an element's children) and their subtrees, in
        document order. ``bold_depth``: the bold elements open around them.

        A loop over each element's children, recursing into those that have children: no
        start/end events to dispatch, and a leaf element costs no call. (The recursion is
        as deep as the tree, which libxml2 caps at 256 levels.)
        """
        # Typed locals (str, not lxml's untyped values): compiled, their methods and
        # comparisons are direct C calls rather than generic attribute lookups.
        parts: list[str] = self.parts  # flush() empties it in place
        text: str | None
        for el in nodes:
            tag: object = el.tag
            if not isinstance(tag, str):
                continue  # a comment or processing instruction (tail and all)
            bold = False
            if tag in _BREAK_TAGS:
                if tag == "table" and el is not root:
                    refs: list[_El] = []
                    table = _table(el, refs)
                    if table is not None:
                        self._add_table(el, table, refs)
                        text = el.tail
                        if text:
                            parts.append(text)
                            if bold_depth:
                                self.bold_chars += len(text.strip())
                        continue
                elif tag in _ROW_PARTS and self._orphan(el, bold_depth):
                    continue
                if parts:
                    if len(parts) == 1 and not parts[0].strip(" \n\r"):
                        # Only source white space since the last block: what flush()
                        # would do with it, without the call.
                        parts.clear()
                        self.bold_chars = 0
                    else:
                        self.flush()
            elif tag == "a":
                href: str | None = el.get("href")
                if href and not href.startswith(("javascript:", "#", "mailto:")):
                    self.links.append((self._abs(href.strip()), _cell_text(el)))
            elif tag == "img":
                src: str | None = el.get("src") or el.get("data-src")
                if src:
                    self.images.append(self._abs(src.strip()))
            if tag in _BOLD_TAGS or (self.weights and _bold_style(el.get("style"))):
                bold = True
                bold_depth += 1
            if tag == "pre":
                self.pre_depth += 1
            text = el.text
            if text:
                parts.append(text)
                if bold_depth:
                    self.bold_chars += len(text.strip())
            if len(el):
                self._visit(el, bold_depth, root)
            if bold:
                bold_depth -= 1
            if tag in _BLOCK_TAGS:
                if tag == "pre":
                    self.flush()
                    self.pre_depth -= 1
                elif parts:
                    self.flush()
            if el is not root:
                text = el.tail
                if text:
                    parts.append(text)
                    if bold_depth:
                        self.bold_chars += len(text.strip())

    def _orphan(self, el: _El, bold_depth: int) -> bool:
        """Rows outside any ``<table>`` (a CMS that splits an article over pages can cut it
        between ``<table>`` and its rows): a run of them is read as one table, so that its
        blank cells keep their columns. True when ``el`` was read so (as its run's first part
        or a later one); False for a row part that sits in a table (a layout table walked
        through)."""
        parent = el.getparent()
        if parent is None or parent.tag in _ROW_HOLDERS:
            return False
        if el not in self.orphans:
            run = _orphan_run(el)
            table = _grid(_rows(run)) if run else None
            if table is None:
                return False  # a nested table inside: walked through as blocks
            self.orphans.update(run)
            self.flush()
            self.blocks.append(table)
            self.tables += 1
            if len(self.blocks) >= MAX_BLOCKS:
                raise _Full
            for part in run:
                self._collect_refs(list(part.iter("a", "img")))
        text = el.tail
        if text:
            self.parts.append(text)
            if bold_depth:
                self.bold_chars += len(text.strip())
        return True

    def _add_table(self, el: _El, table: Table, refs: list[_El]) -> None:
        self.flush()
        caption = next((c for c in el if c.tag == "caption"), None)
        if caption is not None:
            text = _cell_text(caption)
            if text:
                self.blocks.append(Paragraph(text, emphasis=True))
        self.blocks.append(table)
        self.tables += 1
        if len(self.blocks) >= MAX_BLOCKS:
            raise _Full
        self._collect_refs(refs)

    def _collect_refs(self, refs: list[_El]) -> None:
        """The table's links and images (its ``<a>`` and ``<img>``, in document order)."""
        for el in refs:
            if el.tag == "a":
                href = el.get("href")
                if href and not href.startswith(("javascript:", "#", "mailto:")):
                    self.links.append((self._abs(href.strip()), _cell_text(el)))
            else:
                src = el.get("src")
                if src:
                    self.images.append(self._abs(src.strip()))


def _rows(children: Any) -> list[_El]:
    """The rows among ``children`` (a table's, or a run of row parts outside any table):
    each ``<tr>`` and those of each ``<thead>/<tbody>/<tfoot>``."""
    out: list[_El] = []
    for child in children:
        tag = child.tag
        if tag == "tr":
            out.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            out.extend(child.iterchildren("tr"))  # (the tag found in C)
    return out


def _orphan_run(first: _El) -> list[_El]:
    """``first`` and the row parts that follow it with nothing but white space between
    (empty when one of them holds a nested table)."""
    run = [first]
    node = first
    while not (node.tail or "").strip():
        node = node.getnext()
        if node is None or node.tag not in _ROW_PARTS:
            break
        run.append(node)
    for part in run:
        if next(part.iter("table"), None) is not None:
            return []
    return run


def _span(value: str | None, cap: int) -> int:
    if not value:
        return 1
    m = _SPAN_RE.match(value)
    if m is None:
        return 1
    n = int(m.group(1))
    return max(1, min(n, cap)) if n > 0 else 1


@lru_cache(maxsize=1024)
def _rowspan(value: str) -> int:
    """A ``rowspan`` attribute's value as a span (pages repeat a handful of values)."""
    return _span(value, _MAX_ROWSPAN)


@lru_cache(maxsize=1024)
def _colspan(value: str) -> int:
    return _span(value, _MAX_COLSPAN)


def _table(el: _El, refs: list[_El]) -> Table | None:
    """The table's grid, or None for a layout table (walked through as blocks).

    ``refs`` receives the table's ``<a>`` and ``<img>`` elements (read in the same C-level
    walk that looks for a nested table).
    """
    nodes = el.iter("table", "a", "img")
    next(nodes)  # the table itself comes first
    for node in nodes:
        if node.tag == "table":
            return None  # a layout table around a nested one
        refs.append(node)
    return _grid(_rows(el))


def _grid(trs: list[_El]) -> Table | None:
    """The grid of these rows (a table's, in order), or None for a layout table.

    One pass: each cell is read and placed at once (a position a rowspan from an earlier
    row covers is skipped). A table of more than ``_MAX_TABLE_CELLS`` cells is read as text
    (None) even when its spans would also be too many to lay out; the spans alone raise.
    """
    if not trs:
        return None
    n_rows = len(trs)
    # Grid columns covered by a cell anchored in an earlier row (rowspan > 1), by row.
    covered: dict[int, set[int]] = {}
    anchors: list[GridCell] = []
    # Rows to keep (see _compact): more than one cell, or text in its cell or in a cell
    # spanning down into it; worked out row by row here rather than in a pass over cells.
    keep = [False] * n_rows
    n_cols = 0
    budget = _MAX_TABLE_CELLS
    grid_budget = _MAX_GRID_CELLS
    too_large = False  # the spans are too many to lay out (raised once every cell is read)
    for r, tr in enumerate(trs):
        cells = list(tr.iterchildren("td", "th"))
        # Counted a row at a time: the table is dropped whole whichever row goes past.
        budget -= len(cells)
        if budget < 0:
            return None  # no report table is this big: read it as text (bounded)
        if too_large:
            continue
        c = 0
        taken = covered.pop(r, None)
        first = len(anchors)
        for td in cells:
            rowspan_value: str | None = td.get("rowspan")
            colspan_value: str | None = td.get("colspan")
            text: str | None
            # _cell_text, inline (a call less per cell); a number or a word (no white space
            # in it: isalnum) is its own normal form, without splitting and joining it.
            if len(td) == 0:
                text = td.text
                if not text:
                    text = ""
                elif not text.isalnum():
                    text = " ".join(text.split())
            else:
                text = et.tostring(td, method="text", encoding=str, with_tail=False)  # _text
                if not text.isalnum():
                    text = " ".join(text.split())
            rowspan = 1 if rowspan_value is None else _rowspan(rowspan_value)
            colspan = 1 if colspan_value is None else _colspan(colspan_value)
            if taken:
                while c in taken:
                    c += 1
            if rowspan > 1:
                rowspan = min(rowspan, n_rows - r)
                grid_budget -= rowspan * colspan
                if grid_budget < 0:
                    too_large = True
                    break
                for dr in range(r + 1, r + rowspan):
                    below = covered.get(dr)
                    if below is None:
                        below = covered[dr] = set()
                    below.update(range(c, c + colspan))
                    if text:
                        keep[dr] = True
            anchors.append(_new(GridCell, (text, r, c, rowspan, colspan)))
            c += colspan
        if c > n_cols:
            n_cols = c
        in_row = len(anchors) - first
        if in_row > 1 or (in_row == 1 and anchors[first][0]):
            keep[r] = True
    if too_large:
        raise DocumentError("a table too large to lay out (rowspan/colspan bomb)")
    if n_cols == 0:
        return None
    lengths = list(map(len, map(_CELL_TEXT, anchors)))
    prose = (n_rows == 1 and n_cols == 1) or max(lengths, default=0) > _LAYOUT_CELL_CHARS
    if prose and (n_rows * n_cols <= 4 or sum(lengths) > _LAYOUT_CELL_CHARS):
        return None  # a wrapper around prose
    return _compact(anchors, n_rows, n_cols, keep)


def _compact(anchors: list[GridCell], n_rows: int, n_cols: int, keep: list[bool]) -> Table:
    """Drop spacer rows: rows of at most one cell that hold nothing (Word's layout rows).
    ``keep``: the other rows (more than one cell, or text anchored in or spanning into it).

    Empty columns stay: without widths a spacer column cannot be told from a data column
    the report left blank (a continuation table has no header to tell), and the aligner
    treats blank cells at a row's edges as padding anyway.
    """
    if all(keep):
        return Table(tuple(anchors), n_rows, n_cols)
    row_map: list[int] = []
    k = 0
    for kept in keep:
        row_map.append(k)
        k += kept
    out = []
    for a in anchors:
        rows = sum(keep[a.row : a.row + a.rowspan])
        if rows:
            out.append(GridCell(a.text, row_map[a.row], a.col, rows, a.colspan))
    return Table(tuple(out), max(k, 1), n_cols)


# --- title ----------------------------------------------------------------------------------------


def _title(
    meta: dict[str, str], page_title: str | None, candidates: list[str], blocks: list[Block]
) -> str | None:
    from crawler.parse.vocab import REPORT_TITLE_RE

    article = meta.get("ArticleTitle")
    if article and article.strip():
        return article.strip()
    for text in candidates:
        if REPORT_TITLE_RE.search(text):
            return text
    if page_title:
        parts = [p for p in _SITE_SUFFIX_SPLIT_RE.split(page_title) if p]
        for part in parts:
            if REPORT_TITLE_RE.search(part):
                return part
    lines = [b.text for b in blocks[:10] if isinstance(b, Paragraph)]
    from_text = title_from_lines(lines)
    if from_text and REPORT_TITLE_RE.search(from_text):
        return from_text
    for text in candidates:
        if "报告" in text or "年报" in text:
            return text
    if page_title:
        # Another kind of document: its <title> minus the site name, when it reads like a
        # document's title (a site name alone is no title).
        for part in _SITE_SUFFIX_SPLIT_RE.split(page_title):
            if part and _DOC_TITLE_RE.search(part):
                return part
    return from_text


# --- entry point ------------------------------------------------------------------------


def clean_html(
    body: bytes, *, url: str | None = None, encoding: str | None = None
) -> CleanedDocument:
    """Decode a page, find its content, drop the chrome and return its blocks."""
    if not body:
        raise DocumentError("empty document (0 bytes)")
    if len(body) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"document too large ({len(body)} bytes > {MAX_DOCUMENT_BYTES})")
    decoded = _decode(body, encoding)
    check_not_binary(decoded.text)
    findings: list[Finding] = []
    if decoded.mismatch:
        findings.append(
            Finding(
                RULE_ENCODING,
                f"declared {decoded.declared}, decoded as {decoded.encoding} ({decoded.source})",
                severity="info",
            )
        )
    if decoded.replaced:
        findings.append(
            Finding(
                RULE_DOC_BROKEN,
                f"{decoded.replaced} byte sequence(s) could not be decoded as {decoded.encoding}",
                severity="warning",
            )
        )
    same_bytes = decoded.encoding == "utf-8" and decoded.source != "bom" and not decoded.replaced
    root, too_deep = _parse(decoded.text, body if same_bytes else None)
    if too_deep:
        findings.append(
            Finding(
                RULE_DOC_BROKEN,
                "elements nested deeper than the parser allows: the rest of the page was not read",
                severity="warning",
            )
        )
    stats: dict[str, int] = {"clean/bytes": len(body)}
    page_nodes = _PageNodes(root)
    meta, page_title = _page_meta(page_nodes)
    attachments = _script_attachments(page_nodes)
    hanweb = _hanweb_container(page_nodes)
    # Comments and scripts go (their tails are text and stay), in Hanweb's box too.
    page_nodes.drop_all()
    body_el = root.find("body")
    if body_el is None:
        body_el = root
    container: _El | None
    styles, weights = _style_words(body, decoded)
    scan = _Scan(root, page_nodes.special_under(root), styles)
    if hanweb is not None and len(scan.text_of(hanweb)) >= chrome.MIN_CONTAINER_CHARS:
        container, how = hanweb, "hanweb-markers"
        inner = _Scan(hanweb, page_nodes.special_under(hanweb), styles)
        scan.noise.extend(inner.noise)
        scan.always |= inner.always
        scan.elements.extend(inner.elements)
    else:
        container, how = scan.container()
    stats["clean/container_found"] = int(container is not None)
    if container is None:
        container = _density_container(body_el)
        how = "density"
    del page_nodes
    logger.debug("content container: %s", how)
    title_candidates = scan.title_texts()
    # Info-bar fields and the site code: read from the whole page outside the content.
    page_text = scan.text_of(body_el if hanweb is None else root)
    content_text = scan.text_of(container)
    # The page's characters as a reader sees them: its text once comments, scripts and
    # styles are gone (and Hanweb's box, cut out of the page, counted back in).
    page_chars = len(page_text.strip())
    if hanweb is not None:
        page_chars += len(scan.text_of(hanweb).strip())
    outside = page_text.replace(content_text, "\n") if container is not body_el else ""
    for key, value in noise.info_fields(outside[:100_000]).items():
        meta.setdefault(key, value)
    site = chrome.SITE_ID_RE.search(outside[-50_000:]) if outside else None
    if site is not None:
        meta.setdefault("网站标识码", site.group(1))
    # Elements of the page outside the content (header, navigation, footer …), counted
    # before the chrome inside the content goes (the difference is the same).
    if container is hanweb:  # detached from the page: everything left in it is outside
        outside_nodes = scan.count
    else:
        outside_nodes = 0 if container is root else max(0, scan.count - scan.size_of(container))
    nodes, chars = _drop_noise(container, scan.noise, scan.always)
    walker = _Walker(url, weights=weights)
    walker.walk(container)
    scan.release()
    blocks = walker.blocks
    if walker.truncated:
        findings.append(
            Finding(
                RULE_DOC_BROKEN,
                f"the content runs past {MAX_BLOCKS} blocks: only the first {MAX_BLOCKS} were read",
                severity="warning",
            )
        )
    # Line-level chrome left inside the content.
    tables = [b for b in blocks if b.__class__ is Table]
    para_texts = [b.text for b in blocks if b.__class__ is Paragraph]
    keep, found = noise.strip_lines(para_texts, stop_at=first_heading_line(para_texts))
    # Only paragraphs are dropped (tables all stay); most pages drop a few lines at most.
    if found.removed_lines:
        para_keep = iter(keep)
        kept_blocks = tuple(b for b in blocks if b.__class__ is Table or next(para_keep))
    else:
        kept_blocks = tuple(blocks)
    for key, value in found.meta.items():
        meta.setdefault(key, value)
    kept_chars = sum(map(len, compress(para_texts, keep))) + sum(
        sum(map(len, map(_CELL_TEXT, t.cells))) for t in tables
    )
    links = [(href, text) for href, text in walker.links]
    links.extend((urljoin(url, a) if url else a, "") for a in attachments)
    stats.update(
        {
            "clean/chrome_removed_nodes": outside_nodes + nodes + found.removed_lines,
            "clean/chrome_removed_inside": nodes + found.removed_lines,
            "clean/chrome_removed_chars": max(0, page_chars - kept_chars),
            "clean/container_chars": len(content_text),
            "clean/blocks": len(kept_blocks),
            "clean/tables": walker.tables,
            "clean/page_chars": page_chars,
        }
    )
    del chars
    return CleanedDocument(
        blocks=kept_blocks,
        title=_title(meta, page_title, title_candidates, list(kept_blocks)),
        meta=meta,
        links=tuple(links),
        images=tuple(dict.fromkeys(walker.images)),
        stats=stats,
        encoding=decoded.encoding,
        findings=tuple(findings),
    )


def _style_words(body: bytes, decoded: encoding.Decoded) -> tuple[bool, bool]:
    """(styles, weights): whether a style may hide an element (the page says ``display`` or
    ``visibility``) and whether one may set a font weight (it says ``weight``). A character
    reference could spell either word: then both. Where the answer is False, no style
    attribute is read (:class:`_Scan`, :class:`_Walker`).

    A True where the word is in no style reads the styles for nothing, the same result:
    so the page's bytes may be searched instead of its text, whenever a word in the text
    is surely in the bytes: an ASCII-compatible codec (every ASCII character of the text
    is the same byte, in order) and no NUL byte (the parse drops NULs, which could join a
    word's halves). A GB18030 trail byte can be ASCII: the bytes may say a word the text
    does not (a True for nothing). On the bytes, sre's literal search beats ``in`` on a
    str of CJK text, and ``&#`` is found from the rare ``#`` (memchr) rather than from
    the ``&`` of every ``&nbsp;`` (~25 us a page by ``in``, on a str or bytes alike).
    """
    if decoded.encoding not in _ASCII_SAFE_CODECS or b"\x00" in body:
        text = decoded.text
        refs = "&#" in text
        return refs or "display" in text or "visibility" in text, refs or "weight" in text
    refs = False
    at = body.find(b"#", 1)
    for _ in range(_MAX_HASH_PROBES):
        if at < 0:
            break
        if body[at - 1] == 0x26:  # "&"
            refs = True
            break
        at = body.find(b"#", at + 1)
    else:
        refs = b"&#" in body  # a page full of "#": one search instead
    if refs:
        return True, True
    styles = _DISPLAY_RE.search(body) is not None or _VISIBILITY_RE.search(body) is not None
    return styles, _WEIGHT_RE.search(body) is not None


def _decode(body: bytes, header_charset: str | None) -> encoding.Decoded:
    return encoding.decode(body, header_charset=header_charset, is_html=True)
