"""The parser's pure modules compiled with mypyc, and the import guard that uses them if current.

``make install`` runs ``python -m crawler.native build``: mypyc compiles :data:`MODULES` of
:mod:`crawler.parse` into C extension modules under ``.govreports/native/`` at the root of the
checkout, never next to the sources (an extension module beside its ``.py`` would shadow every
later edit of it). The build writes a manifest: the sha256 of every project source the compiled
code was built from (the compiled modules and every ``crawler`` module they import, whose
``Final`` constants and types mypyc bakes in), the Python ABI it was built for, and where the
extension modules are.

:func:`activate`, called by ``crawler/parse/__init__.py`` before any submodule is imported,
puts a :data:`sys.meta_path` finder in front of the usual ones when — and only when — every hash
in the manifest equals the hash of the source on disk and the ABI matches. The modules of one
build call each other directly in C (they share one library, ``crawler_parse__mypyc``), so a
build is used whole or not at all: one changed source, and every module is imported from its
``.py``, with one warning (``compiled parser out of date: run make install``).
``GOVREPORTS_PURE_PYTHON=1`` forces the ``.py`` modules; :func:`crawler.parse.native_status`
says which parser runs.

Nothing compiled is packaged: the wheel and the Scrapyd egg carry the ``.py`` files only, and run
them (an egg is a zip, from which extension modules cannot be loaded).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from crawler import settings

logger = logging.getLogger(__name__)

ROOT: Final = Path(__file__).resolve().parent.parent  # the checkout (or site-packages)
NATIVE_DIR: Final = ROOT / ".govreports" / "native"
PACKAGE: Final = "crawler.parse"
# The hot pure modules of the parse (the attachment readers spend their time in pdfminer,
# pdfium, lxml and zipfile, and model's dataclasses are pickled between processes).
MODULES: Final = (
    "arithmetic",
    "chrome",
    "encoding",
    "html",
    "metadata",
    "noise",
    "numbers",
    "report",
    "sections",
    "tables",
    "text",
    "texttables",
    "vocab",
)
GROUP: Final = "crawler_parse"  # mypyc names the group's shared library GROUP + "__mypyc"
MANIFEST: Final = "manifest.json"
FORMAT: Final = 1
# Anything that changes the compiled code besides the sources: part of the manifest, so that a
# build with other options is rebuilt rather than taken as up to date.
OPTIONS: Final = {"opt_level": "3", "debug_level": "1", "group": GROUP}
STALE: Final = "compiled parser out of date: run make install"


@dataclass(frozen=True, slots=True)
class NativeStatus:
    """Which parser this process runs, and why."""

    compiled: bool
    reason: str
    location: Path | None = None

    def __str__(self) -> str:
        if self.compiled:
            return f"compiled (mypyc, {len(MODULES)} modules of {PACKAGE}, {self.location})"
        return f"pure Python ({self.reason})"


# --- the import guard ------------------------------------------------------------------


class CompiledFinder(importlib.abc.MetaPathFinder):
    """Finds the modules of one verified build (and their shared library) in its directory."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def abi() -> dict[str, str]:
    """What an extension module must have been built for to load in this interpreter."""
    return {
        "cache_tag": sys.implementation.cache_tag or "",
        "ext_suffix": importlib.machinery.EXTENSION_SUFFIXES[0],
    }


