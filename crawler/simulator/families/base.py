"""What every CMS family shares: planning routes, corners, page frames, detail bodies.

A family subclass gives URLs to a portal's columns, articles and files
(:meth:`Family.assign`), renders list pages with its own markup and pagination
(:meth:`Family.list_content`, :meth:`Family.pager`) and wraps detail bodies in its
own containers. Dynamic endpoints (Hanweb's dataproxy, gkmlpt's API, Epoint's
``iList.jsp``) are answered by :meth:`Family.dynamic`.
"""

from __future__ import annotations

import itertools
import random
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, ClassVar, Final

from crawler.simulator import chrome, content, filler
from crawler.simulator.chrome import Site, Skin, esc
from crawler.simulator.model import (
    Article,
    Attachment,
    Column,
    Portal,
    ReportSpec,
    Route,
    route_key,
)
from crawler.simulator.server import Request, Response

if TYPE_CHECKING:
    from crawler.simulator.landscape import Landscape

# Paths that the corners use, the same on every family.
MOVED_FROM = "/zfxxgk/nianbao/index.html"
LOOP_A, LOOP_B = "/old/", "/old/index.html"
OFFSITE = "/zwfw/"
DEAD_LINKS = (("/xxgkml/index.html", "政府信息公开目录"), ("/ysqgk/", "依申请公开"))
CALENDAR = "/hdjl/hdrl.html"


def by_depth(columns: list[Column]) -> list[Column]:
    """Columns parents first (a column's URL is built on its parent's)."""
    return sorted(columns, key=lambda c: len(c.trail()))


def date_str(article: Article) -> str:
    return article.date.isoformat() if article.dated else ""


