"""大汉 Hanweb JCMS.

Columns are ``/col/col<colid>/index.html``. A column page carries only its first
page of records, as XML inside ``<script type="text/xml">`` (``?pageNum=N`` changes
nothing); further pages come only from ``/module/web/jpage/dataproxy.jsp`` (POST form
``col=1&appid=1&webid=…&columnid=…&unitid=…`` with ``startrecord/endrecord/perpage``
in the query, or GET ``page=N&…``). Details are ``/art/YYYY/M/D/art_<colid>_<id>.html``
with the body between ``ZJEG_RSS.content`` markers in ``#zoom``; attachments are
``/module/download/downfile.jsp?classid=0&filename=<32hex>.pdf``.

On odd ``variant`` portals the 年报 column is the 信息公开 module instead: a grid of
units × years linking ``/module/xxgk/xxgkAnnualReport.jsp?area=<统一社会信用代码>&fbtime=<year>``,
each page listing the unit's report as ``.pdf`` and ``.docx`` attachments.
"""

from __future__ import annotations

import hashlib
import math
import random
from html import escape

from crawler.simulator import chrome
from crawler.simulator.chrome import Site, Skin, esc
from crawler.simulator.families.base import Family, by_depth, date_str, escape_cdata
from crawler.simulator.model import Article, Attachment, Column, Portal
from crawler.simulator.server import Request, Response

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
MORE_DATAPROXY = "/module/web/jpage/morecolumndataproxy.jsp"
ANNUAL_MODULE = "/module/xxgk/xxgkAnnualReport.jsp"


def module_mode(portal: Portal) -> bool:
    return portal.style % 2 == 1


