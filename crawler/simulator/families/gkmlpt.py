"""Guangdong 政府信息公开目录平台 (gkmlpt) on an NFCMS portal.

The portal's own columns are NFCMS static lists (``index.html``, ``index_2.html``)
with details ``…/content/post_<id>.html``. The 信息公开 platform is a JavaScript
application: ``/gkmlpt/index`` and ``/gkmlpt/annualreport`` are shells whose script
(``SID: '…'`` in the page) reads the category from the hash (``#<catId>``) and draws
the list from ``/gkmlpt/api/all/<catId>?page=<n>&sid=<sid>`` (JSON ``{total,
articles:[{id, title, url, post_url, publisher, display_publish_time,
create_time}]}``). Without a browser or the API, the shells list nothing. Details
are ``/gkmlpt/content/<a>/<b>/post_<id>.html`` with the body in
``div.news_cont_d_wrap`` and an ``ArticleId`` meta.
"""

from __future__ import annotations

import calendar
import json
import math
import random
import re

from crawler.simulator import chrome
from crawler.simulator.chrome import Site, Skin, esc
from crawler.simulator.families.base import Family, by_depth
from crawler.simulator.model import Article, Column, Portal, Route
from crawler.simulator.server import Request, Response

XXGK_KEYS = ("platform", "guide", "system", "statutory", "annual", "points", "trap")
API = re.compile(r"/gkmlpt/api/all/(\d+)")
_NFCMS = {"news": "/xwzx/gzdt/", "notices": "/xwzx/tzgg/"}


def content_path(docid: int, suffix: str = "") -> str:
    return f"/gkmlpt/content/{docid // 10**6}/{docid // 1000}/post_{docid}{suffix}.html"


def in_platform(portal: Portal, column: Column | None) -> bool:
    return column is not None and portal.root is not None and portal.root in column.trail()


