"""The compiled parser (crawler.native): used only when built from the sources on disk, and
then parsing exactly as the pure-Python one does."""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import native
from crawler.parse import clean_text, native_status, parse_report, validate
from crawler.registry import seed_texts

ROOT = Path(__file__).resolve().parent.parent
COMPILED = native_status().compiled
needs_build = pytest.mark.skipif(not COMPILED, reason="no current compiled build (make install)")


def test_the_compiled_build_did_not_fail() -> None:
    """A failed compile leaves the parser pure and make install going; where a compile was
    possible (a C compiler here), it is a regression of the parser's speed: say so."""
    manifest = native.read_manifest(native.NATIVE_DIR)
    if manifest is None or not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("no compiled build attempted here")
    assert not manifest.get("failed"), f"mypyc build failed: {manifest.get('failed')}"


def test_sources_are_the_compiled_modules_and_what_they_import() -> None:
    names = {str(p.relative_to(ROOT)) for p in native.sources(ROOT)}
    assert {f"crawler/parse/{m}.py" for m in native.MODULES} <= names
    # Imported by the compiled modules: their types and Final constants are compiled in.
    assert {"crawler/parse/model.py", "crawler/cells.py", "crawler/registry.py"} <= names
    # Not imported by them: the attachment readers, the settings, this module.
    assert not {"crawler/parse/attachments.py", "crawler/settings.py", "crawler/native.py"} & names