class Hanweb(Family):
    name = "hanweb"
    server_header = "Hanweb JCMS"
    skin = Skin(
        banner="<!-- Produced By 大汉网络 大汉版通发布系统 -->",
        wrapper="main",
        scripts=("/static/js/jpage.js",),
    )

    def webid(self, portal: Portal) -> int:
        return portal.sid % 900 + 10

    def unitid(self, column: Column) -> int:
        return 200000 + column.colid % 700000

    def home_path(self, portal: Portal) -> str:
        return "/index.html"

    def assign_columns(self, portal: Portal, rng: random.Random) -> None:
        long_ids = portal.variant % 4 < 2
        base = (
            1229000000 + rng.randrange(100000, 900000) if long_ids else rng.randrange(10000, 80000)
        )
        annual = portal.annual
        if module_mode(portal) and annual is not None:
            doomed = {id(c) for c in portal.columns if c is not annual and annual in c.trail()}
            portal.columns = [c for c in portal.columns if id(c) not in doomed]
            annual.children = []
            annual.module = True
            for article in portal.articles:
                if article.kind == "report":
                    article.column = annual
        for i, column in enumerate(by_depth(portal.columns)):
            column.colid = base + i * (7 if long_ids else 3) + 1
            column.path = f"/col/col{column.colid}/index.html"

    def article_path(self, portal: Portal, article: Article) -> str:
        if module_mode(portal) and article.kind == "report" and article.report is not None:
            unit = article.report.unit
            article.module_path = (
                f"{ANNUAL_MODULE}?area={unit.credit_code}&fbtime={article.report.year}"
            )
            return article.module_path
        column = article.column
        colid = column.colid if column else 1
        d = article.date
        return f"/art/{d.year}/{d.month}/{d.day}/art_{colid}_{article.docid}.html"

    def column_page_path(self, portal: Portal, column: Column, page: int) -> str | None:
        return column.path if page == 0 else None

    def file_path(self, portal: Portal, article: Article, kind: str, index: int) -> str:
        token = hashlib.blake2b(
            f"{portal.key}:{article.docid}:{kind}:{index}".encode(), digest_size=16
        ).hexdigest()
        if kind == "jpg":
            return f"/picture/-1/{token}.jpg"
        return f"/module/download/downfile.jsp?classid=0&filename={token}.{kind}"

    def _plan_files(self, portal: Portal, article: Article) -> None:
        super()._plan_files(portal, article)
        spec = article.report
        if spec is not None and module_mode(portal) and spec.format == "pdf":
            article.attachments.append(
                Attachment("docx", self.file_path(portal, article, "docx", 9), spec.title + ".docx")
            )

    def alt_path(self, portal: Portal, article: Article) -> str:
        colid = portal.annual.colid if portal.annual else 1
        d = article.date
        return f"/art/{d.year}/{d.month}/{d.day}/art_{colid}_{article.docid + 13}.html"

    # --- lists ------------------------------------------------------------------------------

    def record(self, site: Site, column: Column, article: Article) -> str:
        href = self.href(site.portal, column, article)
        title = escape(article.title, quote=True).replace("'", "&#39;")
        li = (
            f"<li><a href='{href}' title='{title}' target='_blank'>{escape(article.title)}</a>"
            f"<span>{date_str(article)}</span></li>"
        )
        return f"<record><![CDATA[{escape_cdata(li)}]]></record>"

    def query(self, portal: Portal, column: Column) -> str:
        return (
            f"appid=1&webid={self.webid(portal)}&path=/&columnid={column.colid}"
            f"&unitid={self.unitid(column)}&permissiontype=0"
        )

    def list_content(self, site: Site, column: Column, page: int) -> str:
        portal = site.portal
        if column.module:
            return self.module_grid(site)
        articles = self.list_items(site, column, 0)
        total = 10**6 if column.endless else len(column.articles)
        records = "\n".join(self.record(site, column, a) for a in articles)
        nextgroup = f'<a href="{DATAPROXY}?page=1&{self.query(portal, column)}"></a>'
        div = f"div{self.unitid(column)}"
        return (
            f'<div id="{div}" data-jpage="1" data-webid="{self.webid(portal)}" '
            f'data-columnid="{column.colid}" data-unitid="{self.unitid(column)}" '
            f'data-perpage="{column.page_size}" data-total="{total}" '
            f'data-webname="{esc(site.title_suffix)}">'
            '<script type="text/xml"><datastore>'
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>"
            f"<recordset>\n{records}\n</recordset></datastore></script></div>\n"
            '<script type="text/javascript">'
            f"var jpageParams = \"columnid:{column.colid};unitid:'{self.unitid(column)}';"
            f'webid:{self.webid(portal)};perpage:{column.page_size};totalRecord:{total}";'
            "</script>"
        )

    def module_grid(self, site: Site) -> str:
        portal = site.portal
        years = sorted({y for u in portal.units for y in u.years}, reverse=True)
        rows = []
        for unit in portal.units:
            cells = "".join(
                f'<td><a href="{ANNUAL_MODULE}?area={unit.credit_code}&amp;fbtime={y}" '
                f'target="_blank">{y}年</a></td>'
                if y in unit.years and self._linked(portal, unit.key, y)
                else "<td></td>"
                for y in years
            )
            rows.append(f"<tr><td>{esc(unit.organ)}</td>{cells}</tr>")
        head = "".join(f"<th>{y}</th>" for y in years)
        return (
            '<div class="xxgk-nb"><table class="nb-table"><thead><tr><th>单位名称</th>'
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )

    @staticmethod
    def _linked(portal: Portal, unit_key: str, year: int) -> bool:
        return any(
            a.report is not None
            and a.report.unit.key == unit_key
            and a.report.year == year
            and a.linked
            for a in portal.articles
        )

    # --- detail -----------------------------------------------------------------------------

    def container(self, article: Article, inner: str) -> str:
        appendix = ""
        if article.attachments and article.docid % 2:
            name = article.attachments[0].path.rsplit("=", 1)[-1]
            appendix = f"<script>var file_appendix='{name}';</script>"
        return (
            '<div id="zoom" class="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">'
            f'{inner}<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->{appendix}</div>'
        )

    def article_page(self, site: Site, article: Article, page: int) -> str:
        if article.module_path and article.path == article.module_path:
            return self.module_page(site, article)
        return super().article_page(site, article, page)

    def module_page(
        self, site: Site, article: Article | None, area: str = "", year: str = ""
    ) -> str:
        if article is not None and article.report is not None:
            spec = article.report
            files = "".join(
                f'<li><a href="{esc(a.path)}" target="_blank">{esc(a.label)}</a></li>'
                for a in article.attachments
            )
            inner = (
                f'<div class="nb-detail"><h2>{esc(spec.title)}</h2>'
                f"<table><tr><td>发布机构：</td><td>{esc(spec.unit.organ)}</td></tr>"
                f"<tr><td>年度：</td><td>{spec.year}</td></tr>"
                f"<tr><td>发布日期：</td><td>{date_str(article)}</td></tr></table>"
                f'<ul class="nb-files">{files}</ul></div>'
            )
            title = spec.title
        else:
            inner = '<div class="nb-detail"><p>暂无信息</p></div>'
            title = "政府信息公开年报"
        trail = (
            [(self.column_href(c), c.name) for c in site.portal.annual.trail()]
            if site.portal.annual
            else []
        )
        return chrome.page(site, title=f"{title}_{site.title_suffix}", content=inner, trail=trail)

    # --- dynamic ----------------------------------------------------------------------------

    def dynamic(self, site: Site, request: Request) -> Response | str | None:
        if request.path in (DATAPROXY, MORE_DATAPROXY):
            return self.dataproxy(site, request)
        if request.path == ANNUAL_MODULE:
            args = request.args()
            area, year = args.get("area", ""), args.get("fbtime", "")
            if not year:
                unit = next((u for u in site.portal.units if u.credit_code == area), None)
                if unit is None:
                    return self.module_page(site, None)
                links = "".join(
                    f'<li><a href="{ANNUAL_MODULE}?area={area}&amp;fbtime={y}">{y}年</a></li>'
                    for y in unit.years
                )
                return chrome.page(
                    site,
                    title=f"{unit.organ}_{site.title_suffix}",
                    content=f'<ul class="nb-years">{links}</ul>',
                )
            return self.module_page(site, None, area, year)
        return None

    def dataproxy(self, site: Site, request: Request) -> Response:
        portal = site.portal
        args = request.args()
        column = None
        try:
            colid = int(args.get("columnid", "0"))
            webid = int(args.get("webid", "0"))
        except ValueError:
            colid = webid = 0
        if webid == self.webid(portal):
            column = next((c for c in portal.columns if c.colid == colid and not c.module), None)
        if column is None:
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>0'
                "</totalrecord><totalpage>0</totalpage><recordset></recordset></datastore>"
            )
            return Response(200, body.encode(), "text/xml; charset=UTF-8")
        articles = column.sorted_articles()
        total = 10**6 if column.endless else len(articles)
        try:
            per = max(1, int(args.get("perpage") or column.page_size))
            if "startrecord" in args:
                start = max(1, int(args["startrecord"]))
                end = max(start, int(args.get("endrecord") or start + per - 1))
            else:
                page = max(1, int(args.get("page") or 1))
                start, end = (page - 1) * per + 1, page * per
        except ValueError:
            return Response(400, b"bad request", "text/plain")
        end = min(end, start + 500)
        if column.endless and articles:
            chosen = [articles[i % len(articles)] for i in range(start - 1, end)]
        else:
            chosen = articles[start - 1 : end]
        records = "\n".join(self.record(site, column, a) for a in chosen)
        nextgroup = (
            f'<a href="{DATAPROXY}?page={(end // per) + 1}&{self.query(portal, column)}"></a>'
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>'
            f"<totalrecord>{total}</totalrecord><totalpage>{math.ceil(total / per)}</totalpage>"
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>"
            f"<recordset>\n{records}\n</recordset></datastore>"
        )
        return Response(200, body.encode("utf-8"), "text/xml; charset=UTF-8")
