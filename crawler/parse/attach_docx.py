"""DOCX → blocks: body order of paragraphs and tables, merged cells as spans.

The package is read with :class:`~crawler.parse.attach_ooxml.SafePackage` and lxml
directly (python-docx has no notion of vertical-merge spans, text boxes or numbering,
and refuses ``.docm``). What comes back:

* paragraphs in body order, with automatic list numbering rendered ("一、", "（一）")
  and ``emphasis`` for headings, outline levels and all-bold paragraphs;
* tables as grids: ``gridSpan`` → colspan, ``vMerge`` restart/continue → rowspan,
  ``gridBefore`` offsets honoured, legacy ``hMerge`` folded into colspan;
* a 1×1 table (a layout frame) is unwrapped into its content; tables nested in a
  cell are emitted as their own blocks right after the outer table;
* text boxes (``w:txbxContent``, the DrawingML choice only, never its VML fallback
  copy) become blocks after the paragraph that anchors them;
* deleted revisions, field instructions, hidden runs and ruby annotations are skipped.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from lxml import etree

from crawler.parse.attach_common import (
    AttachmentProblem,
    Budget,
    GridBuilder,
    Limits,
    ReadResult,
    normalize_line,
    normalize_text,
    strip_table,
)
from crawler.parse.attach_ooxml import SafePackage
from crawler.parse.model import Paragraph

_W_NAMESPACES: Final = frozenset(
    {
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main",
    }
)
_MC: Final = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_DC: Final = "http://purl.org/dc/elements/1.1/"
_REL_STYLES: Final = "/styles"
_REL_NUMBERING: Final = "/numbering"
_FALSE: Final = frozenset({"0", "false", "off", "none"})
_SKIP_IN_TEXT: Final = frozenset(
    {"del", "delText", "instrText", "rPr", "pPr", "txbxContent", "rt", "sectPr", "moveFrom"}
)
_HEADING_NAMES: Final = ("heading", "title", "标题", "subtitle")


def _w(el: etree._Element) -> str | None:
    """The local name of a WordprocessingML element (None for other namespaces)."""
    if not isinstance(el.tag, str):
        return None
    qname = etree.QName(el)
    return qname.localname if qname.namespace in _W_NAMESPACES else None


def _attr(el: etree._Element | None, name: str) -> str | None:
    """A w:-namespaced attribute (``w:val``) in either namespace flavour."""
    if el is None:
        return None
    for key, value in el.attrib.items():
        if isinstance(key, str) and key.endswith("}" + name):
            return str(value)
    return None


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    for child in el:
        if _w(child) == name:
            return child
    return None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _on(el: etree._Element | None) -> bool | None:
    """A toggle property (``<w:b/>``, ``<w:b w:val="0"/>``): True, False or None if absent."""
    if el is None:
        return None
    return (_attr(el, "val") or "true").lower() not in _FALSE


# --- Styles and numbering ------------------------------------------------------


@dataclass(slots=True)
class _Style:
    heading: bool = False
    bold: bool | None = None
    based_on: str | None = None
    num_id: str | None = None
    ilvl: int = 0


@dataclass(slots=True)
class _Styles:
    by_id: dict[str, _Style] = field(default_factory=dict)

    @classmethod
    def load(cls, root: etree._Element | None) -> _Styles:
        styles = cls()
        if root is None:
            return styles
        for el in root:
            if _w(el) != "style":
                continue
            style_id = _attr(el, "styleId")
            if not style_id:
                continue
            name = (_attr(_child(el, "name"), "val") or "").lower()
            ppr = _child(el, "pPr")
            rpr = _child(el, "rPr")
            numpr = _child(ppr, "numPr")
            styles.by_id[style_id] = _Style(
                heading=any(word in name for word in _HEADING_NAMES)
                or (
                    _child(ppr, "outlineLvl") is not None
                    and _int(_attr(_child(ppr, "outlineLvl"), "val"), 9) < 9
                ),
                bold=_on(_child(rpr, "b")),
                based_on=_attr(_child(el, "basedOn"), "val"),
                num_id=_attr(_child(numpr, "numId"), "val"),
                ilvl=_int(_attr(_child(numpr, "ilvl"), "val"), 0),
            )
        return styles

    def chain(self, style_id: str | None) -> Iterator[_Style]:
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self.by_id:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            style_id = style.based_on

    def heading(self, style_id: str | None) -> bool:
        return any(style.heading for style in self.chain(style_id))

    def bold(self, style_id: str | None) -> bool | None:
        for style in self.chain(style_id):
            if style.bold is not None:
                return style.bold
        return None

    def numbering(self, style_id: str | None) -> tuple[str, int] | None:
        for style in self.chain(style_id):
            if style.num_id is not None:
                return style.num_id, style.ilvl
        return None


_CN_DIGITS: Final = "零一二三四五六七八九"
_CN_LEGAL: Final = "零壹贰叁肆伍陆柒捌玖"


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十") -> str:
    if n <= 0 or n >= 100:
        return str(n)
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + ten + (digits[ones] if ones else "")


def _roman(n: int) -> str:
    out = ""
    for value, sym in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while n >= value:
            out += sym
            n -= value
    return out


def _letter(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def format_number(n: int, fmt: str) -> str:
    """A list counter in one of Word's ``w:numFmt`` formats."""
    match fmt:
        case (
            "chineseCounting"
            | "chineseCountingThousand"
            | "ideographTraditional"
            | ("taiwaneseCounting" | "taiwaneseCountingThousand" | "japaneseCounting")
        ):
            return _chinese(n)
        case "chineseLegalSimplified" | "ideographLegalTraditional":
            return _chinese(n, _CN_LEGAL, "拾")
        case "decimalEnclosedCircle" | "decimalEnclosedCircleChinese":
            return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
        case "decimalFullWidth" | "decimalFullWidth2":
            return str(n)  # normalised to ASCII digits anyway
        case "decimalZero":
            return f"{n:02d}"
        case "lowerLetter":
            return _letter(n)
        case "upperLetter":
            return _letter(n).upper()
        case "lowerRoman":
            return _roman(n)
        case "upperRoman":
            return _roman(n).upper()
        case "none":
            return ""
        case _:
            return str(n)


