"""博达 VSB static sites.

Columns are ``/xxgk/zfxxgknb.htm`` with their pages in a folder of the same name,
numbered *downwards*: page 1 is ``zfxxgknb.htm``, page 2 ``zfxxgknb/{T-1}.htm``, …,
the last ``zfxxgknb/1.htm`` (T pages). Details are ``/info/<colid>/<id>.htm`` with
the body in ``#vsb_content`` / ``.v_news_content`` inside the form
``_newscontent_fromname``; attachments go through ``/system/_content/download.jsp``.
"""

from __future__ import annotations

import hashlib
import random
import re

from crawler.simulator.chrome import Site, Skin, esc
from crawler.simulator.families.base import Family, by_depth, date_str, relative
from crawler.simulator.model import Article, Attachment, Column, Portal
from crawler.simulator.server import Request, Response

_SLUGS = {
    "platform": "/xxgk",
    "guide": "/xxgk/zfxxgkzn",
    "system": "/xxgk/zfxxgkzd",
    "statutory": "/xxgk/fdzdgknr",
    "annual": "/xxgk/zfxxgknb",
    "points": "/xxgk/zwgkgzyd",
    "news": "/xwzx/gzdt",
    "notices": "/xwzx/tzgg",
    "trap": "/xxgk/xxgkml",
}
_GROUPS = {"gov": "bj", "dept": "bm", "township": "xzjd"}


class Vsb(Family):
    name = "vsb"
    server_header = "VSB"
    skin = Skin(banner="<!-- VSB 博达站群 -->", wrapper="main", list_class="list")

    def home_path(self, portal: Portal) -> str:
        return "/index.htm"

    def assign_columns(self, portal: Portal, rng: random.Random) -> None:
        base = rng.randrange(1000, 1900)
        for i, column in enumerate(by_depth(portal.columns)):
            column.colid = base + i
            if column.key in _SLUGS:
                stem = _SLUGS[column.key]
            elif column.key.startswith("y") and portal.annual and column.parent is portal.annual:
                stem = f"{column.parent.folder.rstrip('/')}/{column.key[1:]}n"
            elif column.key.startswith("y") and column.parent is not None:
                stem = f"{column.parent.folder.rstrip('/')}/{_GROUPS[column.key.rsplit('-', 1)[1]]}"
            elif column.key.startswith("g-") and column.parent is not None:
                stem = f"{column.parent.folder.rstrip('/')}/{_GROUPS[column.key[2:]]}nb"
            elif column.key.startswith("u-") and column.parent is not None:
                unit = next((u for u in portal.units if u.key == column.key[2:]), None)
                stem = f"{column.parent.folder.rstrip('/')}/{unit.slug if unit else column.colid}"
            else:
                stem = f"/xxgk/c{column.colid}"
            column.path = stem + ".htm"
            column.folder = stem + "/"

    def article_path(self, portal: Portal, article: Article) -> str:
        colid = article.column.colid if article.column else 1001
        return f"/info/{colid}/{article.docid}.htm"

    def column_page_path(self, portal: Portal, column: Column, page: int) -> str | None:
        if page == 0:
            return column.path
        return f"{column.folder}{column.pages() - page}.htm"

    def file_path(self, portal: Portal, article: Article, kind: str, index: int) -> str:
        token = (
            hashlib.blake2b(f"{portal.key}:{article.docid}:{kind}:{index}".encode(), digest_size=12)
            .hexdigest()
            .upper()
        )
        if kind == "jpg":
            return f"/__local/{token[0]}/{token[1:3]}/{token[3:5]}/{token[5:]}_{index}.jpg"
        owner = 1000000000 + article.docid % 10**9
        return (
            f"/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner={owner}"
            f"&wbfileid={int(token[:8], 16) % 10**7}"
        )

    def alt_path(self, portal: Portal, article: Article) -> str:
        colid = portal.annual.colid if portal.annual else 1001
        return f"/info/{colid}/{article.docid}.htm"

    def list_content(self, site: Site, column: Column, page: int) -> str:
        here = self.column_page_path(site.portal, column, page) or column.path
        rows: list[str] = []
        for article in self.list_items(site, column, page):
            path = self.href(site.portal, column, article)
            rows.append(
                f'<li id="line_u8_{len(rows)}"><a href="{esc(relative(here, path))}" '
                f'target="_blank" title="{esc(article.title)}">{esc(article.title)}</a>'
                f"<span>{date_str(article)}</span></li>"
            )
        return '<ul class="list">' + "\n".join(rows) + "</ul>"

    def pager(self, site: Site, column: Column, page: int) -> str:
        total_pages = column.pages()
        if total_pages <= 1:
            return ""
        here = self.column_page_path(site.portal, column, page) or column.path

        def link(n: int, text: str, css: str) -> str:
            target = self.column_page_path(site.portal, column, n) or column.path
            return f'<span class="{css}"><a href="{esc(relative(here, target))}">{text}</a></span>'

        parts = [
            f"共{len(column.articles) if not column.endless else 10**7}条&nbsp;&nbsp;"
            f"{page + 1}/{total_pages}&nbsp;"
        ]
        if page > 0:
            parts += [link(0, "首页", "p_first"), link(page - 1, "上页", "p_prev")]
        else:
            parts += ['<span class="p_first_d">首页</span>', '<span class="p_prev_d">上页</span>']
        for n in range(max(0, page - 3), min(total_pages, page + 4)):
            parts.append(
                f'<span class="p_no_d">{n + 1}</span>' if n == page else link(n, str(n + 1), "p_no")
            )
        if page + 1 < total_pages:
            parts += [link(page + 1, "下页", "p_next"), link(total_pages - 1, "尾页", "p_last")]
        else:
            parts += ['<span class="p_next_d">下页</span>', '<span class="p_last_d">尾页</span>']
        return (
            '<div class="pb_sys_common pb_sys_normal"><span class="p_pages">'
            + "".join(parts)
            + "</span></div>"
        )

    def container(self, article: Article, inner: str) -> str:
        box = "vsb_content_2" if article.docid % 2 else "vsb_content"
        return (
            '<form name="_newscontent_fromname"><div id="' + box + '">'
            f'<div class="v_news_content">{inner}</div></div></form>'
        )

    def attachment_links(self, site: Site, article: Article, attachments: list[Attachment]) -> str:
        rows = "".join(
            f'<li>附件【<a href="{esc(a.path)}" target="_blank">{esc(a.label)}</a>】'
            f'已下载<span id="nattach{i}"></span>次</li>'
            for i, a in enumerate(attachments)
        )
        return f'<ul style="list-style-type:none;">{rows}</ul>'

    def dynamic(self, site: Site, request: Request) -> Response | str | None:
        trap = self.find(site.portal, "trap")
        if trap is not None and request.path.startswith(trap.folder):
            match = re.fullmatch(r"(\d+)\.htm", request.path[len(trap.folder) :])
            if match:
                page = max(1, trap.pages() - int(match.group(1)))
                return self.list_page(site, trap, page)
        if trap is not None and request.path == trap.path:
            return self.list_page(site, trap, 0)
        return None
