"""Anti-bot pages a real browser gets through and a plain HTTP client does not.

``rs412`` (瑞数-like)
    Without the right ``FSSBBIl1UgzbN7N80T`` cookie every page answers **412** with an
    inline ``$_ts`` script, an external challenge script and ``<meta … r='m'>``; the
    412 also sets the HttpOnly ``FSSBBIl1UgzbN7N80S`` cookie. The external script
    derives the T cookie from ``$_ts.cd`` and the meta content (a few thousand rounds
    of a 32-bit hash), sets it and reloads after 0.8 s, and the page then answers 200.
    A client that does not run the script never passes.
``rs412-hard``
    The same page, but the server never accepts the script's cookie (it expects a
    value the script cannot know): browsers reload three times and then show a blank
    page, as 瑞数 does when its check fails. Reports on that host are unreachable.
``jsl521`` (加速乐-like)
    Round 1: **521**, ``Set-Cookie: __jsluid_h=…`` and a script that assembles
    ``__jsl_clearance_s`` from an obfuscated expression and reloads. Round 2: **521**
    again with a ``go({…})`` script that brute-forces two characters so that the
    SHA-1 of the clearance matches ``ct``, sets it and reloads. Then 200. Like the
    real one, round 1 can be solved by evaluating its small expression; round 2 needs
    the hash search (or a browser).

All values derive from the visitor's first cookie and a per-host secret, so the
server keeps no per-client state.
"""

from __future__ import annotations

import hashlib
import json
import time
from functools import lru_cache
from typing import Final

from crawler.simulator.model import Portal
from crawler.simulator.server import Request, Response

RS_S: Final = "FSSBBIl1UgzbN7N80S"
RS_T: Final = "FSSBBIl1UgzbN7N80T"
JSL_ID: Final = "__jsluid_h"
JSL_CLEARANCE: Final = "__jsl_clearance_s"
_ROUNDS: Final = 300
_CHARS: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _digest(*parts: str, n: int = 32) -> str:
    return hashlib.blake2b("|".join(parts).encode(), digest_size=32).hexdigest()[:n]


def rs_script_path(portal: Portal) -> str:
    token = _digest(portal.key, "rs-path", n=12)
    return f"/{token[:6]}/{token[6:]}.js"


def rs_hash(text: str) -> str:
    """The script's cookie function (FNV-1a, ``_ROUNDS`` rounds), mirrored in JS."""
    h = 0x811C9DC5
    for r in range(_ROUNDS):
        for ch in text:
            h ^= ord(ch)
            h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= r
        h = (h * 0x01000193) & 0xFFFFFFFF
    return f"{h:08x}"


def _rs_parts(portal: Portal, s_cookie: str) -> tuple[str, str]:
    return _digest(portal.key, "cd", s_cookie, n=48), _digest(portal.key, "meta", s_cookie, n=64)


def rs_expected(portal: Portal, s_cookie: str) -> str:
    return _rs_expected(portal.key, s_cookie, portal.host_corner == "rs412-hard")


@lru_cache(maxsize=65536)
def _rs_expected(key: str, s_cookie: str, hard: bool) -> str:
    cd = _digest(key, "cd", s_cookie, n=48)
    meta = _digest(key, "meta", s_cookie, n=64)
    value = "0" + rs_hash(cd + meta) + cd[:16]
    return value + "x" if hard else value  # hard: never what the script computes


def rs_script() -> bytes:
    from crawler.simulator.static import asset_text

    return (asset_text("rs.js") % {"rounds": _ROUNDS, "name": RS_T}).encode()


def _visitor_id(portal: Portal, request: Request, salt: str) -> str:
    return _digest(
        portal.key, salt, request.peer, request.header("user-agent"), str(time.monotonic_ns()), n=32
    )


def rs_check(portal: Portal, request: Request) -> Response | None:
    cookies = request.cookies()
    s_cookie = cookies.get(RS_S)
    if s_cookie and cookies.get(RS_T) == rs_expected(portal, s_cookie):
        return None
    headers: list[tuple[str, str]] = []
    if not s_cookie:
        s_cookie = _visitor_id(portal, request, "rs")
        headers.append(("Set-Cookie", f"{RS_S}={s_cookie}; Path=/; HttpOnly"))
    cd, meta = _rs_parts(portal, s_cookie)
    body = (
        "<!DOCTYPE html><html><head>"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f'<meta http-equiv="Cache-Control" content="no-cache"><meta id="{cd[:22]}" '
        f"content=\"{meta}\" r='m'>"
        f"<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};"
        f'$_ts.nsd={int(cd[:5], 16)};$_ts.cd="{cd}";</script>'
        f'<script type="text/javascript" charset="utf-8" src="{rs_script_path(portal)}" '
        "r='m'></script></head><body></body></html>"
    )
    return Response(412, body.encode(), "text/html; charset=utf-8", headers)


