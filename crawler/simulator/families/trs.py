"""TRS WCM / 海云 (拓尔思): folders as columns, ``index_N`` pages announced by a
``countPage`` script, details at ``./YYYYMM/tYYYYMMDD_<docid>.html`` in ``TRS_Editor``."""

from __future__ import annotations

import random
import re
from typing import ClassVar

from crawler.simulator.chrome import Site, Skin
from crawler.simulator.families.base import Family, by_depth
from crawler.simulator.model import Article, Attachment, Column, Portal, Route
from crawler.simulator.server import Request, Response
from crawler.simulator.static import asset_text

_FOLDERS = {
    "platform": "/zwgk/",
    "guide": "/zwgk/zfxxgkzn/",
    "system": "/zwgk/zfxxgkzd/",
    "statutory": "/zwgk/fdzdgknr/",
    "annual": "/zwgk/zfxxgknb/",
    "points": "/zwgk/zwgkgzyd/",
    "news": "/xwzx/gzdt/",
    "notices": "/xwzx/tzgg/",
    "trap": "/zwgk/xxgkml/",
}
_GROUPS = {"gov": "bjnb", "dept": "bmnb", "township": "xzjdnb"}


CREATE_PAGE_JS = '<script type="text/javascript">\n' + asset_text("createPageHTML.js") + "</script>"


class Trs(Family):
    name = "trs"
    server_header = "Apache"
    skin = Skin(
        banner="<!-- TRS WCM 海云 -->",
        head_extra=CREATE_PAGE_JS,
        wrapper="main-wrap",
        list_class="list-ul",
    )
    exts: ClassVar[tuple[str, ...]] = (".html", ".shtml", ".htm")

    def _ext(self, portal: Portal) -> str:
        return self.exts[portal.variant % 3]

    def home_path(self, portal: Portal) -> str:
        return "/" if portal.variant % 2 else f"/index{self._ext(portal)}"

    def assign_columns(self, portal: Portal, rng: random.Random) -> None:
        ext = self._ext(portal)
        for column in by_depth(portal.columns):
            if column.key in _FOLDERS:
                folder = _FOLDERS[column.key]
            elif column.key.startswith("y") and portal.annual and column.parent is portal.annual:
                folder = f"{column.parent.folder}{column.key[1:]}/"
            elif column.key.startswith("y") and column.parent is not None:
                folder = f"{column.parent.folder}{_GROUPS[column.key.rsplit('-', 1)[1]]}/"
            elif column.key.startswith("g-") and column.parent is not None:
                folder = f"{column.parent.folder}{_GROUPS[column.key[2:]]}/"
            elif column.key.startswith("u-") and column.parent is not None:
                slug = column.key[2:].split(":")[-1]
                unit = next((u for u in portal.units if u.key == column.key[2:]), None)
                folder = f"{column.parent.folder}{unit.slug if unit else slug}/"
            else:
                folder = f"/zwgk/{column.key}/"
            column.folder = folder
            column.path = folder if portal.variant % 4 < 2 else f"{folder}index{ext}"

    def article_path(self, portal: Portal, article: Article) -> str:
        folder = article.column.folder if article.column else "/xwzx/gzdt/"
        d = article.date
        return f"{folder}{d:%Y%m}/t{d:%Y%m%d}_{article.docid}{self._ext(portal)}"

    def column_page_path(self, portal: Portal, column: Column, page: int) -> str | None:
        ext = self._ext(portal)
        return f"{column.folder}index{ext}" if page == 0 else f"{column.folder}index_{page}{ext}"

    def plan(self, portal: Portal, landscape: object) -> None:
        super().plan(portal, landscape)  # type: ignore[arg-type]
        for column in portal.columns:
            if not column.endless:
                portal.routes[column.folder] = Route("column", column, 0)

    def file_path(self, portal: Portal, article: Article, kind: str, index: int) -> str:
        d = article.date
        stem = "W0" if kind == "jpg" else "P0"
        folder = article.path.rsplit("/", 1)[0]
        return f"{folder}/{stem}{d:%Y%m%d}{(article.docid * 7 + index) % 10**9:09d}.{kind}"

    def file_href(self, article: Article, attachment: Attachment) -> str:
        return "./" + attachment.path.rsplit("/", 1)[1]

    def alt_path(self, portal: Portal, article: Article) -> str:
        assert portal.annual is not None
        d = article.date
        return f"{portal.annual.folder}{d:%Y%m}/t{d:%Y%m%d}_{article.docid + 17}{self._ext(portal)}"

    def list_href(self, site: Site, column: Column, article: Article) -> str:
        path = self.href(site.portal, column, article)
        if column.folder and path.startswith(column.folder):
            return "./" + path[len(column.folder) :]
        return path

    def pager(self, site: Site, column: Column, page: int) -> str:
        pages = column.pages()
        ext = self._ext(site.portal)[1:]
        if site.portal.variant % 5 == 0:
            # 信息公开 platform style: counters, then an inline writer.
            count = len(column.articles) if not column.endless else 10**7
            return (
                '<div class="page"><script type="text/javascript">\n'
                f"var countnum={count};var currentPage={page};var countPage={pages};\n"
                "for(var i=0;i<countPage&&i<10;i++){\n"
                "  if(i==currentPage){document.write('<span>'+(i+1)+'</span> ');}\n"
                f"  else{{document.write('<a href=\"index'+(i==0?'':'_'+i)+'.{ext}\">'"
                "+(i+1)+'</a> ');}\n"
                "}\n"
                f"if(currentPage<countPage-1){{document.write('<a href=\"index_'"
                f"+(currentPage+1)+'.{ext}\">下一页</a>');}}\n"
                "</script></div>"
            )
        return (
            '<div class="page"><script type="text/javascript">\n'
            f"var countPage = {pages}//共多少页\n"
            f"var currentPage = {page}//当前页\n"
            "var prevPage = currentPage-1//上一页\n"
            "var nextPage = currentPage+1//下一页\n"
            f'createPageHTML(countPage, currentPage, "index", "{ext}");\n'
            "</script></div>"
        )

    def split_pager(self, site: Site, article: Article, page: int) -> str:
        spec = article.report
        if spec is None or spec.split_pages <= 1:
            return ""
        stem, _, ext = article.path.rsplit("/", 1)[1].rpartition(".")
        return (
            '<div class="page"><script type="text/javascript">'
            f'createPageHTML({spec.split_pages}, {page}, "{stem}", "{ext}");</script></div>'
        )

    def container(self, article: Article, inner: str) -> str:
        style = article.docid % 3
        if style == 0:
            return f'<div class="TRS_Editor">{inner}</div>'
        if style == 1:
            return f'<div class="view TRS_UEDITOR trs_paper_default trs_web">{inner}</div>'
        return f'<div class="Custom_UnionStyle">{inner}</div>'

    def dynamic(self, site: Site, request: Request) -> Response | str | None:
        # The pagination trap: index_N exists for every N.
        trap = self.find(site.portal, "trap")
        if trap is not None and request.path.startswith(trap.folder):
            match = re.fullmatch(r"index(?:_(\d+))?\.\w+", request.path[len(trap.folder) :])
            if match or request.path == trap.folder:
                page = int(match.group(1) or 0) if match else 0
                return self.list_page(site, trap, page)
        return None
