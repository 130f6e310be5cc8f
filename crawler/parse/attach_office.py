"""Legacy binary office formats (DOC, WPS, XLS, ET, RTF, ODT/ODS) through LibreOffice.

When :func:`crawler.system.soffice_path` finds LibreOffice, the attachment is written to a
private temporary folder and converted headless to DOCX or XLSX.

Starting LibreOffice costs more than a second of CPU (a new user profile, the whole
office loaded), converting a report a fraction of that. So each process keeps one
instance running (:class:`Office`, started on its first conversion) with a private user
profile (``-env:UserInstallation``) and a small empty document held open, without which
LibreOffice quits as soon as a conversion leaves it with no document. A conversion is
the plain ``soffice --convert-to`` command given that same profile: LibreOffice hands
it over to the running instance, which converts, and the command returns when the
converted file is written. What the instance reports about the file (``Error: source
file could not be loaded``) is read from its log, so a failure reads as it would from a
one-shot run. The instance is replaced after :data:`OFFICE_USES` conversions, after a
timeout, or when it has gone; a running desktop LibreOffice is never touched.

The instance is ready when LibreOffice has written the lock file of the document it
holds open (``.~lock.NAME#``, written once a document is loaded). An instance that is
not ready within the conversion timeout, or that exits first, is given up; the
conversion then runs as before in a one-shot LibreOffice with a throwaway profile, and
after :data:`OFFICE_START_FAILURES` such starts the process stops trying.

Every LibreOffice process runs in a process group of its own and is killed with it on a
timeout. The running instance's group also holds a shell that waits on a pipe from this
process: when this process ends, however it ends, the pipe closes and the shell kills
the group, so no instance outlives the process that started it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
from multiprocessing import util as mp_util
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
OPTIONS: Final[tuple[str, ...]] = (
    "--headless",
    "--invisible",
    "--norestore",
    "--nolockcheck",
    "--nodefault",
    "--nologo",
    "--nofirststartwizard",
)
# Conversions one running instance does before it is replaced (bounds what it may leak).
OFFICE_USES: Final = 200
# Failed starts of a running instance after which a process converts one-shot only.
OFFICE_START_FAILURES: Final = 3
KEEP_OPEN: Final = "keep-open.txt"
# Runs LibreOffice ("$@") in the background and kills the whole process group when it
# exits or when standard input (a pipe from the process that started it) closes.
_WATCH: Final = (
    'exec 3<&0; "$@" </dev/null 3<&- & office=$!; '
    '{ read -r _ <&3; kill -KILL 0; } & wait "$office"; kill -KILL 0'
)
_POLL: Final = 0.05


class Office:
    """One LibreOffice instance kept running for the conversions of this process."""

    def __init__(self, soffice: str) -> None:
        self.soffice = soffice
        self.folder = Path(tempfile.mkdtemp(prefix="govreports-soffice-office-"))
        self.profile = (self.folder / "profile").as_uri()
        self.keep_open = self.folder / KEEP_OPEN
        self.keep_open.write_text("\n", encoding="utf-8")
        self.log = self.folder / "office.log"
        self.log.touch()
        self.log_read = 0
        self.uses = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float) -> bool:
        """Start the instance; True once it holds its document open (within ``timeout``)."""
        env = {**os.environ, "HOME": str(self.folder), "TMPDIR": str(self.folder)}
        command = ["sh", "-c", _WATCH, "sh", self.soffice, *OPTIONS,
                   f"-env:UserInstallation={self.profile}", str(self.keep_open)]  # fmt: skip
        with open(self.log, "ab") as log:
            try:
                self.proc = subprocess.Popen(
                    command,
                    stdin=subprocess.PIPE,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.folder,
                    env=env,
                    start_new_session=True,
                )
            except OSError as exc:
                logger.info("LibreOffice instance not started (%s)", exc)
                return False
        ready = self.folder / f".~lock.{KEEP_OPEN}#"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready.exists():
                self.log_read = self.log.stat().st_size
                return True
            if self.proc.poll() is not None:
                break
            time.sleep(_POLL)
        return False

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        """What the instance logged since the last call."""
        with open(self.log, "rb") as log:
            log.seek(self.log_read)
            data = log.read()
        self.log_read += len(data)
        return data.decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc is not None:
            _kill_group(self.proc)
            if self.proc.stdin is not None:
                with contextlib.suppress(OSError):
                    self.proc.stdin.close()
            self.proc = None
        # A killed LibreOffice leaves its hand-over socket behind, in /tmp, named after
        # the MD5 of the profile URL in UTF-16 (each byte in hex without a leading zero).
        digest = hashlib.md5(self.profile.encode("utf-16-le"), usedforsecurity=False).digest()
        name = "".join(f"{byte:x}" for byte in digest)
        socket = Path(f"/tmp/OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{name}")
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(socket.lstat().st_mode):
                socket.unlink()
        shutil.rmtree(self.folder, ignore_errors=True)


class _Offices:
    """This process's running instances, one per ``soffice`` executable; ``lock`` is held
    for a whole conversion, so an instance converts one file at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: dict[str, Office] = {}
        self.failed_starts: dict[str, int] = {}
        self.finalizer: mp_util.Finalize | None = None

    def get(self, soffice: str, timeout: float) -> Office | None:
        """The running instance for ``soffice``, started if need be (None: convert one-shot).
        Called with ``lock`` held."""
        office = self.running.get(soffice)
        if office is not None and office.alive() and office.uses < OFFICE_USES:
            return office
        if office is not None:
            self.drop(office)
        if self.failed_starts.get(soffice, 0) >= OFFICE_START_FAILURES:
            return None
        office = Office(soffice)
        if not office.start(timeout):
            office.stop()
            failures = self.failed_starts[soffice] = self.failed_starts.get(soffice, 0) + 1
            logger.info(
                "LibreOffice instance not ready within %.0fs (%d of %d); converting one-shot",
                timeout,
                failures,
                OFFICE_START_FAILURES,
            )
            return None
        self.failed_starts[soffice] = 0
        self.running[soffice] = office
        if self.finalizer is None:
            # Also run when a worker process of a pool exits (atexit is not, there).
            self.finalizer = mp_util.Finalize(self, self.stop_all, exitpriority=10)
        logger.debug("LibreOffice instance started for %s", soffice)
        return office

    def drop(self, office: Office) -> None:
        if self.running.get(office.soffice) is office:
            del self.running[office.soffice]
        office.stop()

    def stop_all(self) -> None:
        for soffice in list(self.running):
            office = self.running.pop(soffice, None)
            if office is not None:
                office.stop()


