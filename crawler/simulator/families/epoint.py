"""新点 Epoint WebBuilder.

Lists are dynamic pages ``/info/iList.jsp?node_id=<node>&cat_id=<cat>&cur_page=N``
with ``ewb-*`` classes; details are static, the annual reports under
``/gk/zfxxgk/zfxxgknb/<year>/<unit>/<id>.htm`` (as mz.gov.cn), with the metadata in
``#symbol`` and the body in ``div.ewb-article-detail``.
"""

from __future__ import annotations

import random
import uuid

from crawler.simulator.chrome import Site, Skin, esc
from crawler.simulator.families.base import Family, by_depth, date_str
from crawler.simulator.model import Article, Column, Portal
from crawler.simulator.server import Request, Response

ILIST = "/info/iList.jsp"
_FOLDERS = {
    "news": "/xwzx/gzdt/",
    "notices": "/xwzx/tzgg/",
    "guide": "/gk/zfxxgkzn/",
    "system": "/gk/zfxxgkzd/",
    "statutory": "/gk/fdzdgknr/",
    "points": "/gk/zwgkgzyd/",
}


def node_id(portal: Portal) -> str:
    return "GK" + "".join(chr(ord("a") + int(d)) for d in portal.division_code[-3:])


class Epoint(Family):
    name = "epoint"
    server_header = "Epoint WebBuilder"
    skin = Skin(
        banner="<!-- Epoint WebBuilder -->",
        wrapper="ewb-container",
        nav_class="ewb-nav",
        list_class="ewb-list",
    )

    def assign_columns(self, portal: Portal, rng: random.Random) -> None:
        base = rng.randrange(10000, 19000)
        for i, column in enumerate(by_depth(portal.columns)):
            column.colid = base + i * 11
            column.path = f"{ILIST}?node_id={node_id(portal)}&cat_id={column.colid}&cur_page=1"

    def article_path(self, portal: Portal, article: Article) -> str:
        spec = article.report
        if spec is not None:
            unit = spec.unit.slug
            if portal.nesting == "year-unit":
                return f"/gk/zfxxgk/zfxxgknb/{spec.year}/{unit}/{article.docid}.htm"
            return f"/gk/zfxxgk/zfxxgknb/{unit}/{article.docid}.htm"
        key = article.column.key if article.column else "news"
        folder = _FOLDERS.get(key, "/gk/zfxxgk/zfxxgknb/")
        return f"{folder}{article.docid}.htm"

    def column_page_path(self, portal: Portal, column: Column, page: int) -> str | None:
        return f"{ILIST}?node_id={node_id(portal)}&cat_id={column.colid}&cur_page={page + 1}"

    def file_path(self, portal: Portal, article: Article, kind: str, index: int) -> str:
        guid = uuid.UUID(
            int=random.Random(f"{portal.key}:{article.docid}:{kind}:{index}").getrandbits(128),
            version=4,
        )
        if kind == "jpg":
            return f"/upload/{article.date:%Y/%m}/{guid.hex}.jpg"
        return (
            f"/EpointWebBuilder/WebbuilderMIS/attach/downloadZtbAttach.jspx?attachGuid={guid}"
            f"&appUrlFlag=ztb007&siteGuid=7eb5f7f1-9041-43ad-8e13-8fcb82ea831a"
        )

    def alt_path(self, portal: Portal, article: Article) -> str:
        return f"/gk/zfxxgk/zfxxgknb/{article.docid}.htm"

    def list_content(self, site: Site, column: Column, page: int) -> str:
        rows = [
            '<li class="ewb-list-node clearfix">'
            f'<a href="{esc(self.href(site.portal, column, a))}" class="ewb-list-name" '
            f'target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>'
            f'<span class="ewb-list-date">{date_str(a)}</span></li>'
            for a in self.list_items(site, column, page)
        ]
        return '<ul class="ewb-list">' + "\n".join(rows) + "</ul>"

    def pager(self, site: Site, column: Column, page: int) -> str:
        pages = column.pages()
        portal = site.portal

        def href(n: int) -> str:
            return esc(self.column_page_path(portal, column, n) or "")

        items = [f'<li class="ewb-page-li"><a href="{href(0)}">首页</a></li>']
        if page > 0:
            items.append(f'<li class="ewb-page-li"><a href="{href(page - 1)}">上一页</a></li>')
        for n in range(max(0, page - 2), min(pages, page + 3)):
            cls = "ewb-page-li current" if n == page else "ewb-page-li"
            items.append(f'<li class="{cls}"><a href="{href(n)}">{n + 1}</a></li>')
        if page + 1 < pages:
            items.append(f'<li class="ewb-page-li"><a href="{href(page + 1)}">下一页</a></li>')
            items.append(f'<li class="ewb-page-li"><a href="{href(pages - 1)}">末页</a></li>')
        items.append(f'<li class="ewb-page-li ewb-page-num"><span>{page + 1}/{pages}</span></li>')
        return (
            '<div class="ewb-page"><ul class="ewb-page-items clearfix">'
            + "".join(items)
            + ("</ul></div>")
        )

    def metadata_block(self, site: Site, article: Article) -> str:
        spec = article.report
        if spec is None:
            return ""
        return (
            '<div id="symbol" class="ewb-symbol"><table><tbody>'
            f"<tr><td>索引号：</td><td>{spec.unit.credit_code}/{article.date.year}-"
            f"{article.docid % 100000:05d}</td>"
            f"<td>发布机构：</td><td>{esc(spec.unit.organ)}</td></tr>"
            f"<tr><td>发布日期：</td><td>{date_str(article)}</td><td>主题分类：</td><td>政务公开</td></tr>"
            "</tbody></table></div>"
        )

    def container(self, article: Article, inner: str) -> str:
        return f'<div class="ewb-article-detail" id="mainContent">{inner}</div>'

    def dynamic(self, site: Site, request: Request) -> Response | str | None:
        if request.path != ILIST:
            return None
        args = request.args()
        portal = site.portal
        try:
            colid = int(args.get("cat_id", "0"))
            page = max(1, int(args.get("cur_page") or "1"))
        except ValueError:
            return None
        if args.get("node_id") != node_id(portal):
            return None
        column = next((c for c in portal.columns if c.colid == colid), None)
        if column is None:
            return None
        return self.list_page(
            site, column, min(page - 1, column.pages() - 1) if not column.endless else page - 1
        )
