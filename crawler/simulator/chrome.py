"""Page furniture shared by every family: head meta, header, navigation, breadcrumb,
footer (网站标识码, ICP, 公网安备, 纠错 and 党政机关 badges), friend-link selects.

Families pass their own class names and banners through :class:`Skin`, so a TRS
page and a Hanweb page differ where the real ones do, while the footer facts come
from :func:`crawler.fabricate.site.site_info`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape
from typing import TYPE_CHECKING, Final

from crawler.fabricate.site import SiteInfo, site_info

if TYPE_CHECKING:
    from crawler.simulator.landscape import Landscape
    from crawler.simulator.model import Column, Portal

CHARSET_MARK: Final = "<!--charset-->"
# Names with characters that GBK has and GB2312 lacks (portals.md §4).
GBK_ONLY_TECH: Final = "技术支持：堃喆网络科技有限公司　联系人：王镕"


@lru_cache(maxsize=1 << 16)
def esc(text: str) -> str:
    """HTML-escaped text (memoised: titles and paths recur on many pages)."""
    return escape(text, quote=True)


@dataclass(frozen=True, slots=True)
class Skin:
    """What a CMS family changes in the furniture."""

    banner: str = ""  # a comment at the top (Produced By 大汉网络 …)
    head_extra: str = ""
    wrapper: str = "main"  # id/class of the main box
    nav_class: str = "nav"
    crumb_label: str = "当前位置："
    crumb_sep: str = " &gt; "
    footer_class: str = "footer"
    list_class: str = "list"
    scripts: tuple[str, ...] = ()  # script URLs at the end of the body (static, not limited)


@dataclass
class Site:
    """Rendering context of one portal."""

    portal: Portal
    landscape: Landscape
    skin: Skin
    nav: list[tuple[str, str]] = field(default_factory=list)  # (href, text)

    @cached_property
    def info(self) -> SiteInfo:
        return site_info(
            self.portal.division_code or "110101",
            random.Random(f"{self.landscape.config.seed}:{self.portal.key}:site"),
        )

    @cached_property
    def header_html(self) -> str:
        return header(self)

    @cached_property
    def footer_html(self) -> str:
        return footer(self)

    @property
    def title_suffix(self) -> str:
        return f"{self.portal.name}人民政府"

    def url(self, path: str) -> str:
        return self.portal.base_url + path

    def resolve(self, url: str) -> str:
        """Placeholders of URLs fixed only once the port is known: ``@portal:N…``, ``@outside…``."""
        return resolve(self.landscape, url)


def resolve(landscape: Landscape, url: str) -> str:
    if url.startswith("@portal:"):
        index = int(url[8:])
        return landscape.portals[index].url
    if url.startswith("@outside"):
        return landscape.outside_url + url[8:]
    return url


def head(site: Site, title: str, meta: dict[str, str] | None = None, extra: str = "") -> str:
    portal = site.portal
    tags = [
        CHARSET_MARK,
        f"<title>{esc(title)}</title>",
        f'<meta name="SiteName" content="{esc(site.title_suffix)}">',
        f'<meta name="SiteDomain" content="{esc(site.info.domain)}">',
        f'<meta name="SiteIDCode" content="{portal.site_code}">',
    ]
    for name, value in (meta or {}).items():
        tags.append(f'<meta name="{esc(name)}" content="{esc(value)}">')
    tags.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
    tags.append('<link rel="stylesheet" type="text/css" href="/static/css/common.css">')
    return "<head>\n" + "\n".join(tags) + "\n" + site.skin.head_extra + extra + "\n</head>"


def header(site: Site) -> str:
    portal = site.portal
    links = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in site.nav)
    return (
        '<div class="top-bar"><div class="w1200">'
        f"<span>欢迎访问{esc(site.title_suffix)}门户网站</span>"
        '<a href="javascript:void(0)" id="wza">无障碍</a> | '
        '<a href="javascript:void(0)" id="zhbz">长者版</a> | '
        '<a href="javascript:void(0)" onclick="toTraditional()">繁體版</a>'
        "</div></div>\n"
        f'<div class="header"><div class="logo"><h1>{esc(portal.name)}人民政府</h1>'
        f"<span>{esc(portal.full_name)}</span></div>"
        '<form name="searchform" action="/search/" method="get" class="search">'
        '<input type="text" name="q" placeholder="请输入关键字"><input type="submit" value="搜索">'
        "</form></div>\n"
        f'<div class="{site.skin.nav_class}"><ul>{links}</ul></div>'
    )


def breadcrumb(site: Site, trail: list[tuple[str, str]]) -> str:
    parts = [f'<a href="{esc(site.portal.home_path)}">首页</a>']
    parts += [f'<a href="{esc(h)}">{esc(t)}</a>' if h else esc(t) for h, t in trail]
    return (
        f'<div class="crumb position">{site.skin.crumb_label}'
        + site.skin.crumb_sep.join(parts)
        + "</div>"
    )


def column_trail(site: Site, column: Column, href: object) -> list[tuple[str, str]]:
    """Breadcrumb entries down to ``column``; ``href(column)`` gives each link."""
    return [(str(href(c)), c.name) for c in column.trail()]  # type: ignore[operator]


def friend_links(site: Site) -> str:
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        ("国家部委网站", [(u, n) for n, u in _invalid(site.info.friend_links[0][1])]),
    ]
    if site.portal.friend_links:
        groups.append(
            ("各县（市、区）网站", [(site.resolve(u), n) for u, n in site.portal.friend_links])
        )
    out = ['<div class="friend-links"><span>相关链接：</span>']
    for label, links in groups:
        options = "".join(f'<option value="{esc(u)}">{esc(n)}</option>' for u, n in links)
        out.append(
            '<select onchange="if(this.value){window.open(this.value)}">'
            f'<option value="">{esc(label)}</option>{options}</select>'
        )
    out.append("</div>")
    return "".join(out)


def _invalid(links: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """Real outside URLs made unresolvable (.invalid), so a stray crawler fails fast."""
    return [(n, u.rstrip("/") + ".invalid/") for n, u in links]


def footer(site: Site) -> str:
    info = site.info
    portal = site.portal
    tech = GBK_ONLY_TECH if portal.encoding == "gb2312-lying" else info.tech_support
    return (
        f'{friend_links(site)}\n<div class="{site.skin.footer_class}"><div class="w1200">'
        '<p><a href="javascript:void(0)">网站声明</a> | <a href="javascript:void(0)">联系我们</a>'
        ' | <a href="javascript:void(0)">网站地图</a> | <a href="javascript:void(0)">帮助</a></p>'
        f"<p>主办单位：{esc(info.sponsor)}　地址：{esc(info.address)}　电话：{esc(info.phone)}</p>"
        f"<p>{esc(info.icp)}　{esc(info.police)}　网站标识码：{portal.site_code}</p>"
        f"<p>{esc(tech)}</p>"
        f'<p><span id="_ideConac"></span><script type="text/javascript">document.write(unescape('
        f"\"%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='http://dcs.conac.cn.invalid/js/"
        f"{portal.division_code[:2]}/000/0000/{info.conac}/CA{info.conac[:12]}.js' "
        "type='text/javascript'%3E%3C/script%3E\"));</script>"
        f'<script id="_jiucuo_" sitecode="{portal.site_code}" '
        'src="http://pucha.kaipuyun.cn.invalid/exposure/jiucuo.js"></script></p>'
        "</div></div>"
    )


def page(
    site: Site,
    *,
    title: str,
    content: str,
    trail: list[tuple[str, str]] | None = None,
    meta: dict[str, str] | None = None,
    head_extra: str = "",
    scripts: tuple[str, ...] = (),
) -> str:
    skin = site.skin
    script_tags = "".join(
        f'<script type="text/javascript" src="{esc(s)}"></script>'
        for s in (*skin.scripts, *scripts)
    )
    crumb = breadcrumb(site, trail) if trail is not None else ""
    return "".join(  # one copy of the (often large) content, not one per +
        (
            "<!DOCTYPE html>\n",
            skin.banner + "\n" if skin.banner else "",
            '<html lang="zh-CN">\n',
            head(site, title, meta, head_extra),
            "\n<body>\n",
            site.header_html,
            f'\n<div class="{skin.wrapper}"><div class="w1200">{crumb}\n',
            content,
            "\n</div></div>\n",
            site.footer_html,
            "\n",
            script_tags,
            "\n</body>\n</html>\n",
        )
    )


def list_items(
    items: list[tuple[str, str, str]], css: str = "list", with_title: bool = True
) -> str:
    """``<ul>`` of (href, title, date) rows in the common ``<li><a/><span>date</span>`` shape."""
    rows = []
    for href, title, date in items:
        attr = f' title="{esc(title)}"' if with_title else ""
        rows.append(
            f'<li><a href="{esc(href)}"{attr} target="_blank">{esc(title)}</a>'
            f"<span>{date}</span></li>"
        )
    return f'<ul class="{css}">\n' + "\n".join(rows) + "\n</ul>"