_offices = _Offices()


def shutdown() -> None:
    """Stop this process's running LibreOffice instances (they also stop when it exits)."""
    with _offices.lock:
        _offices.stop_all()


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
        env = {**os.environ, "HOME": str(folder), "TMPDIR": str(folder)}

        def command(profile: str) -> list[str]:
            target = ["--convert-to", export_filter, "--outdir", str(outdir), str(source)]
            return [soffice, *OPTIONS, f"-env:UserInstallation={profile}", *target]

        with _offices.lock:
            office = _offices.get(soffice, timeout)
            if office is not None:
                try:
                    stderr = _run(command(office.profile), folder, env, fmt, timeout)
                except AttachmentProblem:
                    _offices.drop(office)  # timed out: the instance may be stuck on this file
                    raise
                office.uses += 1
                stderr += "\n" + office.output()
                if not office.alive():
                    _offices.drop(office)
        if office is None:
            stderr = _run(command((folder / "profile").as_uri()), folder, env, fmt, timeout)
        target = outdir / f"attachment.{target_ext}"
        if not target.is_file():
            lines = [line.strip() for line in stderr.splitlines()]
            errors = [line for line in lines if "error" in line.lower()] or [x for x in lines if x]
            detail = one_line(errors[-1], 120) if errors else "no output"
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


def _run(command: list[str], folder: Path, env: dict[str, str], fmt: str, timeout: float) -> str:
    """Run one ``soffice`` command in a process group of its own; its standard error."""
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
        raise AttachmentProblem("unsupported", f"{fmt}: cannot start LibreOffice ({exc})") from exc
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
    text = stderr.decode("utf-8", "replace")
    return text if text.strip() else f"exit {proc.returncode}"


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        logger.warning("LibreOffice process group %s did not exit after SIGKILL", proc.pid)
