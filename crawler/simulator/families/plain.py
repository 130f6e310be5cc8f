"""Hand-built sites, each with one of the other URL shapes of portals.md §1.

=====  ==========================================  ==================================
style  details                                     list pages
=====  ==========================================  ==================================
0      numeric folders ``/25074/25162/39633/index.htm``  ``index_N.htm``
1      24-hex ids ``…/63d48a80f8fd1c4c213ab9ff.html``      ``?page=N``
2      19-digit snowflake ids ``…/1753311688616128514.html`` ``1.html``, ``2.html`` …
3      extensionless ``…/content_191767``                   ``index_N.shtml``
4      UUID + date ``/columns/<uuid>/202301/30/<uuid>.html`` ``index_N.html``
5      ``c01_`` prefix ``/site/c111341/202301/c01_592213.shtml`` ``column-index-N.shtml``
6      ``content_`` prefix ``/jc_xx/187/195/content_16189.html`` ``?page=N``
=====  ==========================================  ==================================
"""

from __future__ import annotations

import hashlib
import random
import uuid

from crawler.simulator.chrome import Site, Skin, esc
from crawler.simulator.families.base import Family, by_depth, date_str
from crawler.simulator.model import Article, Column, Portal

STYLES = 7
_SLUGS = {
    "platform": "zfxxgk",
    "guide": "xxgkzn",
    "system": "xxgkzd",
    "statutory": "fdzdgknr",
    "annual": "zfxxgknb",
    "points": "zwgkyd",
    "news": "gzdt",
    "notices": "tzgg",
    "trap": "xxgkml",
}
_CONTAINERS = (
    ('<div id="zoom">', "</div>"),
    ('<div class="article-content">', "</div>"),
    ('<div id="content">', "</div>"),
    ('<div class="xxgk_content">', "</div>"),
    ('<div class="zw-content">', "</div>"),
    ('<div id="printArea"><div class="bt_content">', "</div></div>"),
    ('<div id="fontzoom">', "</div>"),
)


def style(portal: Portal) -> int:
    return portal.style % STYLES


def _uuid(*parts: object) -> str:
    return str(uuid.UUID(int=random.Random(":".join(map(str, parts))).getrandbits(128), version=4))


