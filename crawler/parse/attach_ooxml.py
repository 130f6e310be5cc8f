"""Opening OOXML packages (DOCX, XLSX) safely: zip-bomb checks and a hardened XML parser.

Every member's *declared* size is checked before anything is decompressed; Python's
:mod:`zipfile` never yields more than the declared size (a lying header ends in a CRC
error, not in gigabytes), so the declared sizes bound the memory a package can take.
XML parts must not declare a DOCTYPE: OOXML never needs one, and refusing it shuts out
entity-expansion tricks whatever the XML library downstream does.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from typing import Final

from lxml import etree

from crawler.parse.attach_common import AttachmentProblem, Limits

# What zipfile raises on damaged members: bad headers, bad deflate data, odd methods.
_ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zlib.error,
    ValueError,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)
_RATIO_FLOOR: Final = 1024 * 1024  # members smaller than this are not ratio-checked
_PROLOG_MAX: Final = 64 * 1024
_DOCTYPE: Final = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_COMMENT: Final = re.compile(r"<!--.*?-->", re.DOTALL)
_ROOT_START: Final = re.compile(r"<[A-Za-z_]")

REL_OFFICE_DOCUMENT: Final = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
REL_STRICT_OFFICE_DOCUMENT: Final = (
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
)
_PKG_RELS_NS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"


def prolog_problem(head: bytes) -> str | None:
    """Why an XML part's start is refused: a DOCTYPE or ENTITY before the root element,
    or a prolog too long to check. ``head`` is the part's first bytes (up to 64 KiB)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    elif head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        text = head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="replace")
    else:
        text = head.decode("latin-1")
    text = _COMMENT.sub("", text)
    root = _ROOT_START.search(text)
    prolog = text[: root.start()] if root else text
    if _DOCTYPE.search(prolog):
        return "declares a DOCTYPE/ENTITY"
    if root is None and len(head) >= _PROLOG_MAX:
        return f"has no root element in its first {_PROLOG_MAX} bytes"
    return None


def safe_parser() -> etree.XMLParser:
    """An lxml parser that resolves no entities, loads no DTD and touches no network."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


class SafePackage:
    """A zip archive whose members were checked against :class:`Limits` up front."""

    def __init__(self, body: bytes, limits: Limits, fmt: str) -> None:
        self.fmt = fmt
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(body))
            infos = self.zip.infolist()
        except (zipfile.LargeZipFile, *_ZIP_ERRORS) as exc:
            raise AttachmentProblem("broken", f"{fmt}: not a readable zip package ({exc})") from exc
        if len(infos) > limits.max_zip_members:
            raise AttachmentProblem(
                "hostile", f"{fmt}: {len(infos)} zip members (cap {limits.max_zip_members})"
            )
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise AttachmentProblem("encrypted", f"{fmt}: zip members are encrypted")
            total += info.file_size
            if info.file_size > limits.max_member_bytes:
                raise AttachmentProblem(
                    "hostile",
                    f"{fmt}: member {info.filename!r} declares {info.file_size} bytes "
                    f"(cap {limits.max_member_bytes})",
                )
            if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(
                info.compress_size, 1
            ):
                raise AttachmentProblem(
                    "hostile",
                    f"{fmt}: member {info.filename!r} expands {info.file_size} bytes from "
                    f"{info.compress_size} (zip bomb?)",
                )
        if total > limits.max_unzipped_bytes:
            raise AttachmentProblem(
                "hostile",
                f"{fmt}: members declare {total} bytes uncompressed "
                f"(cap {limits.max_unzipped_bytes})",
            )
        self.names = {info.filename for info in infos}
        self._lower = {name.lower(): name for name in self.names}

    def has(self, name: str) -> bool:
        return name.lower() in self._lower

    def read(self, name: str, limit: int = -1) -> bytes:
        """A member's bytes (at most ``limit``); a damaged member is a broken package."""
        real = self._lower.get(name.lower())
        if real is None:
            raise AttachmentProblem("broken", f"{self.fmt}: package has no {name}")
        try:
            with self.zip.open(real) as handle:
                return handle.read(limit)
        except _ZIP_ERRORS as exc:
            raise AttachmentProblem("broken", f"{self.fmt}: cannot read {name} ({exc})") from exc

    def check_xml_prologs(self) -> None:
        """Refuse any XML part that declares a DOCTYPE or entities (OOXML never does)."""
        for name in sorted(self.names):
            if not name.lower().endswith((".xml", ".rels", ".vml")):
                continue
            problem = prolog_problem(self.read(name, _PROLOG_MAX))
            if problem:
                raise AttachmentProblem("hostile", f"{self.fmt}: {name} {problem} (refused)")

    def xml(self, name: str) -> etree._Element:
        info = self.zip.getinfo(self._lower.get(name.lower(), name)) if self.has(name) else None
        if info is not None and info.file_size > self.limits.max_xml_part:
            raise AttachmentProblem(
                "too_large",
                f"{self.fmt}: {name} is {info.file_size} bytes of XML "
                f"(cap {self.limits.max_xml_part})",
            )
        data = self.read(name)
        problem = prolog_problem(data[:_PROLOG_MAX])
        if problem:
            raise AttachmentProblem("hostile", f"{self.fmt}: {name} {problem} (refused)")
        try:
            root = etree.fromstring(data, parser=safe_parser())
        except etree.XMLSyntaxError as exc:
            raise AttachmentProblem(
                "broken", f"{self.fmt}: {name} is not well-formed ({exc})"
            ) from exc
        if root is None:
            raise AttachmentProblem("broken", f"{self.fmt}: {name} is empty")
        return root

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """``rId -> (type, target part name)`` for a part ('' for the package itself)."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels") if part else "_rels/.rels"
        if not self.has(rels_name):
            return {}
        out: dict[str, tuple[str, str]] = {}
        for rel in self.xml(rels_name).iter(f"{{{_PKG_RELS_NS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id") or ""] = (rel.get("Type") or "", resolved)
        return out

    def main_part(self, default: str) -> str:
        for rel_type, target in self.relationships("").values():
            if rel_type in (REL_OFFICE_DOCUMENT, REL_STRICT_OFFICE_DOCUMENT) and self.has(target):
                return target
        if self.has(default):
            return default
        raise AttachmentProblem("broken", f"{self.fmt}: package has no main document part")

    def close(self) -> None:
        self.zip.close()
