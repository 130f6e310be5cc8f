"""The cookie middleware decides public suffixes without touching the network."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from scrapy.utils.misc import load_object

from crawler import settings


def test_settings_install_the_offline_cookie_middleware() -> None:
    middlewares = settings.DOWNLOADER_MIDDLEWARES
    assert middlewares["scrapy.downloadermiddlewares.cookies.CookiesMiddleware"] is None
    [ours] = [
        path for path in middlewares if path.endswith("CookiesMiddleware") and middlewares[path]
    ]
    assert issubclass(
        load_object(ours), load_object("scrapy.downloadermiddlewares.cookies.CookiesMiddleware")
    )


def test_public_suffixes_are_known_with_every_outbound_lookup_refused(tmp_path: object) -> None:
    # A fresh interpreter with no tldextract cache: any name lookup but loopback fails,
    # so a download of the Public Suffix List would raise instead of answering.
    script = textwrap.dedent(
        """
        import socket
        real = socket.getaddrinfo
        def loopback_only(host, *args, **kwargs):
            if not str(host).startswith("127.") and host != "localhost":
                raise OSError(f"outbound lookup of {host}")
            return real(host, *args, **kwargs)
        socket.getaddrinfo = loopback_only
        import spiders.cookies
        from scrapy.downloadermiddlewares.cookies import _is_public_domain
        print(_is_public_domain("gov.cn"), _is_public_domain("www.zd.gov.cn"))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]
    assert "outbound lookup" not in result.stderr
