"""Attachments and images of reports.

Attachments (PDF with real tables, DOCX, XLSX, and the DOC/WPS stand-ins) come from
:func:`crawler.fabricate.render_attachment`. Scanned pages of image-only reports
(图片版) are drawn here: a JPEG per page with the tables' grid and numbers, as a
scan would show them (there is no CJK font on the machine, so labels are bars).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
from pathlib import Path

from crawler.fabricate import render_attachment
from crawler.fabricate.report import SyntheticReport
from crawler.fabricate.tables import logical_tables
from crawler.simulator.model import ReportSpec

IMAGE_KINDS = ("jpg",)


def file_key(spec: ReportSpec, kind: str) -> str:
    """The disk-cache name of a report's file: its content seed, edits and kind."""
    edits = ";".join(f"{c}={v}" for c, v in spec.edits)
    digest = hashlib.sha256(f"{spec.seed}|{spec.title}|{edits}|{kind}".encode()).hexdigest()
    return f"{digest[:2]}/{digest[2:24]}.{kind}"


def render_to(spec: ReportSpec, kind: str, folder: Path | None) -> bytes:
    """Render a report's file (in a pool process) and keep it in ``folder`` if given."""
    from crawler.simulator import content

    body = render(spec, content.synthetic(spec), kind)
    if folder is not None:
        path = folder / file_key(spec, kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)
    return body


def render(spec: ReportSpec, report: SyntheticReport, kind: str) -> bytes:
    rng = random.Random(f"{spec.seed}:file:{kind}")
    if kind in IMAGE_KINDS:
        return scan(report, rng)
    return render_attachment(report, kind, rng)


def scan(report: SyntheticReport, rng: random.Random) -> bytes:
    """A grey 'scan' of the report's three tables, cell grid and printed values."""
    from PIL import Image, ImageDraw

    tables = logical_tables(report)
    cell_w, cell_h, margin = 70, 22, 30
    heights = [t.n_rows * cell_h for t in tables]
    width = margin * 2 + max(t.n_cols for t in tables) * cell_w
    height = margin * (len(tables) + 2) + sum(heights) + 40
    image = Image.new("L", (width, height), 246)
    draw = ImageDraw.Draw(image)
    draw.rectangle((margin, 10, width - margin, 24), fill=60)  # the title line
    y = margin + 20
    for table in tables:
        for cell in table.cells:
            x0 = margin + cell.col * cell_w
            y0 = y + cell.row * cell_h
            x1 = x0 + cell.colspan * cell_w
            y1 = y0 + cell.rowspan * cell_h
            draw.rectangle((x0, y0, x1, y1), outline=30)
            text = cell.text.strip()
            if text and all(ch in "0123456789.-,/ " for ch in text):
                draw.text((x0 + 4, y0 + 5), text, fill=0)
            elif text:
                draw.rectangle(
                    (
                        x0 + 4,
                        y0 + 8,
                        x0 + 4 + min(cell_w * cell.colspan - 8, 6 * len(text)),
                        y0 + 13,
                    ),
                    fill=120,
                )
        y += table.n_rows * cell_h + margin
    noise = rng.randrange(3)  # a little scanner variation
    image = image.rotate(0.3 * (noise - 1), fillcolor=246)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70, optimize=False)
    return out.getvalue()
