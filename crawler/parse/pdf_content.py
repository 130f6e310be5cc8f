"""pdfminer's page interpreter with a one-regex tokenizer for content streams.

pdfminer tokenizes a content stream byte by byte through a state machine in Python,
which is most of what interpreting a page costs. :class:`FastInterpreter` cuts each
stream into tokens with one compiled expression instead and hands the interpreter
exactly the operands and operators pdfminer's own parser would (ints and floats, bytes
with the same escapes undone, the same interned names and keywords, lists, dicts).

Anything outside the plain grammar it knows — inline images, procedures, nested
parentheses in strings, ``#`` escapes in names, numbers run into letters, unbalanced
arrays or dictionaries, a token cut by a stream boundary — sends the page's streams to
pdfminer's parser unchanged, so the result never depends on which path read a page.
"""

from __future__ import annotations

import re
from typing import Any, Final

from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import KWD, LIT, PSKeyword, keyword_name, literal_name

# A NUL or a backslash inside a name or keyword belongs to it in pdfminer: such tokens
# do not match here and go to pdfminer.
_TOKEN: Final = re.compile(
    rb"""
    (?:[\x00\t\n\x0b\f\r ]|%[^\r\n]*+)*+  # white space and comments (possessive)
    (?:(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?=[\t\n\x0b\f\r ()<>\[\]{}/%]|\Z)
  | /(?P<name>[^\t\n\x0b\f\r ()<>\[\]{}/%\#\\\x00]*)(?=[\t\n\x0b\f\r ()<>\[\]{}/%]|\Z)
  | \((?P<str>(?:[^()\\]|\\.)*)\)
  | <(?P<hex>[0-9A-Fa-f\t\n\x0b\f\r ]*)>
  | (?P<open><<|\[)
  | (?P<close>>>|\])
  | (?P<kw>[A-Za-z][^\t\n\x0b\f\r ()<>\[\]{}/%\#\\\x00]*|['"])(?=[\t\n\x0b\f\r ()<>\[\]{}/%]|\Z)
  | \Z)  # nothing but white space left
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE: Final = re.compile(rb"\\([0-7]{1,3}|\r\n|.)", re.DOTALL)
_ESCAPES: Final = {b"b": b"\b", b"t": b"\t", b"n": b"\n", b"f": b"\f", b"r": b"\r"}
_ESCAPES_KEPT: Final = frozenset((b"(", b")", b"\\"))
_HEX_PAIR: Final = re.compile(rb"[0-9a-fA-F]{2}|.", re.DOTALL)
_SPACE: Final = re.compile(rb"\s")
_TRUE: Final = b"true"
_FALSE: Final = b"false"
_BI: Final = KWD(b"BI")


class Unsupported(Exception):
    """A construct left to pdfminer's own parser."""


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code[:1].isdigit() and code[:1] in b"01234567":
        value = int(code, 8)
        if value > 255:
            raise Unsupported("octal escape above 255")  # pdfminer asserts on it
        return bytes((value,))
    if code in _ESCAPES:
        return _ESCAPES[code]
    if code in _ESCAPES_KEPT:
        return code
    return b""  # a line break after "\", or an unknown escape: dropped, as pdfminer does


def _keyword(word: bytes) -> Any:
    if word == _TRUE:
        return True
    if word == _FALSE:
        return False
    keyword = KWD(word)
    if keyword is _BI:
        raise Unsupported("inline image")
    return keyword


def _name(raw: bytes) -> Any:
    try:
        return LIT(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return LIT(raw)


_CACHE_MAX: Final = 4096  # a hostile stream's made-up names do not grow them further
_KEYWORDS: Final[dict[bytes, Any]] = {}  # bytes → keyword (or bool), as interned by pdfminer
_NAMES: Final[dict[bytes, Any]] = {}


def tokens(data: bytes) -> list[Any]:
    """The stream's top-level objects in order, as pdfminer's content parser gives them.

    Raises :class:`Unsupported` for anything it does not read exactly like pdfminer.
    """
    out: list[Any] = []
    stack: list[tuple[bytes, list[Any]]] = []
    current = out
    pos = 0
    end = len(data)
    match = _TOKEN.match
    keywords = _KEYWORDS
    names = _NAMES
    while pos < end:
        m = match(data, pos)
        if m is None:
            raise Unsupported(f"unknown token at {pos}")
        pos = m.end()
        kind = m.lastgroup
        if kind == "num":
            text = m["num"]
            current.append(float(text) if b"." in text else int(text))
        elif kind == "kw":
            word = m["kw"]
            keyword = keywords.get(word)
            if keyword is None:
                keyword = _keyword(word)
                if len(keywords) < _CACHE_MAX:
                    keywords[word] = keyword
            current.append(keyword)
        elif kind == "name":
            raw = m["name"]
            name = names.get(raw)
            if name is None:
                name = _name(raw)
                if len(names) < _CACHE_MAX:
                    names[raw] = name
            current.append(name)
        elif kind == "str":
            text = m["str"]
            current.append(_ESCAPE.sub(_unescape, text) if b"\\" in text else text)
        elif kind is None:
            break
        elif kind == "hex":
            digits = _SPACE.sub(b"", m["hex"])
            current.append(_HEX_PAIR.sub(lambda p: bytes((int(p.group(0), 16),)), digits))
        elif kind == "open":
            stack.append((m["open"], current))
            current = []
        else:
            closing = m["close"]
            if not stack:
                raise Unsupported("unbalanced close")
            opening, parent = stack.pop()
            if (opening, closing) == (b"[", b"]"):
                parent.append(current)
            elif (opening, closing) == (b"<<", b">>"):
                if len(current) % 2:
                    raise Unsupported("odd dictionary")
                pairs = zip(current[0::2], current[1::2], strict=True)
                parent.append({literal_name(k): v for k, v in pairs if v is not None})
            else:
                raise Unsupported("mismatched brackets")
            current = parent
    if stack:
        raise Unsupported("unclosed array or dictionary")
    if out and out[-1] == LIT(""):
        raise Unsupported("a name cut by the end of the stream")
    return out


class FastInterpreter(PDFPageInterpreter):
    """:class:`PDFPageInterpreter` whose content streams are tokenized by :func:`tokens`."""

    def execute(self, streams: Any) -> None:
        valid: list[PDFStream] = []
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None or stream.objid in self.parent_stream_ids:
                return super().execute(streams)  # pdfminer warns and skips: its business
            valid.append(stream)
        try:
            objects: list[Any] = []
            for stream in valid:
                objects.extend(tokens(stream.get_data()))
        except Unsupported:
            return super().execute(streams)
        self.stream_ids.clear()
        self.stream_ids.update(s.objid for s in valid if s.objid is not None)
        for obj in objects:
            if isinstance(obj, PSKeyword):
                name = keyword_name(obj)
                method = "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q")
                func = getattr(self, method, None)
                if func is None:
                    continue
                nargs = func.__code__.co_argcount - 1
                if nargs:
                    args = self.pop(nargs)
                    if len(args) == nargs:
                        func(*args)
                else:
                    func()
            else:
                self.push(obj)
        return None