@dataclass(slots=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass(slots=True)
class _Numbering:
    """Word's automatic list numbering, enough to print "一、" and "（一）" labels."""

    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)
    counters: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, root: etree._Element | None) -> _Numbering:
        numbering = cls()
        if root is None:
            return numbering
        for el in root:
            name = _w(el)
            if name == "abstractNum":
                levels: dict[int, _Level] = {}
                for lvl in el:
                    if _w(lvl) != "lvl":
                        continue
                    levels[_int(_attr(lvl, "ilvl"), 0)] = _Level(
                        start=_int(_attr(_child(lvl, "start"), "val"), 1),
                        fmt=_attr(_child(lvl, "numFmt"), "val") or "decimal",
                        text=_attr(_child(lvl, "lvlText"), "val") or "",
                    )
                numbering.abstract[_attr(el, "abstractNumId") or ""] = levels
            elif name == "num":
                overrides: dict[int, int] = {}
                for override in el:
                    if _w(override) == "lvlOverride":
                        start = _child(override, "startOverride")
                        if start is not None:
                            overrides[_int(_attr(override, "ilvl"), 0)] = _int(
                                _attr(start, "val"), 1
                            )
                abstract_id = _attr(_child(el, "abstractNumId"), "val") or ""
                numbering.nums[_attr(el, "numId") or ""] = (abstract_id, overrides)
        return numbering

    def label(self, num_id: str, ilvl: int) -> str:
        """The next label of list ``num_id`` at level ``ilvl`` (advances the counter)."""
        if num_id in ("", "0") or num_id not in self.nums or not 0 <= ilvl <= 8:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        level = levels.get(ilvl)
        if level is None or level.fmt == "bullet":
            return ""
        counters = self.counters.setdefault(abstract_id, [0] * 9)
        starts = [overrides.get(i, levels[i].start if i in levels else 1) for i in range(9)]
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else starts[ilvl]
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        text = level.text
        for i in range(ilvl, -1, -1):
            placeholder = f"%{i + 1}"
            if placeholder in text:
                value = counters[i] or starts[i]
                fmt = levels[i].fmt if i in levels else "decimal"
                text = text.replace(placeholder, format_number(value, fmt))
        return text


# --- The walker ----------------------------------------------------------------


