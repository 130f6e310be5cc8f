"""A page's glyphs, rulings and images read with PDFium, in pdfplumber's own object shape.

pdfplumber gets a page's objects by interpreting its content stream in pure Python
(pdfminer), which is most of the CPU a PDF attachment costs. PDFium (``pypdfium2``,
already installed with pdfplumber) reads the same page in C++ many times faster.
:func:`page_objects` turns what PDFium found into the dicts pdfplumber would have built
— same keys, same coordinates — so that the table finder and everything after it see
the same page:

* glyphs: Unicode, origin and matrix from PDFium; character codes, font and size from
  the content stream (tokenized by :mod:`crawler.parse.pdf_content`), and from them,
  through pdfminer's own font objects, the advance, the descent and the font name:
  pdfminer's box is the advance across and the descent to descent + size up. Both
  sources must agree on the text of every text object;
* paths: split into sub-paths and sorted into lines, rectangles and curves by
  pdfminer's rules (``converter.paint_path``); images: their bounds.

It answers only for pages it can give exactly like pdfminer and returns None for the
rest, which pdfplumber then reads itself: a rotated page or a MediaBox not at the
origin, form XObjects or shadings, vertical or Type3 fonts, text rise, glyphs without a
Unicode mapping or that are not upright (watermarks, rotated labels), content streams
the fast tokenizer refuses, or text objects that do not pair with the stream's
text-showing operators.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from dataclasses import dataclass
from typing import Any, Final

logger = logging.getLogger(__name__)

Matrix = tuple[float, float, float, float, float, float]


def _raw() -> Any:
    import pypdfium2.raw as raw

    return raw


# PDFium is not thread-safe, and the crawl may read attachments in several threads
# (GOVREPORTS_WORKER_PROCESSES=0, or a thread taking over from a broken worker pool):
# every call into it holds this lock.
_LOCK: Final = threading.RLock()


def open_document(body: bytes) -> Any | None:
    """The PDF opened with PDFium, or None when PDFium cannot open it (pdfminer will try)."""
    try:
        import pypdfium2 as pdfium

        with _LOCK:
            return pdfium.PdfDocument(body)
    except Exception as exc:  # PdfiumError on damaged or encrypted files, ImportError
        logger.debug("pdfium cannot open the document: %r", exc)
        return None


def page_count(document: Any) -> int:
    with _LOCK:
        return len(document)


def close_document(document: Any) -> None:
    with _LOCK:
        document.close()


def _matrix(raw: Any, obj: Any) -> Matrix | None:
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return None
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


class _Fallback(Exception):
    """Something on the page PDFium cannot give as pdfminer would."""


@dataclass(frozen=True, slots=True)
class _Show:
    """One text-showing operator of the content stream (Tj, ', TJ)."""

    font: str  # the font's resource name (Tf)
    size: float
    scaling: float  # Tz / 100
    strings: tuple[bytes, ...]
    numbers: bool  # TJ with position adjustments


_SHOW: Final = frozenset({"Tj", "'", '"', "TJ"})


class _PageText:
    """The page's text-showing operators and fonts, as pdfminer reads them (lazily)."""

    def __init__(self, resources: Any, contents: Any) -> None:
        self.resources = resources
        self.contents = contents
        self._fonts: dict[str, Any] = {}
        self._manager: Any = None

    def shows(self) -> list[_Show]:
        from pdfminer.pdftypes import list_value, resolve1, stream_value
        from pdfminer.psparser import PSKeyword, PSLiteral

        from crawler.parse import pdf_content

        objects: list[Any] = []
        try:
            for ref in list_value(resolve1(self.contents) or []):
                objects.extend(pdf_content.tokens(stream_value(ref).get_data()))
        except pdf_content.Unsupported as exc:
            raise _Fallback(f"content stream: {exc}") from exc
        out: list[_Show] = []
        # (font, size, scaling) is graphics state: q saves it, Q restores it
        state: tuple[str | None, float, float] = (None, 0.0, 1.0)
        saved: list[tuple[str | None, float, float]] = []
        operands: list[Any] = []
        for obj in objects:
            if not isinstance(obj, PSKeyword):
                operands.append(obj)
                continue
            op = obj.name.decode("latin-1")
            if op == "q":
                saved.append(state)
            elif op == "Q":
                state = saved.pop() if saved else state
            elif op == "Tf" and len(operands) >= 2:
                name, size = operands[-2], operands[-1]
                if not isinstance(name, PSLiteral) or not isinstance(size, (int, float)):
                    raise _Fallback("odd Tf")
                state = (str(name.name), float(size), state[2])
            elif op == "Tz" and operands:
                if not isinstance(operands[-1], (int, float)):
                    raise _Fallback("odd Tz")
                state = (state[0], state[1], operands[-1] * 0.01)
            elif op == "Ts" and operands and operands[-1] != 0:
                raise _Fallback("text rise")  # pdfminer boxes risen glyphs differently
            elif op in ("d0", "d1"):
                raise _Fallback("a Type3 glyph procedure")
            elif op in _SHOW and operands:
                if state[0] is None:
                    raise _Fallback("text without a font")
                arg = operands[-1]
                parts = arg if op == "TJ" and isinstance(arg, list) else [arg]
                strings = tuple(p for p in parts if isinstance(p, bytes))
                numbers = any(isinstance(p, (int, float)) for p in parts)
                out.append(_Show(state[0], state[1], state[2], strings, numbers))
            operands = []
        return out

    def font(self, name: str) -> Any:
        from pdfminer.pdffont import PDFType3Font
        from pdfminer.pdfinterp import PDFResourceManager
        from pdfminer.pdftypes import resolve1

        if name not in self._fonts:
            fonts = resolve1(self.resources.get("Font")) if self.resources else None
            spec = fonts.get(name) if isinstance(fonts, dict) else None
            if spec is None:
                raise _Fallback(f"font {name} not in the resources")
            if self._manager is None:
                self._manager = PDFResourceManager()
            objid = getattr(spec, "objid", None)
            font = self._manager.get_font(objid, resolve1(spec))
            if font.is_vertical() or isinstance(font, PDFType3Font):
                raise _Fallback("a vertical or Type3 font")  # boxed differently by pdfminer
            self._fonts[name] = font
        return self._fonts[name]


def _char(
    text: str,
    fontname: str,
    descent: float,
    fontsize: float,
    adv: float,
    matrix: Matrix,
    height: float,
    number: int,
    doctop: float,
) -> dict[str, Any]:
    """pdfplumber's dict for an upright glyph: pdfminer's box (advance across, the font's
    descent to descent + size up) around the origin ``matrix[4:]``."""
    a, _, _, d, ox, oy = matrix
    x1 = ox + adv * a
    y0 = oy + descent * fontsize * d
    y1 = y0 + fontsize * d
    top = height - y1
    return {
        "text": text,
        "fontname": fontname,
        "size": y1 - y0,
        "adv": adv,
        "upright": True,
        "x0": ox,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "width": x1 - ox,
        "height": y1 - y0,
        "top": top,
        "bottom": height - y0,
        "doctop": doctop + top,
        "matrix": matrix,
        "object_type": "char",
        "page_number": number,
    }


def _chars(
    raw: Any,
    page: Any,
    texts: list[tuple[int, Any]],
    page_text: _PageText,
    height: float,
    number: int,
    doctop: float,
) -> list[dict[str, Any]]:
    """The page's glyphs as pdfplumber's dicts, in content order.

    PDFium gives each glyph's Unicode, origin and matrix; the content stream gives, for
    each text object (one per text-showing operator, in order), the character codes,
    the font and the size, from which pdfminer's own font objects give the advance,
    the descent and the font name. The two must agree on every object's text, or the
    page goes to pdfminer. PDFium's text page leaves out a text object whose glyphs
    have no box in the font it substitutes (one CJK glyph, no CJK font on the machine):
    such an object, if it shows one glyph without position adjustments, is placed at
    the object's own position.
    """
    textpage = raw.FPDFText_LoadPage(page)
    if not textpage:
        raise _Fallback("no text page")
    read: dict[int, list[tuple[str, Matrix]]] = {}
    try:
        m = raw.FS_MATRIX()
        ox, oy = ctypes.c_double(), ctypes.c_double()
        last_origin: tuple[float, float] | None = None
        for i in range(raw.FPDFText_CountChars(textpage)):
            if raw.FPDFText_IsGenerated(textpage, i) == 1:
                continue  # a space or line break PDFium inferred: not in the content
            if raw.FPDFText_HasUnicodeMapError(textpage, i) == 1:
                raise _Fallback("unicode map error")
            code = raw.FPDFText_GetUnicode(textpage, i)
            if code == 0 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
                raise _Fallback("no unicode")
            if not raw.FPDFText_GetMatrix(textpage, i, m):
                raise _Fallback("no matrix")
            a, b, c, d = m.a, m.b, m.c, m.d
            if b != 0 or c != 0 or a <= 0 or d <= 0:
                raise _Fallback("glyph not upright")
            obj = raw.FPDFText_GetTextObject(textpage, i)
            if not obj:
                raise _Fallback("a glyph of no text object")
            raw.FPDFText_GetCharOrigin(textpage, i, ox, oy)
            origin = (ox.value, oy.value)
            if origin == last_origin:
                raise _Fallback("two characters at one origin (a ligature?)")
            last_origin = origin
            key = ctypes.cast(obj, ctypes.c_void_p).value or 0
            read.setdefault(key, []).append((chr(code), (a, b, c, d, *origin)))
    finally:
        raw.FPDFText_ClosePage(textpage)
    shows = page_text.shows()
    if len(shows) != len(texts):
        shows = [show for show in shows if any(show.strings)]
        if len(shows) != len(texts):
            raise _Fallback("text objects and text operators do not pair")
    out: list[dict[str, Any]] = []
    for (key, obj), show in zip(texts, shows, strict=True):
        font = page_text.font(show.font)
        cids = list(font.decode(b"".join(show.strings)))
        try:
            text = [font.to_unichr(cid) for cid in cids]
        except Exception as exc:  # PDFUnicodeNotDefined: pdfminer gives "(cid:N)"
            raise _Fallback("a glyph without Unicode in a text operator") from exc
        if any(len(t) != 1 for t in text):
            raise _Fallback("a glyph of several characters")
        fontname = font.fontname
        if isinstance(fontname, bytes):
            fontname = fontname.decode("latin-1")
        fontname = str(fontname)
        descent = font.get_descent()
        glyphs = read.pop(key, None)
        if glyphs is None:  # left out of PDFium's text page
            if len(cids) != 1 or show.numbers:
                raise _Fallback("a left-out text object of more than one glyph")
            matrix = _matrix(raw, obj)
            if matrix is None or matrix[1] or matrix[2] or matrix[0] <= 0 or matrix[3] <= 0:
                raise _Fallback("a left-out text object not upright")
            glyphs = [(text[0], matrix)]
        elif [g[0] for g in glyphs] != text:
            raise _Fallback("PDFium's text and the content stream disagree")
        for cid, (char, matrix) in zip(cids, glyphs, strict=True):
            adv = font.char_width(cid) * show.size * show.scaling
            out.append(
                _char(char, fontname, descent, show.size, adv, matrix, height, number, doctop)
            )
    if read:
        raise _Fallback("glyphs of no text-showing operator")
    return out


def _subpaths(raw: Any, obj: Any, ctm: Matrix) -> list[tuple[str, list[tuple[float, float]]]]:
    """The path as pdfminer's (shape, points) per sub-path ('h' repeats the start point)."""
    out: list[tuple[str, list[tuple[float, float]]]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    shape: list[str] = []
    pts: list[tuple[float, float]] = []
    beziers = 0  # PDFium gives a Bézier segment as three points; pdfminer keeps the last
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        kind = raw.FPDFPathSegment_GetType(seg)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        point = _apply(ctm, x.value, y.value)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            if beziers:
                raise _Fallback("incomplete curve")
            if shape:
                out.append(("".join(shape), pts))
            shape, pts = ["m"], [point]
        elif not shape:
            raise _Fallback("path without a start")
        elif kind == raw.FPDF_SEGMENT_LINETO and not beziers:
            shape.append("l")
            pts.append(point)
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            beziers += 1
            if beziers < 3:
                continue
            beziers = 0
            shape.append("c")
            pts.append(point)
        else:
            raise _Fallback(f"path segment of type {kind}")
        if raw.FPDFPathSegment_GetClose(seg):
            shape.append("h")
            pts.append(pts[0])
    if beziers:
        raise _Fallback("incomplete curve")
    if shape:
        out.append(("".join(shape), pts))
    return out


def _bbox_obj(
    kind: str, pts: list[tuple[float, float]], height: float, number: int, doctop: float
) -> dict[str, Any]:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    top = height - y1
    return {
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "width": x1 - x0,
        "height": y1 - y0,
        "pts": [(px, height - py) for px, py in pts],
        "object_type": kind,
        "page_number": number,
        "top": top,
        "bottom": height - y0,
        "doctop": doctop + top,
    }


def _paths(raw: Any, obj: Any, height: float, number: int, doctop: float) -> list[dict[str, Any]]:
    """pdfminer's LTLine / LTRect / LTCurve for one path object (converter.paint_path)."""
    ctm = _matrix(raw, obj)
    if ctm is None:
        raise _Fallback("no path matrix")
    out = []
    for shape, pts in _subpaths(raw, obj, ctm):
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
            shape = shape[:-2] + "h"
            pts = pts[:-2] + pts[-1:]
        if shape in ("mlh", "ml"):
            out.append(_bbox_obj("line", pts[:2], height, number, doctop))
        elif shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
                y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
            )
            if pts[0] == pts[4] and square:
                out.append(_bbox_obj("rect", [pts[0], pts[2]], height, number, doctop))
            else:
                out.append(_bbox_obj("curve", pts, height, number, doctop))
        else:
            out.append(_bbox_obj("curve", pts, height, number, doctop))
    return out


def page_objects(
    document: Any,
    index: int,
    *,
    height: float,
    mediabox: Any,
    rotation: int,
    resources: Any,
    contents: Any,
    number: int,
    doctop: float,
) -> dict[str, list[dict[str, Any]]] | None:
    """Page ``index`` (0-based) of a PDFium document as pdfplumber's ``Page.objects``, or
    None when this page must be read by pdfminer (see the module docstring)."""
    if rotation or tuple(mediabox[:2]) != (0, 0):
        return None
    with _LOCK:
        return _page_objects(document, index, height, resources, contents, number, doctop)


def _page_objects(
    document: Any,
    index: int,
    height: float,
    resources: Any,
    contents: Any,
    number: int,
    doctop: float,
) -> dict[str, list[dict[str, Any]]] | None:
    raw = _raw()
    try:
        page_text = _PageText(resources, contents)
        page = document[index]
    except Exception as exc:
        logger.debug("pdfium page %s: %r", index + 1, exc)
        return None
    try:
        handle = page.raw
        if raw.FPDFPage_GetRotation(handle) != 0:
            return None
        lines: list[dict[str, Any]] = []
        rects: list[dict[str, Any]] = []
        curves: list[dict[str, Any]] = []
        images: list[dict[str, Any]] = []
        texts: list[tuple[int, Any]] = []
        sorted_objs = {"line": lines, "rect": rects, "curve": curves}
        left, bottom, right, top = (ctypes.c_float() for _ in range(4))
        for i in range(raw.FPDFPage_CountObjects(handle)):
            obj = raw.FPDFPage_GetObject(handle, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                texts.append((ctypes.cast(obj, ctypes.c_void_p).value or 0, obj))
                continue
            if kind == raw.FPDF_PAGEOBJ_PATH:
                for item in _paths(raw, obj, height, number, doctop):
                    sorted_objs[item["object_type"]].append(item)
            elif kind == raw.FPDF_PAGEOBJ_IMAGE:
                if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                    raise _Fallback("image without bounds")
                images.append(
                    _bbox_obj(
                        "image",
                        [(left.value, bottom.value), (right.value, top.value)],
                        height,
                        number,
                        doctop,
                    )
                )
            else:
                raise _Fallback(f"page object of type {kind}")
        chars = _chars(raw, handle, texts, page_text, height, number, doctop)
    except Exception as why:  # _Fallback, or a font pdfminer cannot load: pdfminer's page
        logger.debug("pdfium page %s left to pdfminer: %s", index + 1, why)
        return None
    finally:
        page.close()
    return {"char": chars, "line": lines, "rect": rects, "curve": curves, "image": images}