def split_body(spec: ReportSpec, body: str, pages: int) -> list[str]:
    """The body cut into ``pages`` parts at section headings (三, then 五)."""
    if pages <= 1:
        return [body]
    report = content.synthetic(spec)
    lines = body.split("\n")
    cuts: list[int] = []
    for index in (2,) if pages == 2 else (2, 4):
        heading = report.style.headings[index].split("、")[-1]
        found = next((i for i, line in enumerate(lines) if heading in line and i > 0), None)
        if found is not None and (not cuts or found > cuts[-1]):
            cuts.append(found)
    if not cuts:  # no heading found: cut by line count
        cuts = [len(lines) * k // pages for k in range(1, pages)]
    bounds = [0, *cuts, len(lines)]
    parts = ["\n".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]
    while len(parts) < pages:
        parts.append("")
    return parts


class Family:
    name: ClassVar[str] = "base"
    server_header: ClassVar[str] = "nginx"
    skin: ClassVar[Skin] = Skin()
    ext: ClassVar[str] = ".html"

    # --- URLs (subclasses) ----------------------------------------------------------

    def home_path(self, portal: Portal) -> str:
        """The home page's path (the portal URL in the sites file)."""
        return "/"

    def assign_columns(self, portal: Portal, rng: random.Random) -> None:
        """Set ``home_path`` and every column's ``path`` (and ``folder``, ``colid``)."""
        raise NotImplementedError

    def article_path(self, portal: Portal, article: Article) -> str:
        """The main URL of an article (may also set ``module_path``)."""
        raise NotImplementedError

    def column_page_path(self, portal: Portal, column: Column, page: int) -> str | None:
        """The URL of list page ``page`` (0-based), or None if not a static URL."""
        raise NotImplementedError

    def file_path(self, portal: Portal, article: Article, kind: str, index: int) -> str:
        raise NotImplementedError

    def split_path(self, article: Article, page: int) -> str:
        """URL of page ``page`` (1-based after the first) of a split article: ``t…_1.html``."""
        stem, dot, ext = article.path.rpartition(".")
        return f"{stem}_{page}.{ext}" if dot else f"{article.path}_{page}"

    def alt_path(self, portal: Portal, article: Article) -> str:
        """A second URL of the same article (the duplicate corner)."""
        stem, dot, ext = article.path.rpartition(".")
        return f"{stem}_wap.{ext}" if dot else f"{article.path}_wap"

    def href(self, portal: Portal, column: Column | None, article: Article) -> str:
        """The link to ``article`` as shown in ``column``'s list (None: elsewhere)."""
        if article.alt_paths and column is not article.column:
            return article.alt_paths[0]
        return article.path

    def column_href(self, column: Column) -> str:
        return column.path

    # --- planning ---------------------------------------------------------------------

    def plan(self, portal: Portal, landscape: Landscape) -> None:
        rng = random.Random(f"{landscape.config.seed}:{portal.key}:plan:{self.name}")
        self.assign_columns(portal, rng)
        for article in portal.articles:
            self.place_article(portal, article)
        routes = portal.routes
        routes["/"] = Route("home")
        routes[portal.home_path] = Route("home")
        routes["/robots.txt"] = Route("robots")
        for column in portal.columns:
            # Endless columns: the first pages are static routes, families answer the rest.
            for n in range(column.pages() if not column.endless else 1000):
                path = self.column_page_path(portal, column, n)
                if path:
                    routes[route_key(*path.partition("?")[::2])] = Route("column", column, n)
        self._plan_corners(portal, rng)
        portal.decoy_urls = [
            (a.path, a.decoy_kind or "", a.title) for a in portal.articles if a.kind == "decoy"
        ]

    def place_article(self, portal: Portal, article: Article) -> None:
        """Give a (new) article its URLs, files and routes."""
        article.path = self.article_path(portal, article)
        self._plan_files(portal, article)
        self._route_article(portal, article)

    def _plan_files(self, portal: Portal, article: Article) -> None:
        spec = article.report
        if spec is None:
            return
        kinds: list[str] = []
        if spec.format == "image":
            kinds = ["jpg"]
        elif spec.format != "html":
            kinds = [spec.format]
        if spec.with_pdf:
            kinds.append("pdf")
        for i, kind in enumerate(kinds):
            label = spec.title + f".{kind}"
            article.attachments.append(
                Attachment(kind, self.file_path(portal, article, kind, i), label)
            )

    def _route_article(self, portal: Portal, article: Article) -> None:
        routes = portal.routes
        routes[route_key(*article.path.partition("?")[::2])] = Route("article", article, 0)
        spec = article.report
        if spec is not None and spec.split_pages > 1:
            for n in range(1, spec.split_pages):
                routes[self.split_path(article, n)] = Route("article", article, n)
        for alt in article.alt_paths:
            routes[route_key(*alt.partition("?")[::2])] = Route("article", article, 0)
        for attachment in article.attachments:
            routes[route_key(*attachment.path.partition("?")[::2])] = Route(
                "file", (article, attachment)
            )

    def _plan_corners(self, portal: Portal, rng: random.Random) -> None:
        routes = portal.routes
        nav = portal.nav_extra
        if portal.has("moved-column") and portal.annual is not None:
            routes[MOVED_FROM] = Route("redirect", (301, portal.annual.path))
        if portal.has("redirect-loop"):
            routes[LOOP_A] = Route("redirect", (302, LOOP_B))
            routes[LOOP_B] = Route("redirect", (302, LOOP_A))
            nav.append((LOOP_A, "旧版回顾"))
        if portal.has("redirect-offsite"):
            routes[OFFSITE] = Route("redirect", (302, f"@outside/zwfw/{portal.division_code}.html"))
            nav.append((OFFSITE, "政务服务"))
        if portal.has("dead-links"):
            nav.extend(DEAD_LINKS)
        if portal.host_corner == "calendar-trap":
            routes[CALENDAR] = Route("calendar")
            nav.append((CALENDAR + "?month=2024-01", "活动日历"))
        if portal.has("duplicate"):
            reports = [
                a for a in portal.articles if a.kind == "report" and a.linked and a.status == 200
            ]
            if reports:
                article = max(reports, key=lambda a: (a.date, a.docid))
                article.alt_paths.append(self.alt_path(portal, article))
                self._route_article(portal, article)
        if portal.has("flaky") and portal.annual is not None and portal.annual.pages() > 1:
            path = self.column_page_path(portal, portal.annual, 1)
            if path:
                portal.flaky_paths.add(path)

    # --- rendering ------------------------------------------------------------------------

    def site(self, portal: Portal, landscape: Landscape) -> Site:
        site = Site(portal, landscape, self.skin)
        site.nav = self.nav(portal)
        return site

    def nav(self, portal: Portal) -> list[tuple[str, str]]:
        items = [(portal.home_path, "首页")]
        news = self.find(portal, "news")
        if news is not None:
            items.append((self.column_href(news), "新闻中心"))
        if portal.root is not None:
            items.append((self.column_href(portal.root), "政务公开"))
        items.append(("javascript:void(0);", "互动交流"))
        items.extend(portal.nav_extra)
        return items

    @staticmethod
    def find(portal: Portal, key: str) -> Column | None:
        return next((c for c in portal.columns if c.key == key), None)

    def render(self, site: Site, route: Route, request: Request) -> Response | str:
        portal = site.portal
        if route.kind == "home":
            return self.home(site)
        if route.kind == "column":
            return self.list_page(site, route.target, route.page)
        if route.kind == "article":
            article: Article = route.target
            if article.status != 200:
                return Response(article.status, b"<h1>500 Internal Server Error</h1>")
            return self.article_page(site, article, route.page)
        if route.kind == "robots":
            return Response(200, self.robots(portal).encode(), "text/plain")
        if route.kind == "calendar":
            return calendar_page(site, request)
        raise KeyError(route.kind)

    def robots(self, portal: Portal) -> str:
        return "User-agent: *\nDisallow: /search/\nDisallow: /admin/\n"

    # --- pages --------------------------------------------------------------------------

    def home(self, site: Site) -> str:
        portal = site.portal
        news = self.find(portal, "news")
        notices = self.find(portal, "notices")
        blocks = []
        for column in (news, notices):
            if column is None:
                continue
            items = [
                (self.href(portal, None, a), a.title, date_str(a))
                for a in column.sorted_articles()[:7]
            ]
            blocks.append(
                f'<div class="box"><div class="box-title"><h3>{esc(column.name)}</h3>'
                f'<a class="more" href="{esc(self.column_href(column))}">更多&gt;&gt;</a></div>'
                + chrome.list_items(items)
                + "</div>"
            )
        quick = []
        if portal.root is not None:
            quick.append((self.column_href(portal.root), "政府信息公开"))
            for child in portal.root.children:
                if child.key in ("guide", "annual") and not child.hidden:
                    if child.key == "annual" and portal.variant % 3 == 0:
                        continue  # some portals only link the platform
                    quick.append((self.column_href(child), child.name))
        dup = [a for a in portal.articles if a.alt_paths]
        latest = "".join(
            f'<li><a href="{esc(a.alt_paths[0])}">{esc(a.title)}</a></li>' for a in dup
        )
        quick_html = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in quick)
        body = (
            f'<div class="home-blocks">{"".join(blocks)}</div>\n'
            f'<div class="box zwgk"><div class="box-title"><h3>政务公开</h3></div>'
            f'<ul class="quick">{quick_html}</ul>'
            + (f'<ul class="latest">{latest}</ul>' if latest else "")
            + "</div>"
        )
        return chrome.page(site, title=f"{portal.name}人民政府门户网站", content=body)

    def list_items(self, site: Site, column: Column, page: int) -> list[Article]:
        articles = column.sorted_articles()
        if column.endless:
            if not articles:
                return []
            start = (page * column.page_size) % len(articles)
            return [articles[(start + i) % len(articles)] for i in range(column.page_size)]
        return articles[page * column.page_size : (page + 1) * column.page_size]

    def side_nav(self, site: Site, column: Column) -> str:
        parent = column.parent or column
        siblings = parent.children or [column]
        links = "".join(
            ('<li class="on">' if c is column else "<li>")
            + f'<a href="{esc(self.column_href(c))}">{esc(c.name)}</a></li>'
            for c in siblings
            if not c.hidden
        )
        return f'<div class="left-nav"><h2>{esc(parent.name)}</h2><ul>{links}</ul></div>'

    def children_links(self, site: Site, column: Column) -> str:
        portal = site.portal
        links = [(self.column_href(c), c.name) for c in column.children if not c.hidden]
        if column is portal.root:
            if portal.has("moved-column") and portal.annual is not None:
                links = [(MOVED_FROM if h == portal.annual.path else h, t) for h, t in links]
            if portal.has("dead-links"):
                links.extend(DEAD_LINKS)
        if not links:
            return ""
        return (
            '<div class="sub-columns"><ul>'
            + "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in links)
            + "</ul></div>"
        )

    def list_page(self, site: Site, column: Column, page: int) -> str:
        body = (
            self.side_nav(site, column)
            + f'<div class="right-content"><div class="column-title"><h2>{esc(column.name)}</h2>'
            "</div>"
            + self.children_links(site, column)
            + self.list_content(site, column, page)
            + self.pager(site, column, page)
            + "</div>"
        )
        trail = [(self.column_href(c), c.name) for c in column.trail()]
        return chrome.page(
            site,
            title=f"{column.name}_{site.title_suffix}",
            content=body,
            trail=trail,
            meta={"ColumnName": column.name, "ColumnType": column.name},
        )

    def list_href(self, site: Site, column: Column, article: Article) -> str:
        """The link to ``article`` on ``column``'s list pages."""
        return self.href(site.portal, column, article)

    def list_content(self, site: Site, column: Column, page: int) -> str:
        items = [
            (self.list_href(site, column, a), a.title, date_str(a))
            for a in self.list_items(site, column, page)
        ]
        return chrome.list_items(items, self.skin.list_class)

    def pager(self, site: Site, column: Column, page: int) -> str:
        return ""

    # --- detail pages ---------------------------------------------------------------------

    def article_body(self, site: Site, article: Article, page: int) -> str:
        """The inner HTML of the content container."""
        portal = site.portal
        if article.kind == "news":
            body = (
                filler.guide_body(portal, article)
                if article.column is not None and article.column.key in ("guide", "system")
                else filler.news_body(portal, article)
            )
        elif article.kind == "decoy":
            body = filler.decoy_body(portal, article)
        else:
            spec = article.report
            assert spec is not None
            body = self.report_body(site, article, spec, page)
        if article.huge:
            body += HUGE_MARK  # the app splices the (ASCII) filler into the encoded page
        return body

    def report_body(self, site: Site, article: Article, spec: ReportSpec, page: int) -> str:
        parts: list[str] = []
        if spec.layout == "seed-text":
            from crawler.simulator import seeds

            parts.append(seeds.body_html(spec))
        elif spec.format == "html":
            parts.append(content.BODY_MARK)  # the app splices the encoded body in
        elif spec.format == "image":
            for att in article.attachments:
                if att.kind == "jpg":
                    src = esc(self.file_href(article, att))
                    parts.append(
                        f'<p style="text-align:center;"><img src="{src}" '
                        f'alt="{esc(spec.title)}" border="0"></p>'
                    )
        else:
            parts.append('<p style="text-indent:2em;">详见附件。</p>')
        links = [a for a in article.attachments if a.kind != "jpg"]
        if links:
            parts.append(self.attachment_links(site, article, links))
        return "\n".join(parts)

    def file_href(self, article: Article, attachment: Attachment) -> str:
        return attachment.path

    def attachment_links(self, site: Site, article: Article, attachments: list[Attachment]) -> str:
        rows = "".join(
            f'<p>附件：<a href="{esc(self.file_href(article, a))}" target="_blank">'
            f"{esc(a.label)}</a></p>"
            for a in attachments
        )
        return f'<div class="attachments">{rows}</div>'

    def info_bar(self, site: Site, article: Article) -> str:
        source = (
            article.report.unit.organ if article.report else f"{site.portal.name}人民政府办公室"
        )
        return (
            f'<div class="info"><span>发布时间：{date_str(article)}</span>'
            f'<span>来源：{esc(source)}</span><span>浏览次数：<em id="hits"></em></span>'
            '<span>【字体：<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中'
            '</a> <a href="javascript:void(0)">小</a>】</span>'
            '<span><a href="javascript:window.print()">【打印】</a>'
            '<a href="javascript:window.close()">【关闭】</a></span></div>'
        )

    def metadata_block(self, site: Site, article: Article) -> str:
        spec = article.report
        if spec is None:
            return ""
        index = f"{spec.unit.credit_code}/{article.date.year}-{article.docid % 100000:05d}"
        return (
            '<table class="xxgk-meta"><caption>信息公开元数据</caption><tbody>'
            f"<tr><th>索引号</th><td>{index}</td><th>发布机构</th><td>{esc(spec.unit.organ)}</td></tr>"
            f'<tr><th>名称</th><td colspan="3">{esc(article.title)}</td></tr>'
            f"<tr><th>主题分类</th><td>政务公开</td><th>发布日期</th><td>{date_str(article)}</td></tr>"
            "</tbody></table>"
        )

    def container(self, article: Article, inner: str) -> str:
        return f'<div class="article-content" id="zoom">{inner}</div>'

    def split_pager(self, site: Site, article: Article, page: int) -> str:
        spec = article.report
        if spec is None or spec.split_pages <= 1:
            return ""
        links = []
        for n in range(spec.split_pages):
            href = article.path if n == 0 else self.split_path(article, n)
            links.append(
                f"<span>{n + 1}</span>" if n == page else f'<a href="{esc(href)}">{n + 1}</a>'
            )
        return '<div class="page-split">' + " ".join(links) + "</div>"

    def article_page(self, site: Site, article: Article, page: int) -> str:
        column = article.column
        trail = [(self.column_href(c), c.name) for c in column.trail()] if column else []
        inner = "".join(
            (
                self.metadata_block(site, article) if article.kind == "report" else "",
                f'<div class="article"><h1 class="article-title">{esc(article.title)}</h1>',
                self.info_bar(site, article),
                self.container(article, self.article_body(site, article, page)),
                self.split_pager(site, article, page),
                self.prev_next(site, article),
                "</div>",
            )
        )
        return chrome.page(
            site,
            title=f"{article.title}_{site.title_suffix}",
            content=inner,
            trail=trail,
            meta=self.article_meta(site, article),
        )

    def article_meta(self, site: Site, article: Article) -> dict[str, str]:
        return {
            "ArticleTitle": article.title,
            "PubDate": f"{date_str(article)} 09:{article.docid % 60:02d}",
            "ContentSource": article.report.unit.organ if article.report else site.title_suffix,
            "ColumnName": article.column.name if article.column else "",
        }

    def prev_next(self, site: Site, article: Article) -> str:
        column = article.column
        if column is None:
            return ""
        items = column.sorted_articles()
        if article not in items:
            return ""
        i = items.index(article)
        out = []
        if i > 0:
            p = items[i - 1]
            out.append(
                f'<p>上一篇：<a href="{esc(self.href(site.portal, column, p))}">'
                f"{esc(p.title)}</a></p>"
            )
        if i + 1 < len(items):
            n = items[i + 1]
            out.append(
                f'<p>下一篇：<a href="{esc(self.href(site.portal, column, n))}">'
                f"{esc(n.title)}</a></p>"
            )
        return '<div class="prev-next">' + "".join(out) + "</div>"

    # --- dynamic endpoints ------------------------------------------------------------------

    def dynamic(self, site: Site, request: Request) -> Response | str | None:
        return None