@dataclass(slots=True)
class _Walker:
    styles: _Styles
    numbering: _Numbering
    limits: Limits
    budget: Budget
    result: ReadResult
    depth: int = 0

    def container(self, el: etree._Element) -> None:
        """Emit the blocks of a body-like element (w:body, w:tc, w:txbxContent, w:sdtContent)."""
        for child in el:
            if self.budget.exhausted():
                self.result.truncated = "time budget exhausted while reading the body"
                return
            name = _w(child)
            if name == "p":
                self.paragraph(child)
            elif name == "tbl":
                self.table(child)
            elif name in ("sdt", "customXml", "smartTag", "ins", "moveTo"):
                inner = _child(child, "sdtContent") if name == "sdt" else child
                if inner is not None:
                    self.container(inner)
            elif child.tag == f"{{{_MC}}}AlternateContent":
                choice = next(iter(child), None)
                if choice is not None:
                    self.container(choice)

    # -- paragraphs --

    def paragraph_text(self, p: etree._Element) -> tuple[str, bool]:
        """The paragraph's visible text (with its list label) and whether it is emphasised."""
        ppr = _child(p, "pPr")
        style_id = _attr(_child(ppr, "pStyle"), "val")
        parts: list[str] = []
        bold_runs: list[bool] = []
        self._collect(p, parts, bold_runs, style_id)
        text = normalize_text("".join(parts).replace("\t", " "))
        numpr = _child(ppr, "numPr")
        num: tuple[str, int] | None = None
        if numpr is not None:
            num = (
                _attr(_child(numpr, "numId"), "val") or "",
                _int(_attr(_child(numpr, "ilvl"), "val"), 0),
            )
        else:
            num = self.styles.numbering(style_id)
        if num is not None and text:
            label = normalize_line(self.numbering.label(*num))
            text = label + text if label else text
        outline = _child(ppr, "outlineLvl")
        emphasis = bool(text) and (
            self.styles.heading(style_id)
            or (outline is not None and _int(_attr(outline, "val"), 9) < 9)
            or (bool(bold_runs) and all(bold_runs))
        )
        return text, emphasis

    def _collect(
        self, el: etree._Element, parts: list[str], bold_runs: list[bool], style_id: str | None
    ) -> None:
        for child in el:
            name = _w(child)
            if name is None:
                if child.tag == f"{{{_MC}}}AlternateContent":
                    choice = next(iter(child), None)
                    if choice is not None:
                        self._collect(choice, parts, bold_runs, style_id)
                continue
            if name in _SKIP_IN_TEXT:
                continue
            if name == "r":
                rpr = _child(child, "rPr")
                if _on(_child(rpr, "vanish")):
                    continue
                before = len(parts)
                self._collect(child, parts, bold_runs, style_id)
                if "".join(parts[before:]).strip():
                    bold = _on(_child(rpr, "b"))
                    if bold is None:
                        bold = self.styles.bold(_attr(_child(rpr, "rStyle"), "val"))
                    if bold is None:
                        bold = self.styles.bold(style_id)
                    bold_runs.append(bool(bold))
            elif name == "t":
                parts.append(child.text or "")
            elif name == "tab" or name == "ptab":
                parts.append("\t")
            elif name in ("br", "cr"):
                parts.append("\n")
            elif name == "noBreakHyphen":
                parts.append("-")
            else:
                self._collect(child, parts, bold_runs, style_id)

    def paragraph(self, p: etree._Element) -> None:
        text, emphasis = self.paragraph_text(p)
        if text:
            self.result.blocks.append(Paragraph(text, emphasis))
        self.result.count("attach/images", self._count_images(p))
        for box in self._text_boxes(p):
            self.depth += 1
            if self.depth < 8:
                self.container(box)
            self.depth -= 1

    @staticmethod
    def _count_images(p: etree._Element) -> int:
        n = 0
        for el in p.iter():
            if isinstance(el.tag, str) and etree.QName(el).localname in ("blip", "imagedata"):
                n += 1
        return n

    @staticmethod
    def _text_boxes(p: etree._Element) -> list[etree._Element]:
        boxes = []
        for el in p.iter():
            if _w(el) != "txbxContent":
                continue
            ancestor = el.getparent()
            fallback = False
            while ancestor is not None and ancestor is not p:
                if ancestor.tag == f"{{{_MC}}}Fallback" or _w(ancestor) == "txbxContent":
                    fallback = True  # a VML copy, or a box inside a box (reached via the outer)
                    break
                ancestor = ancestor.getparent()
            if not fallback:
                boxes.append(el)
        return boxes

    # -- tables --

    @staticmethod
    def _rows(tbl: etree._Element) -> Iterator[etree._Element]:
        for child in tbl:
            name = _w(child)
            if name == "tr":
                yield child
            elif name in ("sdt", "customXml"):
                inner = _child(child, "sdtContent") if name == "sdt" else child
                if inner is not None:
                    yield from _Walker._rows(inner)

    @staticmethod
    def _cells(tr: etree._Element) -> Iterator[etree._Element]:
        for child in tr:
            name = _w(child)
            if name == "tc":
                yield child
            elif name in ("sdt", "customXml"):
                inner = _child(child, "sdtContent") if name == "sdt" else child
                if inner is not None:
                    yield from _Walker._cells(inner)

    def cell_text(self, tc: etree._Element, nested: list[etree._Element]) -> str:
        lines: list[str] = []
        for child in tc:
            name = _w(child)
            if name == "p":
                text, _ = self.paragraph_text(child)
                lines.append(text)
                nested.extend(self._text_boxes(child))
            elif name == "tbl":
                nested.append(child)
            elif name in ("sdt", "customXml"):
                inner = _child(child, "sdtContent") if name == "sdt" else child
                if inner is not None:
                    lines.append(self.cell_text(inner, nested))
        return normalize_text("\n".join(lines))

    def table(self, tbl: etree._Element) -> None:
        rows = list(self._rows(tbl))
        cells = [list(self._cells(tr)) for tr in rows]
        if len(rows) == 1 and len(cells[0]) == 1:
            # A one-cell table is a frame around content, not data.
            self.depth += 1
            if self.depth < 8:
                self.container(cells[0][0])
            self.depth -= 1
            return
        builder = GridBuilder(
            max_rows=self.limits.max_table_rows, max_cols=self.limits.max_table_cols
        )
        nested: list[etree._Element] = []
        for r, (tr, tcs) in enumerate(zip(rows, cells, strict=True)):
            if r >= self.limits.max_table_rows:
                self.result.truncated = f"a table longer than {self.limits.max_table_rows} rows"
                break
            trpr = _child(tr, "trPr")
            col = _int(_attr(_child(trpr, "gridBefore"), "val"), 0)
            merged = self._fold_hmerge(tcs)
            for tc, span in merged:
                tcpr = _child(tc, "tcPr")
                vmerge = _child(tcpr, "vMerge")
                text = self.cell_text(tc, nested)
                if vmerge is not None and (_attr(vmerge, "val") or "continue") == "continue":
                    above = builder.cell_covering(r - 1, col) if r else None
                    if (
                        above is not None
                        and above.col == col
                        and above.colspan == span
                        and above.row + above.rowspan == r
                        and builder.extend_rowspan(above.row, above.col, 1)
                    ):
                        col += span
                        continue
                builder.add(text, r, col, 1, span)
                col += span
        table = strip_table(builder.build())
        if table.cells:
            self.result.blocks.append(table)
            self.result.count("attach/tables")
        for inner in nested:
            self.depth += 1
            if self.depth < 8:
                if _w(inner) == "tbl":
                    self.table(inner)
                else:
                    self.container(inner)
            self.depth -= 1

    @staticmethod
    def _fold_hmerge(tcs: list[etree._Element]) -> list[tuple[etree._Element, int]]:
        """(cell, colspan) with legacy ``hMerge`` continue cells folded into their start."""
        out: list[tuple[etree._Element, int]] = []
        for tc in tcs:
            tcpr = _child(tc, "tcPr")
            span = max(1, _int(_attr(_child(tcpr, "gridSpan"), "val"), 1))
            hmerge = _child(tcpr, "hMerge")
            if out and hmerge is not None and (_attr(hmerge, "val") or "continue") == "continue":
                first, width = out[-1]
                out[-1] = (first, width + span)
                continue
            out.append((tc, span))
        return out