@pytest.fixture(autouse=True)
def _no_forced_pure(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests choose for themselves (the suite may run with GOVREPORTS_PURE_PYTHON=1)."""
    monkeypatch.delenv("GOVREPORTS_PURE_PYTHON", raising=False)


def _fake_build(tmp_path: Path) -> tuple[Path, Path]:
    """A manifest over a one-source tree, with empty files where the modules would be."""
    root, native_dir = tmp_path / "src", tmp_path / "native"
    source = root / "crawler" / "parse" / "html.py"
    source.parent.mkdir(parents=True)
    source.write_text("X = 1\n")
    files = {f"{native.PACKAGE}.{m}": f"{m}.so" for m in native.MODULES}
    files[f"{native.GROUP}__mypyc"] = "group.so"
    for rel in files.values():
        (native_dir / "build-1" / rel).parent.mkdir(parents=True, exist_ok=True)
        (native_dir / "build-1" / rel).write_bytes(b"")
    manifest = {
        "format": native.FORMAT,
        "abi": native.abi(),
        "build": "build-1",
        "files": files,
        "sources": {"crawler/parse/html.py": native.sha256(source)},
    }
    (native_dir / native.MANIFEST).write_text(json.dumps(manifest))
    return root, native_dir


def test_a_current_build_is_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root, native_dir = _fake_build(tmp_path)
    status, files = native.check(native_dir, root)
    assert status.compiled
    assert files[f"{native.PACKAGE}.html"] == native_dir / "build-1" / "html.so"
    assert not caplog.records


def test_a_changed_source_means_pure_python_and_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root, native_dir = _fake_build(tmp_path)
    (root / "crawler" / "parse" / "html.py").write_text("X = 2\n")
    with caplog.at_level(logging.WARNING, logger="crawler.native"):
        status, files = native.check(native_dir, root)
    assert not status.compiled and not files
    assert "crawler/parse/html.py" in status.reason
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [native.STALE]


@pytest.mark.parametrize("problem", ["abi", "modules", "missing file", "failed", "pure"])
def test_anything_else_amiss_means_pure_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    root, native_dir = _fake_build(tmp_path)
    path = native_dir / native.MANIFEST
    manifest = json.loads(path.read_text())
    if problem == "abi":
        manifest["abi"]["ext_suffix"] = ".cpython-399-x86_64-linux-gnu.so"
    elif problem == "modules":
        del manifest["files"][f"{native.PACKAGE}.vocab"]
    elif problem == "missing file":
        (native_dir / "build-1" / "tables.so").unlink()
    elif problem == "failed":
        manifest["failed"] = "exit status 1"
    else:
        monkeypatch.setenv("GOVREPORTS_PURE_PYTHON", "1")
    path.write_text(json.dumps(manifest))
    status, files = native.check(native_dir, root)
    assert not status.compiled and not files


def test_no_build_means_pure_python_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    status, files = native.check(tmp_path / "nothing", tmp_path)
    assert not status.compiled and not files
    assert not caplog.records


def test_choosing_again_gives_the_same_answer() -> None:
    """crawler.parse reloaded: the modules imported stay what they are, and so does the status."""
    assert native.activate() == native_status()


def test_results_cross_processes() -> None:
    """Parse workers hand documents over by pickle: the parse's results round-trip (compiled
    classes would not, by default; the model's dataclasses stay plain Python)."""
    text = seed_texts()[min(seed_texts())]
    doc = clean_text(text)
    report = validate(parse_report(doc))
    assert report.template and len(report.values()) > 50
    assert pickle.loads(pickle.dumps(doc)) == doc
    assert pickle.loads(pickle.dumps(report)) == report


_PROBE = (
    "import sys; sys.path.insert(0, sys.argv[1])\n"
    "import crawler.parse as p, crawler.parse.html as h, crawler.parse.report as r\n"
    "assert p.__file__.startswith(sys.argv[1]), p.__file__\n"
    "print(p.native_status().compiled, h.__file__.endswith('.py'), r.__file__.endswith('.py'))\n"
    "print(p.parse_document(b'<html><body><p>x</p></body></html>').template)\n"
)


def _probe(copy: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "GOVREPORTS_PURE_PYTHON"}
    return subprocess.run(
        [sys.executable, "-c", _PROBE, str(copy)],
        cwd=copy, env={**environ, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@needs_build
def test_the_real_build_in_a_copy_of_the_checkout(tmp_path: Path) -> None:
    """The finder on a copy of this checkout and its build: compiled while the sources are
    those it was built from; one edited module and every module is imported from its .py."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "crawler", tmp_path / "crawler", ignore=ignore)
    shutil.copytree(native.NATIVE_DIR, tmp_path / ".govreports" / "native", ignore=ignore)

    done = _probe(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:3] == ["True", "False", "False"]
    assert native.STALE not in done.stderr

    done = _probe(tmp_path, GOVREPORTS_PURE_PYTHON="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:3] == ["False", "True", "True"]

    (library,) = (tmp_path / ".govreports" / "native").glob(f"build-*/{native.GROUP}__mypyc.*")
    content = library.read_bytes()
    library.write_bytes(b"not a shared library")  # damaged after the build: fails to load
    done = _probe(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:3] == ["False", "True", "True"]
    assert done.stderr.count("compiled parser failed to load") == 1
    library.write_bytes(content)

    with (tmp_path / "crawler" / "parse" / "tables.py").open("a") as f:
        f.write("# edited after the build\n")
    done = _probe(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:3] == ["False", "True", "True"]  # html unchanged, still pure
    assert done.stderr.count(native.STALE) == 1


@pytest.mark.slow
@needs_build
def test_compiled_and_pure_parse_identically(tmp_path: Path) -> None:
    """scripts/parse_outputs.py's dump (bench pages, text layouts, saved and seed pages),
    once compiled and once pure: every document's cleaning and parse byte for byte."""
    dumps = []
    for mode, env in (("compiled", {}), ("pure", {"GOVREPORTS_PURE_PYTHON": "1"})):
        out = tmp_path / f"{mode}.txt"
        done = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "parse_outputs.py"), "dump", str(out),
             "--pages", "120", "--seeds", "0"],
            cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert f"parser: {mode}" in done.stdout.replace("pure Python", "pure")
        dumps.append(out.read_text(encoding="utf-8"))
    compiled, pure = dumps
    assert compiled.count("\n") > 200
    assert compiled == pure
