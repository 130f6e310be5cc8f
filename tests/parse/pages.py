"""Building realistic portal pages around the seed reports (test data, not fixtures of output).

Each seed line becomes one ``<p>`` (tabs kept as literal tab characters, NBSPs as
``&nbsp;``, empty lines as empty paragraphs) inside a wrapper page that carries a CMS's
chrome: header and navigation, breadcrumb, info bar, print/close bar, share widget,
上一篇/下一篇, footer with 主办单位/网站标识码/ICP/公网安备, jiucuo and conac scripts.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.registry import divisions

DATA = Path(__file__).parent.parent / "data"
WRAPPERS = DATA / "pages" / "wrappers"
SEEDS = DATA / "seeds"

# wrapper file -> (encoding the page is served in, charset in the Content-Type header or None)
WRAPPER_ENCODINGS: dict[str, tuple[str, str | None]] = {
    "trs.html": ("utf-8", "utf-8"),
    "hanweb.html": ("gb18030", None),  # declares gb2312 in its <meta>, header says nothing
    "plain.html": ("utf-8", None),
}


@dataclass(frozen=True)
class SeedPage:
    body: bytes
    url: str
    header_charset: str | None


def truth(stem: str) -> dict[str, Any]:
    return json.loads((SEEDS / f"{stem}.truth.json").read_text(encoding="utf-8"))


def seed_paragraphs(text: str) -> str:
    out = []
    for line in text.split("\n"):
        escaped = html.escape(line, quote=False).replace("\u00a0", "&nbsp;")
        out.append(f"<p>{escaped}</p>")
    return "\n".join(out)


def build(wrapper: str, stem: str, text: str) -> SeedPage:
    t = truth(stem)
    county_code = t["division_code"][:6]
    county = divisions().get(county_code)
    site = f"{county.name if county else '某县'}人民政府"
    date = t["publish_date"]
    fill = {
        "{{SITE}}": site,
        "{{SITEID}}": f"{county_code}0001",
        "{{H1}}": html.escape(t["title"] or ""),
        "{{PUBDATE_META}}": f'<meta name="PubDate" content="{date} 09:30">' if date else "",
        "{{INFOBAR_DATE}}": f"发布日期：{date}" if date else "",
        "{{INFOLINE_DATE}}": f"发布时间：{date} 09:30:00　来源：{site}" if date else "",
        "{{CONTENT}}": seed_paragraphs(text),
    }
    page = (WRAPPERS / wrapper).read_text(encoding="utf-8")
    for key, value in fill.items():
        page = page.replace(key, value)
    codec, header = WRAPPER_ENCODINGS[wrapper]
    url = f"http://www.example.gov.cn/zwgk/zfxxgknb/{stem}.html"
    return SeedPage(page.encode(codec), url, header)
