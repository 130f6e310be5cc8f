"""An embedded PostgreSQL server, for running without ``DATABASE_URL``.

The cluster lives in a project-local folder (``$GOVREPORTS_HOME/postgres`` by default)
and listens on a Unix socket only, so it never clashes with a server on port 5432. It
is started on first use and left running, so ``govreports db psql`` after a crawl
finds the same data; ``govreports db stop`` stops it.

Binaries: ``GOVREPORTS_PG_BIN`` if set, else Debian's ``/usr/lib/postgresql/<N>/bin``,
else the ones bundled in the ``pgserver`` wheel. For an existing cluster the binaries
of its major version are preferred.

PostgreSQL refuses to run as root. When we are root, the cluster folder is given to
an unprivileged system user (``postgres`` where it exists, else ``nobody``) and the
server runs as that user; no permission of any parent folder is changed. When that
user cannot reach the folder, the error says so and how to choose another place.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import quote

from crawler import settings
from crawler.errors import DatabaseError

logger = logging.getLogger(__name__)

DATABASE_NAME = "govreports"
SUPERUSER = "postgres"
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux; leave room for the file name
_START_TIMEOUT = 60


@dataclass(frozen=True, slots=True)
class PgBinaries:
    bindir: Path
    major: int

    def tool(self, name: str) -> str:
        return str(self.bindir / name)


def _major_of(bindir: Path) -> int | None:
    pg_ctl = bindir / "pg_ctl"
    if not pg_ctl.is_file():
        return None
    try:
        out = subprocess.run(
            [str(pg_ctl), "--version"], capture_output=True, text=True, check=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


def candidate_binaries() -> list[PgBinaries]:
    """Every usable set of server binaries, best first."""
    folders: list[Path] = []
    explicit = settings.pg_bin_dir()
    if explicit is not None:
        folders.append(explicit)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    folders.extend(debian)
    spec = find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        folders.append(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin")
    found: list[PgBinaries] = []
    for folder in folders:
        if not (folder / "initdb").is_file() or not (folder / "postgres").is_file():
            continue
        major = _major_of(folder)
        if major is not None:
            found.append(PgBinaries(folder, major))
    return found


def _service_user() -> pwd.struct_passwd | None:
    """The user the server runs as: None when we are not root (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise DatabaseError("running as root, and neither user 'postgres' nor 'nobody' exists")


class EmbeddedPostgres:
    """A PostgreSQL cluster in ``datadir``, reachable through a Unix socket."""

    def __init__(self, datadir: Path, *, durable: bool = True) -> None:
        self.datadir = datadir.resolve()
        self.durable = durable  # False for throwaway test clusters: fsync off
        self.user = _service_user()
        self.socket_dir = self._socket_dir()
        self.logfile = self.datadir.parent / "postgres.log"

    # --- public -------------------------------------------------------------

    def url(self, database: str = DATABASE_NAME, *, driver: str = "postgresql") -> str:
        return f"{driver}://{SUPERUSER}@/{database}?host={quote(str(self.socket_dir))}"

    def ensure_running(self) -> str:
        """Initialise and start the cluster if needed; return its libpq URL."""
        self.datadir.parent.mkdir(parents=True, exist_ok=True)
        with self._lock():
            binaries = self._binaries()
            if not (self.datadir / "PG_VERSION").is_file():
                self._initdb(binaries)
            if not self._is_running(binaries):
                self._start(binaries)
            self._create_database(binaries, DATABASE_NAME)
        return self.url()

    def stop(self) -> bool:
        """Stop the server; False when it was not running."""
        if not (self.datadir / "PG_VERSION").is_file():
            return False
        with self._lock():
            binaries = self._binaries()
            if not self._is_running(binaries):
                return False
            self._run(
                [binaries.tool("pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"],
                what="stop the embedded PostgreSQL",
            )
            return True

    def psql_argv(self, database: str = DATABASE_NAME) -> list[str]:
        binaries = self._binaries()
        psql = binaries.bindir / "psql"
        exe = str(psql) if psql.is_file() else (shutil.which("psql") or "psql")
        return [exe, "-h", str(self.socket_dir), "-U", SUPERUSER, "-d", database]

    # --- internals ------------------------------------------------------------

    def _socket_dir(self) -> Path:
        if len(str(self.datadir / ".s.PGSQL.5432")) <= _SOCKET_PATH_MAX:
            return self.datadir
        digest = hashlib.sha256(str(self.datadir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"govreports-pg-{digest}"

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        lockfile = self.datadir.parent / ".postgres.lock"
        with open(lockfile, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _binaries(self) -> PgBinaries:
        found = candidate_binaries()
        if not found:
            raise DatabaseError(
                "no PostgreSQL server binaries found: install Debian's 'postgresql' package, "
                "or the 'pgserver' wheel, or set GOVREPORTS_PG_BIN, or set DATABASE_URL"
            )
        version_file = self.datadir / "PG_VERSION"
        if version_file.is_file():
            wanted = int(version_file.read_text().strip().split(".")[0])
            for binaries in found:
                if binaries.major == wanted:
                    return binaries
            raise DatabaseError(
                f"the embedded cluster in {self.datadir} is PostgreSQL {wanted}, but only "
                f"{sorted({b.major for b in found})} binaries are here; set GOVREPORTS_PG_BIN"
            )
        return found[0]

    def _run(
        self, argv: list[str], *, what: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self.user is not None:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        result: subprocess.CompletedProcess[str] = subprocess.run(  # type: ignore[call-overload]
            argv, capture_output=True, text=True, env=env, cwd="/", timeout=120, **kwargs
        )
        if check and result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise DatabaseError(f"could not {what}: {' / '.join(tail) or result.returncode}")
        return result

    def _prepare_dirs(self) -> None:
        self.datadir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.socket_dir != self.datadir:
            self.socket_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.user is None:
            return
        for folder in {self.datadir, self.socket_dir}:
            os.chown(folder, self.user.pw_uid, self.user.pw_gid)
        self.logfile.touch(exist_ok=True)
        os.chown(self.logfile, self.user.pw_uid, self.user.pw_gid)
        # The service user must be able to reach the folder through its parents.
        probe = self._run(["/bin/test", "-w", str(self.datadir)], what="probe", check=False)
        if probe.returncode != 0:
            raise DatabaseError(
                f"user {self.user.pw_name!r} cannot reach {self.datadir} (a parent folder is "
                "closed to other users); set GOVREPORTS_HOME to a folder under /srv, /var or "
                "/tmp, or set DATABASE_URL"
            )

    def _initdb(self, binaries: PgBinaries) -> None:
        if self.datadir.exists() and any(self.datadir.iterdir()):
            raise DatabaseError(
                f"{self.datadir} exists, is not empty and is not a PostgreSQL cluster"
            )
        logger.info(
            "Creating the embedded PostgreSQL %s cluster in %s", binaries.major, self.datadir
        )
        self._prepare_dirs()
        argv = [
            binaries.tool("initdb"),
            "-D",
            str(self.datadir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
        ]
        if not self.durable:
            argv.append("--no-sync")
        self._run(argv, what="initialise the embedded PostgreSQL cluster")
        conf = self.datadir / "postgresql.conf"
        extra = [
            "listen_addresses = ''",
            f"unix_socket_directories = '{self.socket_dir}'",
            "max_connections = 100",
            "shared_buffers = 128MB",
        ]
        if not self.durable:
            extra += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        with conf.open("a") as handle:
            handle.write("\n# gov-reports embedded server\n" + "\n".join(extra) + "\n")

    def _is_running(self, binaries: PgBinaries) -> bool:
        result = self._run(
            [binaries.tool("pg_ctl"), "-D", str(self.datadir), "status"], what="status", check=False
        )
        return result.returncode == 0

    def _start(self, binaries: PgBinaries) -> None:
        self._prepare_dirs()
        logger.info("Starting the embedded PostgreSQL in %s", self.datadir)
        self._run(
            [
                binaries.tool("pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(self.logfile),
                "-w",
                "-t",
                str(_START_TIMEOUT),
                "start",
            ],
            what=f"start the embedded PostgreSQL (see {self.logfile})",
        )

    def _create_database(self, binaries: PgBinaries, name: str) -> None:
        psql = binaries.bindir / "psql"
        exe = str(psql) if psql.is_file() else (shutil.which("psql") or "psql")
        base = [exe, "-h", str(self.socket_dir), "-U", SUPERUSER, "-d", "postgres", "-tAc"]
        exists = self._run(
            [*base, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"], what="list databases"
        )
        if exists.stdout.strip() != "1":
            deadline = time.monotonic() + 10
            while True:
                result = self._run([*base, f'CREATE DATABASE "{name}"'], what="x", check=False)
                if result.returncode == 0 or "already exists" in result.stderr:
                    return
                if time.monotonic() > deadline:
                    raise DatabaseError(
                        f"could not create database {name}: {result.stderr.strip()}"
                    )
                time.sleep(0.2)


def default_cluster() -> EmbeddedPostgres:
    return EmbeddedPostgres(settings.home_dir() / "postgres")