HUGE_MARK = "<!--simulator:huge-->"


def huge_filler(article: Article) -> str:
    """Several megabytes of markup: a Word export's inline images and styles."""
    return huge_filler_bytes(article.key).decode("ascii")


@lru_cache(maxsize=4)
def huge_filler_bytes(key: str) -> bytes:
    """The filler of the article ``key``, encoded (ASCII: the same bytes in every codec the
    portals use), kept for the few huge pages a crawl meets again."""
    return _huge_filler(key)


_BASE64: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_HUGE_CHUNK: Final = 4096
# ``rng.choice(_BASE64)`` takes a 32-bit word's top 7 bits, and draws again while they
# are 64 or more: as the word's top byte, letter ``b >> 1`` for ``b`` < 128, else none.
_TOP_BYTE_LETTER: Final = bytes(ord(_BASE64[b >> 1]) if b < 128 else 0 for b in range(256))
_REJECTED: Final = bytes(range(128, 256))
_HUGE_OPEN: Final = b'<p style="display:none"><img alt="" src="data:image/png;base64,'


def _huge_filler(key: str) -> bytes:
    rng = random.Random(f"huge:{key}")
    # The letters of 4096 ``rng.choice(_BASE64)``, from the same words in the same order
    # drawn in runs (a few words past the last letter: the generator is thrown away).
    letters = b""
    while len(letters) < _HUGE_CHUNK:
        words = rng.getrandbits(32 * _HUGE_CHUNK).to_bytes(4 * _HUGE_CHUNK, "little")
        letters += words[3::4].translate(None, _REJECTED)
    chunk = letters[:_HUGE_CHUNK].translate(_TOP_BYTE_LETTER)
    # ~6 MB, written as bytes once (not as text, then formatted, then encoded)
    return b"".join((_HUGE_OPEN, chunk * 1500, b'"></p>'))


