"""System packages the crawler can use, from Debian: Chromium, LibreOffice (and ``wrk``,
which only the simulator's benchmark uses).

``python -m crawler.system chromium libreoffice wrk [--install]`` reports whether each is
there and, with ``--install``, installs the Debian package when it is missing and the
machine lets us (root with apt-get). Chromium drives script-drawn pages and cookie
challenges (Playwright's own browser download is never used); LibreOffice converts
DOC/WPS attachments. Without either the crawl still runs: such pages are recorded as
blocked, such attachments with an ``unsupported format`` finding.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def chromium_path() -> str | None:
    """The system Chromium executable, or None."""
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def soffice_path() -> str | None:
    """LibreOffice's ``soffice`` (for DOC/WPS attachments), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


# tool → (Debian packages, how to find it, what is lost without it)
TOOLS: dict[str, tuple[tuple[str, ...], Callable[[], str | None], str]] = {
    "chromium": (("chromium",), chromium_path, "pages that need a browser are recorded as blocked"),
    "libreoffice": (
        ("libreoffice-writer-nogui", "libreoffice-calc-nogui"),
        soffice_path,
        "DOC/WPS attachments get an unsupported-format finding",
    ),
    "wrk": (
        ("wrk",),
        lambda: shutil.which("wrk"),
        "the simulator's benchmark (python -m crawler.simulator.bench) cannot run",
    ),
}


def install(tool: str) -> str | None:
    """The tool's path, installing its Debian package first when missing and possible."""
    packages, find, without = TOOLS[tool]
    package = " ".join(packages)
    if found := find():
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        print(
            f"{tool}: not installed, and this user cannot install it (needs root and apt-get); "
            f"{without}. Install Debian's '{package}'.",
            file=sys.stderr,
        )
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"{tool}: installing Debian's {package} (once) ...", file=sys.stderr)
    result = subprocess.run(
        [apt, "-qq", "install", "-y", "--no-install-recommends", *packages], env=env, check=False
    )
    if result.returncode:  # the package lists may be stale: refresh them once and retry
        subprocess.run([apt, "-qq", "update"], env=env, check=False)
        result = subprocess.run(
            [apt, "-qq", "install", "-y", "--no-install-recommends", *packages],
            env=env,
            check=False,
        )
    if result.returncode or not find():
        print(f"{tool}: apt-get install {package} failed; {without}", file=sys.stderr)
        return None
    return find()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.system")
    parser.add_argument("tools", nargs="+", choices=sorted(TOOLS))
    parser.add_argument("--install", action="store_true", help="install what is missing")
    args = parser.parse_args(argv)
    for tool in args.tools:
        path = install(tool) if args.install else TOOLS[tool][1]()
        print(f"{tool}: {path or 'not found'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