def read_manifest(native_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((native_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        return {"format": FORMAT, "failed": f"unreadable manifest: {exc}"}
    return data if isinstance(data, dict) else {"format": FORMAT, "failed": "bad manifest"}


def changed_sources(manifest: dict[str, Any], root: Path) -> list[str]:
    """The manifest's sources whose file on disk is missing or hashes otherwise."""
    changed = []
    for name, digest in manifest.get("sources", {}).items():
        try:
            if sha256(root / name) != digest:
                changed.append(name)
        except OSError:
            changed.append(name)
    return changed


def check(native_dir: Path = NATIVE_DIR, root: Path = ROOT) -> tuple[NativeStatus, dict[str, Path]]:
    """The status of the build in ``native_dir`` against the sources under ``root``, and the
    files of its modules when it may be used; logs one warning when it exists but is stale."""
    if settings.pure_python_parser():
        return NativeStatus(False, "GOVREPORTS_PURE_PYTHON=1"), {}
    manifest = read_manifest(native_dir)
    if manifest is None:
        return NativeStatus(False, f"no compiled build in {native_dir}"), {}
    if manifest.get("failed"):
        reason = f"its build failed: {manifest['failed']}"
        logger.info("compiled parser not used: %s", reason)
        return NativeStatus(False, reason), {}
    build_dir = native_dir / str(manifest.get("build", ""))
    files = {name: build_dir / rel for name, rel in manifest.get("files", {}).items()}
    expected = {f"{PACKAGE}.{m}" for m in MODULES}
    if manifest.get("format") != FORMAT or manifest.get("abi") != abi():
        problem = "built for another Python or by another version of this code"
    elif set(files) != expected | {f"{GROUP}__mypyc"}:
        problem = "built from another list of modules"
    elif changed := changed_sources(manifest, root):
        problem = "sources changed since: " + ", ".join(sorted(changed))
    elif missing := [str(f) for f in files.values() if not f.is_file()]:
        problem = "missing " + ", ".join(missing)
    else:
        return NativeStatus(True, "built from these sources", build_dir), files
    logger.warning("%s (%s); running the pure-Python parser", STALE, problem)
    return NativeStatus(False, f"compiled build out of date: {problem}"), {}


def activate(native_dir: Path = NATIVE_DIR, root: Path = ROOT) -> NativeStatus:
    """Install the finder of the compiled build if it is current; the status either way.

    Must run before any of :data:`MODULES` is imported: a module already imported from its
    ``.py`` could not be mixed with compiled ones, so then the pure parser stays.
    """
    global _chosen
    if _chosen is None:  # else chosen already (crawler.parse reloaded): the same answer
        _chosen = _choose(native_dir, root)
    return _chosen


_chosen: NativeStatus | None = None  # the choice of this process, made once


def _choose(native_dir: Path, root: Path) -> NativeStatus:
    status, files = check(native_dir, root)
    if not status.compiled:
        return status
    loaded = [name for name in files if name in sys.modules]
    if loaded:
        logger.warning("compiled parser not used: %s imported before it", ", ".join(loaded))
        return NativeStatus(False, "modules imported before the compiled build was chosen")
    finder = CompiledFinder(files)
    sys.meta_path.insert(0, finder)
    try:
        # Every module now, the library first: one that fails to load (a damaged file, a
        # module-level annotation that lies) must not leave the others compiled.
        for name in sorted(files, key=lambda n: n != f"{GROUP}__mypyc"):
            importlib.import_module(name)
    except Exception as exc:
        sys.meta_path.remove(finder)
        for name in files:
            sys.modules.pop(name, None)
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:
                vars(sys.modules[parent]).pop(child, None)
        logger.warning(
            "compiled parser failed to load (%s: %s); running the pure-Python parser",
            type(exc).__name__,
            exc,
        )
        return NativeStatus(False, f"compiled build failed to load: {exc}")
    return status


# --- the build ---------------------------------------------------------------------------


def module_file(name: str, root: Path) -> Path | None:
    """The project source of module ``name`` under ``root``, if it is one of ours."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def sources(root: Path = ROOT) -> list[Path]:
    """The compiled modules and every ``crawler`` module they import, directly or not (what
    mypy reads to type them), with the packages' ``__init__`` files on the way.

    The imports of an ``__init__`` are not followed: the compiled code imports submodules,
    not what a package's ``__init__`` imports for itself (``crawler.parse`` imports this
    module, and this module the settings, which have nothing to do with the parse)."""
    todo = [f"{PACKAGE}.{m}" for m in MODULES]
    seen: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # the module and the packages it is in
            prefix = ".".join(parts[:i])
            path = module_file(prefix, root)
            if prefix in seen or path is None:
                continue
            seen[prefix] = path
            if path.name == "__init__.py":
                continue
            for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
                if isinstance(node, ast.Import):
                    todo.extend(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    todo.append(node.module)
                    todo.extend(f"{node.module}.{alias.name}" for alias in node.names)
            todo[:] = [n for n in todo if n == "crawler" or n.startswith("crawler.")]
    return sorted(seen.values())


def compile_modules(out: Path, jobs: int) -> None:
    """mypyc, then the C compiler: the extension modules into ``out`` (run in a child process
    with the checkout as working directory, its output going to build.log)."""
    from mypyc.build import mypycify
    from setuptools import setup

    extensions = mypycify(
        [f"{PACKAGE.replace('.', '/')}/{m}.py" for m in MODULES],
        target_dir=str(out / "c"),
        group_name=GROUP,
        opt_level=OPTIONS["opt_level"],
        debug_level=OPTIONS["debug_level"],
    )
    setup(
        name="gov-reports-native",
        ext_modules=extensions,
        script_args=[
            "build_ext",
            f"--build-lib={out}",
            f"--build-temp={out / 'obj'}",
            f"--parallel={jobs}",
        ],
    )


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def build(
    native_dir: Path = NATIVE_DIR, root: Path = ROOT, *, force: bool = False, jobs: int = 2
) -> NativeStatus:
    """Compile :data:`MODULES` into a fresh ``native_dir/build-*`` and point the manifest at
    it. A failed compile is recorded in the manifest (so that make does not retry it until a
    source changes) and leaves the pure parser in use; it never raises."""
    try:
        from mypy.version import __version__ as mypy_version
    except ImportError:  # not a dev install: nothing to compile with
        mypy_version = ""
    native_dir.mkdir(parents=True, exist_ok=True)
    paths = sources(root)
    hashes = {str(p.relative_to(root)): sha256(p) for p in paths}
    identity = {"format": FORMAT, "abi": abi(), "mypy": mypy_version, **OPTIONS}
    old = read_manifest(native_dir)
    if not force and old and not old.get("failed") and old.get("sources") == hashes:
        status, _ = check(native_dir, root)
        if status.compiled and all(old.get(k) == v for k, v in identity.items()):
            (native_dir / MANIFEST).touch()  # for make: up to date with its sources
            return status
    build_id = f"build-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    out = native_dir / build_id
    log = native_dir / "build.log"
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as f:
        command = [sys.executable, "-m", "crawler.native", "compile", str(out), f"--jobs={jobs}"]
        if not mypy_version:
            command = [sys.executable, "-c", "raise SystemExit('mypy (mypyc) is not installed')"]
        done = subprocess.run(command, cwd=root, stdout=f, stderr=subprocess.STDOUT, check=False)
    seconds = round(time.perf_counter() - started, 1)
    suffix = abi()["ext_suffix"]
    files = {f"{PACKAGE}.{m}": f"{PACKAGE.replace('.', '/')}/{m}{suffix}" for m in MODULES}
    files[f"{GROUP}__mypyc"] = f"{GROUP}__mypyc{suffix}"
    manifest: dict[str, Any] = {**identity, "build": build_id, "seconds": seconds}
    if done.returncode != 0:
        manifest["failed"] = f"exit status {done.returncode}, see {log}"
    elif missing := [rel for rel in files.values() if not (out / rel).is_file()]:
        manifest["failed"] = f"not built: {', '.join(missing)}, see {log}"
    elif {str(p.relative_to(root)): sha256(p) for p in paths} != hashes:
        manifest["failed"] = "sources changed during the build"
    manifest.update(files=files, sources=hashes)
    shutil.rmtree(out / "c", ignore_errors=True)  # generated C and objects: megabytes, unused
    shutil.rmtree(out / "obj", ignore_errors=True)
    write_atomically(native_dir / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
    # For make: rebuild when any of these changes (the Makefile includes this file).
    prerequisites = " ".join(str(p.relative_to(root)) for p in paths)
    target = os.path.relpath(native_dir / MANIFEST, root)  # as the Makefile names it
    write_atomically(native_dir / "deps.mk", f"{target}: {prerequisites}\n")
    for stale in native_dir.glob("build-*"):
        if stale.name != build_id:  # a process still running an older build keeps its mapping
            shutil.rmtree(stale, ignore_errors=True)
    if manifest.get("failed"):
        shutil.rmtree(out, ignore_errors=True)
        logger.warning(
            "compiled parser not built (%s): the parser runs as pure Python; once fixed, "
            "python -m crawler.native build --force",
            manifest["failed"],
        )
        return NativeStatus(False, f"its build failed: {manifest['failed']}")
    status, _ = check(native_dir, root)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.native", description="The compiled (mypyc) build of the parser."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="compile unless up to date (make install)")
    build_cmd.add_argument("--force", action="store_true", help="even when up to date")
    build_cmd.add_argument("--jobs", type=int, default=2, help="parallel compiler jobs")
    commands.add_parser("status", help="which parser an import of crawler.parse would run")
    compile_cmd = commands.add_parser("compile", help=argparse.SUPPRESS)
    compile_cmd.add_argument("out", type=Path)
    compile_cmd.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.command == "compile":
        compile_modules(args.out, args.jobs)
        return 0
    if args.command == "status":
        print(f"parser: {check()[0]}")
        return 0
    started = time.perf_counter()
    status = build(force=args.force, jobs=args.jobs)
    print(f"parser: {status} [{time.perf_counter() - started:.1f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