def calendar_page(site: Site, request: Request) -> str:
    """An endless 活动日历: every month links to the one before and after it."""
    month = request.args().get("month", "2024-01")
    try:
        year, mon = (int(x) for x in month.split("-", 1))
    except ValueError:
        year, mon = 2024, 1
    prev_y, prev_m = (year - 1, 12) if mon == 1 else (year, mon - 1)
    next_y, next_m = (year + 1, 1) if mon == 12 else (year, mon + 1)
    days = "".join(
        f'<td><a href="{CALENDAR}?month={year:04d}-{mon:02d}&amp;day={d}">{d}</a></td>'
        + ("</tr><tr>" if d % 7 == 0 else "")
        for d in range(1, 29)
    )
    body = (
        f'<div class="calendar"><h2>活动日历 {year}年{mon}月</h2>'
        f'<a href="{CALENDAR}?month={prev_y:04d}-{prev_m:02d}">上一月</a> '
        f'<a href="{CALENDAR}?month={next_y:04d}-{next_m:02d}">下一月</a>'
        f"<table><tr>{days}</tr></table><p>本月暂无活动安排。</p></div>"
    )
    return chrome.page(
        site,
        title=f"活动日历_{site.title_suffix}",
        content=body,
        trail=[("", "互动交流"), ("", "活动日历")],
    )


def escape_cdata(text: str) -> str:
    return text.replace("]]>", "]]]]><![CDATA[>")


__all__ = [
    "HUGE_MARK",
    "Family",
    "by_depth",
    "date_str",
    "escape",
    "escape_cdata",
    "huge_filler",
    "huge_filler_bytes",
    "relative",
    "split_body",
]


def relative(from_path: str, to_path: str) -> str:
    """``to_path`` relative to the page at ``from_path`` (as static CMSs write links)."""
    import posixpath

    base = from_path.rsplit("/", 1)[0] or "/"
    target_dir, _, name = to_path.rpartition("/")
    rel = posixpath.relpath(target_dir or "/", base)
    return name if rel == "." else f"{rel}/{name}"
