"""Static assets: the style sheet, the scripts that draw JS-rendered lists (gkmlpt's
list, Hanweb's jpage) and the 瑞数-like challenge script. They are served without
rate limiting, as a CDN would."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final

from crawler.simulator import challenges
from crawler.simulator.model import Portal

CSS: Final = b"""body{font-family:"Microsoft YaHei",SimSun,sans-serif;margin:0;color:#333}
.w1200{width:1200px;margin:0 auto}.nav ul,.list,.list-ul{list-style:none;padding:0}
.nav li{display:inline-block;margin:0 12px}.list li span,.list-ul li span{float:right;color:#999}
.footer{background:#f4f4f4;padding:20px 0;font-size:12px;text-align:center}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 4px}
"""


@cache
def asset_bytes(name: str) -> bytes:
    """A file of ``crawler/simulator/assets`` (scripts the pages load or inline)."""
    return resources.files("crawler.simulator").joinpath("assets", name).read_bytes()


def asset_text(name: str) -> str:
    return asset_bytes(name).decode("utf-8")


def asset(portal: Portal, path: str) -> tuple[bytes, str] | None:
    if path == "/static/css/common.css":
        return CSS, "text/css"
    if path == "/static/js/gkmlpt.js" and portal.family == "gkmlpt":
        return asset_bytes("gkmlpt.js"), "application/javascript"
    if path == "/static/js/jpage.js" and portal.family == "hanweb":
        return asset_bytes("jpage.js"), "application/javascript"
    if portal.host_corner in ("rs412", "rs412-hard") and path == challenges.rs_script_path(portal):
        return challenges.rs_script(), "application/javascript"
    return None