class Plain(Family):
    name = "plain"
    server_header = "nginx/1.20.1"
    skin = Skin(wrapper="content-wrap", list_class="news-list")

    def _slug(self, portal: Portal, column: Column) -> str:
        if column.key in _SLUGS:
            return _SLUGS[column.key]
        if column.key.startswith("y") and "-" not in column.key:
            return column.key[1:]
        if column.key.startswith("y"):
            return {"gov": "bj", "dept": "bm", "township": "xz"}[column.key.rsplit("-", 1)[1]]
        if column.key.startswith("g-"):
            return {"gov": "bjnb", "dept": "bmxxgknb", "township": "xzjdnb"}[column.key[2:]]
        if column.key.startswith("u-"):
            unit = next((u for u in portal.units if u.key == column.key[2:]), None)
            return unit.slug if unit else f"c{column.colid}"
        return f"c{column.colid}"

    def home_path(self, portal: Portal) -> str:
        return "/index.shtml" if style(portal) in (3, 5) else "/"

    def assign_columns(self, portal: Portal, rng: random.Random) -> None:
        s = style(portal)
        base = rng.randrange(20000, 90000)
        site_slug = "jc_" + "".join(chr(ord("a") + int(d)) for d in portal.division_code[-2:])
        for i, column in enumerate(by_depth(portal.columns)):
            column.colid = base + i * 13
            parent = column.parent
            if s == 0:
                prefix = parent.folder if parent else "/"
                column.folder = f"{prefix}{column.colid}/"
                column.path = column.folder + "index.htm"
            elif s == 4:
                column.folder = f"/columns/{_uuid(portal.key, column.key)}/"
                column.path = column.folder + "index.html"
            elif s == 5:
                column.folder = f"/{site_slug}/c{column.colid}/"
                column.path = column.folder + "list.shtml"
            elif s == 6:
                prefix = parent.folder if parent else f"/{site_slug}/"
                column.folder = f"{prefix}{column.colid % 1000}/"
                column.path = column.folder
            else:
                prefix = parent.folder if parent else "/"
                column.folder = f"{prefix}{self._slug(portal, column)}/"
                column.path = column.folder + (
                    "1.html" if s == 2 else "index.shtml" if s == 3 else ""
                )

    def article_path(self, portal: Portal, article: Article) -> str:
        s = style(portal)
        folder = article.column.folder if article.column else "/"
        d = article.date
        seed = f"{portal.key}:{article.docid}"
        if s == 0:
            return f"{folder}{article.docid}/index.htm"
        if s == 1:
            return f"{folder}{hashlib.md5(seed.encode()).hexdigest()[:24]}.html"
        if s == 2:
            snow = (
                int(hashlib.blake2b(seed.encode(), digest_size=8).hexdigest(), 16) % 9 * 10**18
                + 10**18
                + article.docid
            ) % (9 * 10**18) + 10**18
            return f"{folder}{snow}.html"
        if s == 3:
            return f"{folder}content_{article.docid % 10**6}"
        if s == 4:
            return f"{folder}{d:%Y%m}/{d:%d}/{_uuid(seed)}.html"
        if s == 5:
            return f"{folder}{d:%Y%m}/c01_{article.docid % 10**6}.shtml"
        return f"{folder}content_{article.docid % 10**5}.html"

    def column_page_path(self, portal: Portal, column: Column, page: int) -> str | None:
        s = style(portal)
        if page == 0:
            return column.path
        n = page + 1
        if s == 0:
            return f"{column.folder}index_{page}.htm"
        if s in (1, 6):
            return f"{column.path}?page={n}"
        if s == 2:
            return f"{column.folder}{n}.html"
        if s == 3:
            return f"{column.folder}index_{page}.shtml"
        if s == 4:
            return f"{column.folder}index_{page}.html"
        return f"{column.folder}column-index-{n}.shtml"

    def file_path(self, portal: Portal, article: Article, kind: str, index: int) -> str:
        token = hashlib.blake2b(
            f"{portal.key}:{article.docid}:{kind}:{index}".encode(), digest_size=10
        ).hexdigest()
        return f"/uploadfiles/{article.date:%Y%m}/{token}.{kind}"

    def alt_path(self, portal: Portal, article: Article) -> str:
        s = style(portal)
        if s in (1, 6):
            return f"{article.path}?from=zxgk"
        return super().alt_path(portal, article)

    def list_content(self, site: Site, column: Column, page: int) -> str:
        portal = site.portal
        items = self.list_items(site, column, page)
        if portal.variant % 2 and portal.root is not None and portal.root in column.trail():
            rows = "".join(
                f'<tr><td><a href="{esc(self.href(portal, column, a))}" target="_blank">'
                f"{esc(a.title)}</a></td><td>{esc(self._index_no(a))}</td>"
                f"<td>{esc(a.report.unit.organ if a.report else site.title_suffix)}</td>"
                f"<td>{date_str(a)}</td></tr>"
                for a in items
            )
            return (
                '<table class="xxgk-list"><thead><tr><th>名称</th><th>索引号</th><th>发布机构</th>'
                f"<th>发布日期</th></tr></thead><tbody>{rows}</tbody></table>"
            )
        return (
            '<ul class="news-list">'
            + "".join(
                f'<li><span class="date">{date_str(a)}</span>'
                f'<a href="{esc(self.href(portal, column, a))}" target="_blank">'
                f"{esc(a.title)}</a></li>"
                for a in items
            )
            + "</ul>"
        )

    @staticmethod
    def _index_no(article: Article) -> str:
        code = article.report.unit.credit_code if article.report else "000014348"
        return f"{code}/{article.date.year}-{article.docid % 100000:05d}"

    def pager(self, site: Site, column: Column, page: int) -> str:
        pages = column.pages()
        if pages <= 1:
            return ""
        portal = site.portal

        def a(n: int, text: str) -> str:
            return f'<a href="{esc(self.column_page_path(portal, column, n) or "")}">{text}</a>'

        parts = [f"<span>共{pages}页</span>", a(0, "首页")]
        if page > 0:
            parts.append(a(page - 1, "上一页"))
        for n in range(max(0, page - 4), min(pages, page + 5)):
            parts.append(f'<span class="current">{n + 1}</span>' if n == page else a(n, str(n + 1)))
        if page + 1 < pages:
            parts.append(a(page + 1, "下一页"))
            parts.append(a(pages - 1, "尾页"))
        return '<div class="pages">' + " ".join(parts) + "</div>"

    def container(self, article: Article, inner: str) -> str:
        opening, closing = _CONTAINERS[article.docid % len(_CONTAINERS)]
        return opening + inner + closing
