"""Legacy binary office formats (DOC, WPS, XLS, ET, RTF, ODT/ODS) through LibreOffice.

When :func:`crawler.system.soffice_path` finds LibreOffice, the attachment is written to a
private temporary folder and converted headless to DOCX or XLSX with a throwaway user
profile (``-env:UserInstallation``), so concurrent conversions never share state and a
running desktop LibreOffice is never touched. The conversion runs in its own process
group and is killed with it on timeout.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from crawler.parse.attach_common import AttachmentProblem, one_line

logger = logging.getLogger(__name__)

# source format -> (extension LibreOffice should see, target extension, export filter)
CONVERSIONS: Final[dict[str, tuple[str, str, str]]] = {
    "doc": ("doc", "docx", "docx:MS Word 2007 XML"),
    # Kingsoft WPS files are Word binaries; named .wps LibreOffice would try MS Works.
    "wps": ("doc", "docx", "docx:MS Word 2007 XML"),
    "rtf": ("rtf", "docx", "docx:MS Word 2007 XML"),
    "odt": ("odt", "docx", "docx:MS Word 2007 XML"),
    "xls": ("xls", "xlsx", "xlsx:Calc MS Excel 2007 XML"),
    "ods": ("ods", "xlsx", "xlsx:Calc MS Excel 2007 XML"),
}


def convert(body: bytes, fmt: str, soffice: str, *, timeout: float, max_output: int) -> bytes:
    """``body`` in format ``fmt`` converted by LibreOffice; the DOCX/XLSX bytes."""
    if fmt not in CONVERSIONS:
        raise AttachmentProblem("unsupported", f"{fmt}: LibreOffice conversion not configured")
    source_ext, target_ext, export_filter = CONVERSIONS[fmt]
    with tempfile.TemporaryDirectory(prefix="govreports-soffice-") as tmp:
        folder = Path(tmp)
        source = folder / f"attachment.{source_ext}"
        source.write_bytes(body)
        outdir = folder / "out"
        outdir.mkdir()
        command = [
            soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            "--nofirststartwizard",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            export_filter,
            "--outdir",
            str(outdir),
            str(source),
        ]
        env = {**os.environ, "HOME": str(folder), "TMPDIR": str(folder)}
        try:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=folder,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise AttachmentProblem(
                "unsupported", f"{fmt}: cannot start LibreOffice ({exc})"
            ) from exc
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise AttachmentProblem(
                "broken", f"{fmt}: LibreOffice conversion timed out after {timeout:.0f}s"
            ) from None
        finally:
            if proc.poll() is None:
                _kill_group(proc)
        target = outdir / f"attachment.{target_ext}"
        if not target.is_file():
            lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
            errors = [line for line in lines if "error" in line.lower()] or [x for x in lines if x]
            detail = one_line(errors[-1], 120) if errors else f"exit {proc.returncode}"
            raise AttachmentProblem(
                "broken", f"{fmt}: LibreOffice could not convert it to {target_ext} ({detail})"
            )
        size = target.stat().st_size
        if size > max_output:
            raise AttachmentProblem(
                "too_large", f"{fmt}: converted {target_ext} is {size} bytes (cap {max_output})"
            )
        logger.debug("converted %s to %s with LibreOffice (%d bytes)", fmt, target_ext, size)
        return target.read_bytes()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        logger.warning("LibreOffice process group %s did not exit after SIGKILL", proc.pid)