class Gkmlpt(Family):
    name = "gkmlpt"
    server_header = "nginx"
    skin = Skin(banner="<!-- NFCMS -->", wrapper="main", list_class="news_list")

    def assign_columns(self, portal: Portal, rng: random.Random) -> None:
        base = rng.randrange(2000, 9000)
        for i, column in enumerate(by_depth(portal.columns)):
            column.colid = base + i * 3 + 1
            if column.key in _NFCMS:
                column.folder = _NFCMS[column.key]
                column.path = column.folder + "index.html"
            elif column is portal.annual or (
                portal.annual is not None and portal.annual in column.trail()
            ):
                column.path = f"/gkmlpt/annualreport#{column.colid}"
            elif column is portal.root:
                column.path = "/gkmlpt/index"
            else:
                column.path = f"/gkmlpt/index#{column.colid}"

    def article_path(self, portal: Portal, article: Article) -> str:
        if in_platform(portal, article.column):
            return content_path(article.docid)
        folder = article.column.folder if article.column and article.column.folder else "/xwzx/"
        return f"{folder}content/post_{article.docid}.html"

    def column_page_path(self, portal: Portal, column: Column, page: int) -> str | None:
        if column.key in _NFCMS:
            return column.folder + ("index.html" if page == 0 else f"index_{page + 1}.html")
        return None

    def plan(self, portal: Portal, landscape: object) -> None:
        super().plan(portal, landscape)  # type: ignore[arg-type]
        if portal.root is not None:
            portal.routes["/gkmlpt/index"] = Route("column", portal.root, 0)
        if portal.annual is not None:
            portal.routes["/gkmlpt/annualreport"] = Route("column", portal.annual, 0)

    def file_path(self, portal: Portal, article: Article, kind: str, index: int) -> str:
        d = article.docid
        return f"/attachment/0/{d % 1000}/{d % 1000}{d // 1000 % 1000}/{d}{index}.{kind}"

    def alt_path(self, portal: Portal, article: Article) -> str:
        return content_path(article.docid, "_1")

    # --- shells and lists -------------------------------------------------------------------

    def list_page(self, site: Site, column: Column, page: int) -> str:
        portal = site.portal
        if not in_platform(portal, column):
            return super().list_page(site, column, page)
        annual = portal.annual
        shell_annual = annual is not None and (column is annual or annual in column.trail())
        if shell_annual and annual is not None:
            tabs = [annual, *self._descendants(annual)]
            default = annual
        else:
            tabs = [
                c
                for c in portal.columns
                if in_platform(portal, c)
                and c is not portal.root
                and not (annual is not None and annual in c.trail())
            ]
            default = next((c for c in tabs if c.key == "statutory"), tabs[0] if tabs else column)
        side = "".join(
            f'<li><a href="{esc(c.path)}">{esc(c.name)}</a></li>'
            for c in portal.columns
            if in_platform(portal, c) and c.parent is portal.root and not c.hidden
        )
        tab_links = "".join(f'<a class="gk-tab" href="#{c.colid}">{esc(c.name)}</a>' for c in tabs)
        config = {
            "SID": str(portal.sid),
            "DEFAULT_CAT": str(default.colid),
            "PAGE_SIZE": default.page_size,
            "SITE_NAME": site.title_suffix,
        }
        cfg = ",".join(
            f"{k}: {json.dumps(v, ensure_ascii=False).replace(chr(34), chr(39))}"
            for k, v in config.items()
        )
        body = (
            '<div id="gkmlpt-app" class="gkmlpt">'
            f'<div class="gk-side"><h2>政府信息公开目录</h2><ul>{side}</ul></div>'
            f'<div class="gk-main"><div class="gk-tabs">{tab_links}</div>'
            '<ul id="gk-list" class="gk-list"></ul><div id="gk-pager"></div>'
            '<span id="gk-total"></span>'
            "<noscript>请开启浏览器JavaScript功能以查看政府信息公开目录。</noscript></div></div>\n"
            f'<script type="text/javascript">var _CONFIG = {{{cfg}}};</script>'
        )
        return chrome.page(
            site,
            title=f"{'政府信息公开年报' if shell_annual else '政府信息公开'}_{site.title_suffix}",
            content=body,
            trail=[("/gkmlpt/index", "政府信息公开")],
            scripts=("/static/js/gkmlpt.js",),
        )

    def _descendants(self, column: Column) -> list[Column]:
        out: list[Column] = []
        for child in column.children:
            out.append(child)
            out.extend(self._descendants(child))
        return out

    def pager(self, site: Site, column: Column, page: int) -> str:
        pages = column.pages()
        links = []
        for n in range(pages):
            href = self.column_page_path(site.portal, column, n) or ""
            links.append(
                f'<span class="cur">{n + 1}</span>'
                if n == page
                else f'<a href="{esc(href)}">{n + 1}</a>'
            )
        if page + 1 < pages:
            following = self.column_page_path(site.portal, column, page + 1) or ""
            links.append(f'<a class="next" href="{esc(following)}">下一页</a>')
        return '<div class="pagination">' + " ".join(links) + "</div>"

    def container(self, article: Article, inner: str) -> str:
        return f'<div class="news_cont_d_wrap"><div class="article-content">{inner}</div></div>'

    def article_meta(self, site: Site, article: Article) -> dict[str, str]:
        meta = super().article_meta(site, article)
        meta["ArticleId"] = str(article.docid)
        return meta

    # --- the API ------------------------------------------------------------------------------

    def dynamic(self, site: Site, request: Request) -> Response | str | None:
        match = API.fullmatch(request.path)
        if match is None:
            return None
        portal = site.portal
        args = request.args()
        if args.get("sid") != str(portal.sid):
            return Response(
                403, b'{"code":403,"msg":"sid error"}', "application/json;charset=UTF-8"
            )
        colid = int(match.group(1))
        column = next(
            (c for c in portal.columns if c.colid == colid and in_platform(portal, c)), None
        )
        if column is None:
            return Response(200, b'{"total":0,"articles":[]}', "application/json;charset=UTF-8")
        try:
            page = max(1, int(args.get("page") or 1))
        except ValueError:
            page = 1
        items = self.list_items(site, column, page - 1)
        total = 10**6 if column.endless else len(column.articles)
        data = {
            "total": total,
            "page": page,
            "size": column.page_size,
            "pages": math.ceil(total / column.page_size),
            "articles": [self._item(site, column, a) for a in items],
        }
        return Response(
            200,
            json.dumps(data, ensure_ascii=False).encode("utf-8"),
            "application/json;charset=UTF-8",
        )

    def _item(self, site: Site, column: Column, article: Article) -> dict[str, object]:
        path = self.href(site.portal, column, article)
        stamp = calendar.timegm(article.date.timetuple()) + 3600 * 1  # 09:00 in UTC+8
        return {
            "id": article.docid,
            "title": article.title,
            "url": site.url(path),
            "post_url": path,
            "publisher": article.report.unit.organ if article.report else site.title_suffix,
            "display_publish_time": stamp,
            "create_time": stamp - 3600,
        }