def _related(pkg: SafePackage, main: str, suffix: str) -> etree._Element | None:
    for rel_type, target in pkg.relationships(main).values():
        if rel_type.endswith(suffix) and pkg.has(target):
            return pkg.xml(target)
    return None


def _core_title(pkg: SafePackage) -> str | None:
    for rel_type, target in pkg.relationships("").values():
        if rel_type.endswith("/core-properties") and pkg.has(target):
            el = pkg.xml(target).find(f"{{{_DC}}}title")
            if el is not None and el.text:
                title = normalize_line(el.text)
                return title or None
    return None


def read_docx(body: bytes, limits: Limits, budget: Budget) -> ReadResult:
    """Read a DOCX (or DOCM/DOTX: any WordprocessingML package) into blocks."""
    pkg = SafePackage(body, limits, "docx")
    try:
        pkg.check_xml_prologs()
        main = pkg.main_part("word/document.xml")
        root = pkg.xml(main)
        body_el = next((child for child in root if _w(child) == "body"), None)
        if body_el is None:
            raise AttachmentProblem("broken", f"docx: {posixpath.basename(main)} has no w:body")
        result = ReadResult()
        walker = _Walker(
            styles=_Styles.load(_related(pkg, main, _REL_STYLES)),
            numbering=_Numbering.load(_related(pkg, main, _REL_NUMBERING)),
            limits=limits,
            budget=budget,
            result=result,
        )
        walker.container(body_el)
        result.title = _core_title(pkg)
        return result
    finally:
        pkg.close()
