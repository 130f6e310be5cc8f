"""System packages the crawler can use: Debian's Chromium (for script-driven pages).

``python -m crawler.system chromium [--install]`` reports whether Chromium is there
and, with ``--install``, installs Debian's ``chromium`` package when it is missing and
the machine lets us (root with apt-get). Playwright's own browser download is never
used: the crawler drives the system browser.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def chromium_path() -> str | None:
    """The system Chromium executable, or None."""
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium")
    return found


def soffice_path() -> str | None:
    """LibreOffice's ``soffice`` (for DOC/WPS attachments), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def install_chromium() -> str | None:
    if chromium_path():
        return chromium_path()
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        print(
            "chromium: not installed, and this user cannot install it (needs root and apt-get); "
            "pages that need a browser will be recorded as skipped. Install Debian's 'chromium'.",
            file=sys.stderr,
        )
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("chromium: installing Debian's chromium package (once) ...", file=sys.stderr)
    update = subprocess.run([apt, "-qq", "update"], env=env, check=False)
    result = subprocess.run(
        [apt, "-qq", "install", "-y", "--no-install-recommends", "chromium"],
        env=env,
        check=False,
    )
    if update.returncode or result.returncode or not chromium_path():
        print("chromium: apt-get install failed; browser pages will be skipped", file=sys.stderr)
        return None
    return chromium_path()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.system")
    parser.add_argument("what", choices=["chromium"])
    parser.add_argument("--install", action="store_true", help="install it when missing")
    args = parser.parse_args(argv)
    path = install_chromium() if args.install else chromium_path()
    print(f"chromium: {path or 'not found'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