# --- 加速乐 ---------------------------------------------------------------------------


def _obfuscate(text: str) -> str:
    """('_')+('_')+('j')… with digits as little array tricks, like the real round 1."""
    out = []
    for ch in text:
        if ch.isdigit():
            n = int(ch)
            out.append("(" + "+".join(["-~[]"] * n) + "+[]+[])" if n else "([]+[]+(+[]))")
        else:
            out.append("('" + ch.replace("\\", "\\\\").replace("'", "\\'") + "')")
    return "+".join(out)


def _jsl_round1_value(portal: Portal, jsluid: str) -> str:
    token = _digest(portal.key, "jsl1", jsluid, n=20)
    stamp = 1_700_000_000 + int(token[:6], 16) % 10_000_000
    return f"{stamp}.{int(token[6:9], 16) % 1000:03d}|0|{token[9:]}"


def _jsl_final(portal: Portal, jsluid: str) -> tuple[str, str, str]:
    """(prefix, two chars, suffix) of the final clearance."""
    token = _digest(portal.key, "jsl2", jsluid, n=40)
    c1 = _CHARS[int(token[:2], 16) % len(_CHARS)]
    c2 = _CHARS[int(token[2:4], 16) % len(_CHARS)]
    stamp = 1_700_000_000 + int(token[4:10], 16) % 10_000_000
    return f"{stamp}.{int(token[10:13], 16) % 1000:03d}|0|", c1 + c2, token[13:35] + "%3D"


def jsl_check(portal: Portal, request: Request) -> Response | None:
    cookies = request.cookies()
    jsluid = cookies.get(JSL_ID)
    clearance = cookies.get(JSL_CLEARANCE, "")
    if jsluid:
        prefix, chars, suffix = _jsl_final(portal, jsluid)
        if clearance == prefix + chars + suffix:
            return None
    headers: list[tuple[str, str]] = []
    if not jsluid:
        jsluid = _visitor_id(portal, request, "jsl")
        headers.append(("Set-Cookie", f"{JSL_ID}={jsluid}; max-age=31536000; path=/; HttpOnly"))
    if clearance != _jsl_round1_value(portal, jsluid):
        expression = _obfuscate(f"{JSL_CLEARANCE}={_jsl_round1_value(portal, jsluid)}")
        body = (
            f"<script>document.cookie={expression}+';max-age=3600;path=/';"
            "setTimeout(function(){location.href=location.pathname+location.search},600)"
            "</script>"
        )
        return Response(521, body.encode(), "text/html; charset=utf-8", headers)
    from crawler.simulator.static import asset_text

    prefix, chars, suffix = _jsl_final(portal, jsluid)
    params = {
        "bts": [prefix, suffix],
        "chars": _CHARS,
        "ct": hashlib.sha1((prefix + chars + suffix).encode()).hexdigest(),
        "ha": "sha1",
        "is": True,
        "tn": JSL_CLEARANCE,
        "vt": "3600",
        "wt": "1200",
    }
    body = (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" '
        'content="text/html; charset=utf-8"></head><body><script>'
        + asset_text("jsl.js")
        + f"go({json.dumps(params)})</script></body></html>"
    )
    return Response(521, body.encode(), "text/html; charset=utf-8", headers)


def solve_jsl_round1(body: str) -> str:
    """What a client that evaluates round 1's expression gets (for tests): the cookie."""
    import re

    expression = body.split("document.cookie=", 1)[1].split("+';max-age", 1)[0]
    out = []
    for piece in re.findall(
        r"\('((?:\\.|[^'])*)'\)|\(((?:-~\[\]\+?)+)\+\[\]\+\[\]\)|\(\[\]\+\[\]\+\(\+\[\]\)\)",
        expression,
    ):
        text, ones = piece
        if text:
            out.append(text.replace("\\'", "'").replace("\\\\", "\\"))
        elif ones:
            out.append(str(ones.count("-~[]")))
        else:
            out.append("0")
    return "".join(out)


def solve_jsl_round2(body: str) -> str:
    """The hash search of round 2, as a browser would run it (for tests)."""
    params = json.loads(body.rsplit("go(", 1)[1].rsplit(")</script>", 1)[0])
    for c1 in params["chars"]:
        for c2 in params["chars"]:
            value = params["bts"][0] + c1 + c2 + params["bts"][1]
            if hashlib.sha1(value.encode()).hexdigest() == params["ct"]:
                return f"{params['tn']}={value}"
    raise ValueError("no solution")


def check(portal: Portal, request: Request) -> Response | None:
    """The challenge answer for ``request`` on a challenged host, or None to serve it."""
    if portal.host_corner in ("rs412", "rs412-hard"):
        return rs_check(portal, request)
    if portal.host_corner == "jsl521":
        return jsl_check(portal, request)
    return None
