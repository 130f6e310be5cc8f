"""Full detail pages: a report body inside the markup of the CMS families that county
portals run on (``shared/research/portals.md``).

Every family page carries the shared fingerprints (standard meta tags, breadcrumb
当前位置, info bar with 字体 大中小 / 打印 / 关闭, 上一篇/下一篇, share widget, the
kaipuyun 纠错 script, the conac badge, friend-link ``<select>`` blocks, the footer
with 主办单位 / 网站标识码 / ICP / 公网安备) and its own content container. The
page declares no charset: :func:`crawler.fabricate.encoding.encode_page` adds
whatever declaration the encoding style calls for.
"""

# ruff: noqa: E501 - the page templates are markup, kept one HTML line per source line

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final

from crawler.fabricate.html import esc, render_body
from crawler.fabricate.site import SiteInfo, site_info
from crawler.fabricate.style import cumulative, pick
from crawler.registry import divisions, seed_texts

if TYPE_CHECKING:
    from crawler.fabricate.report import SyntheticReport

CHROME_STYLES: Final[tuple[str, ...]] = ("trs", "hanweb", "vsb", "epoint", "nfcms", "plain")
Attachment = tuple[str, str]  # (href, link text)


@dataclass(frozen=True, slots=True)
class _Page:
    title: str
    body: str
    site: SiteInfo
    crumbs: tuple[str, ...]  # breadcrumb below 首页
    pub: dt.datetime | None  # the 发布时间 of the info bar and PubDate (None: not shown)
    source: str | None  # 来源 of the info bar
    organ: str | None  # 发布机构 of the metadata table
    meta: bool  # the standard meta tags
    metadata_table: bool  # the 信息公开 metadata block (索引号 …)
    index_no: str
    doc_id: int
    column_id: int
    attachments: tuple[Attachment, ...]
    prev_next: tuple[str, str]
    toolbar: bool  # 无障碍 / 长者版


# --- Shared pieces --------------------------------------------------------------------


def _meta_tags(page: _Page) -> str:
    if not page.meta:
        return ""
    site = page.site
    tags = [
        ("SiteName", site.name),
        ("SiteDomain", site.domain),
        ("SiteIDCode", site.site_id_code),
        ("ColumnName", page.crumbs[-1] if page.crumbs else "政府信息公开年报"),
        ("ColumnType", "政府信息公开年报"),
        ("ArticleTitle", page.title),
    ]
    if page.pub is not None:
        tags.append(("PubDate", page.pub.strftime("%Y-%m-%d %H:%M")))
    if page.source:
        tags.append(("ContentSource", page.source))
    tags.append(("Keywords", "政府信息公开,年度报告"))
    return "\n".join(f'<meta name="{k}" content="{esc(v)}">' for k, v in tags)


def _date_text(pub: dt.datetime, rng: random.Random) -> str:
    return pub.strftime(
        rng.choice(("%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日"))
    )


def _crumbs(page: _Page, sep: str, link_class: str = "") -> str:
    cls = f' class="{link_class}"' if link_class else ""
    depth = len(page.crumbs)
    links = [f'<a href="{"../" * (depth + 1)}"{cls}>首页</a>']
    for i, name in enumerate(page.crumbs):
        links.append(f'<a href="{"../" * (depth - i)}"{cls}>{esc(name)}</a>')
    return sep.join(links)


def _selects(site: SiteInfo) -> str:
    out = []
    for group, links in site.friend_links:
        options = "".join(f'<option value="{url}">{esc(name)}</option>' for name, url in links)
        out.append(
            f'<select onchange="window.open(this.value)"><option value="">{esc(group)}</option>'
            f"{options}</select>"
        )
    return "\n".join(out)


def _badges(site: SiteInfo) -> str:
    c = site.conac
    return (
        f'<span id="_ideConac"></span><script type="text/javascript">document.write(unescape('
        f"\"%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/{c[:2]}/{c[2:5]}/"
        f"{c[5:9]}/{c}.js' type='text/javascript'%3E%3C/script%3E\"));</script>\n"
        f'<script id="_jiucuo_" sitecode="{site.site_id_code}" '
        f'src="https://pucha.kaipuyun.cn/exposure/jiucuo.js"></script>'
    )


def _footer_lines(site: SiteInfo, rng: random.Random) -> list[str]:
    record = site.police.split()[-1].rstrip("号")
    lines = [
        '<a href="/">返回首页</a> | <a href="/wzsm.html">网站声明</a> | <a href="/lxwm.html">联系我们</a>'
        ' | <a href="/sitemap.html">网站地图</a> | <a href="/help.html">帮助</a>',
        f"主办单位：{esc(site.sponsor)}&nbsp;&nbsp;联系电话：{site.phone}",
        f"地址：{esc(site.address)}",
        f'网站标识码：{site.site_id_code}&nbsp;&nbsp;<a href="https://beian.miit.gov.cn/" '
        f'target="_blank">{esc(site.icp)}</a>',
        f'<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={record}" '
        f'target="_blank">{esc(site.police)}</a>',
        esc(site.tech_support),
    ]
    if rng.random() < 0.3:
        del lines[2]
    return lines


def _toolbar(rng: random.Random) -> str:
    extra = '<span class="tips" style="display:none">请按F11切换大界面模式，ALT+数字 快捷键</span>'
    return (
        '<div class="top-bar"><div class="top-bar-l">欢迎访问！</div><div class="top-bar-r">'
        '<a href="javascript:void(0);" id="cniil_wza">无障碍浏览</a> | '
        '<a href="javascript:void(0);" class="elder-mode">长者版</a> | '
        '<a href="javascript:void(0);" id="StranLink">繁體版</a>'
        + (extra if rng.random() < 0.5 else "")
        + "</div></div>"
    )


def _share(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return (
            '<div class="bdsharebuttonbox"><span>分享到：</span><a href="#" class="bds_weixin" '
            'data-cmd="weixin" title="分享到微信"></a><a href="#" class="bds_tsina" data-cmd="tsina" '
            'title="分享到新浪微博"></a><a href="#" class="bds_qzone" data-cmd="qzone" '
            'title="分享到QQ空间"></a></div>\n<script>window._bd_share_config={"common":{"bdSnsKey":{},'
            '"bdText":"","bdMini":"2","bdPic":"","bdStyle":"0","bdSize":"16"},"share":{}};'
            "with(document)0[(getElementsByTagName('head')[0]||body).appendChild(createElement('script'))"
            ".src='http://bdimg.share.baidu.com/static/api/js/share.js?v=89860593.js'];</script>"
        )
    return (
        '<div class="jiathis_style"><span class="jiathis_txt">分享到：</span>'
        '<a class="jiathis_button_weixin"></a><a class="jiathis_button_tsina"></a>'
        '<a class="jiathis_button_qzone"></a></div>\n'
        '<script type="text/javascript" src="http://v3.jiathis.com/code/jia.js"></script>'
    )


def _prev_next(page: _Page, fmt: str) -> str:
    prev, nxt = page.prev_next
    return fmt.format(
        prev=f'<a href="./t{page.doc_id - 3}.html">{esc(prev)}</a>',
        next=f'<a href="./t{page.doc_id + 5}.html">{esc(nxt)}</a>',
    )


def _attachment_lines(page: _Page) -> str:
    if not page.attachments:
        return ""
    links = "<br/>".join(
        f'<a href="{esc(href)}" target="_blank">{esc(text)}</a>' for href, text in page.attachments
    )
    return f'<p class="fj">附件：{links}</p>'


def _info_fields(page: _Page, rng: random.Random, labels: tuple[str, str]) -> list[str]:
    fields = []
    if page.pub is not None:
        fields.append(f"{labels[0]}{_date_text(page.pub, rng)}")
    if page.source:
        fields.append(f"{labels[1]}{esc(page.source)}")
    return fields


def _metadata_rows(page: _Page, date_label: str = "发布日期") -> list[tuple[str, str]]:
    rows = [("索引号", page.index_no)]
    if page.organ:
        rows.append(("发布机构", page.organ))
    rows.append(("名称", page.title))
    rows.append(("文号", ""))
    rows.append(("主题分类", "政务公开"))
    if page.pub is not None:
        rows.append((date_label, page.pub.strftime("%Y-%m-%d")))
    return rows


def _metadata_table(page: _Page, cls: str, title: str = "") -> str:
    if not page.metadata_table:
        return ""
    rows = _metadata_rows(page)
    cells = "".join(f"<tr><th>{esc(k)}：</th><td>{esc(v)}</td></tr>" for k, v in rows)
    caption = f"<caption>{esc(title)}</caption>" if title else ""
    return f'<div class="{cls}"><table>{caption}{cells}</table></div>'


def _nav(site: SiteInfo) -> str:
    return "".join(f'<li><a href="/{i}/">{esc(n)}</a></li>' for i, n in enumerate(site.nav))


# --- The families ---------------------------------------------------------------------


def _trs(page: _Page, rng: random.Random) -> str:
    site = page.site
    editor = rng.choice(
        (
            ('<div class="TRS_Editor">', "</div>"),
            ('<div class="TRS_Editor"><div class="Custom_UnionStyle">', "</div></div>"),
            ('<div class="view TRS_UEDITOR trs_paper_default trs_word">', "</div>"),
        )
    )
    info = "&nbsp;&nbsp;".join(_info_fields(page, rng, ("发布时间：", "来源：")))
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{esc(page.title)}_{esc(page.crumbs[-1])}_{esc(site.name)}</title>
{_meta_tags(page)}
<link href="../../../images/common.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="../../../images/jquery-1.8.3.min.js"></script>
</head>
<body>
{_toolbar(rng) if page.toolbar else ""}
<div class="header"><div class="logo"><img src="../../../images/logo.png" alt="{esc(site.name)}" /></div>
<div class="search"><form name="trssearchform" action="/govsearch/simp_gov_list.jsp" method="post" target="_blank">
<input type="text" name="SearchWord" value="" /><input type="submit" value="搜索" /></form></div></div>
<div class="nav"><ul>{_nav(site)}</ul></div>
<div class="main">
<div class="position">当前位置：{_crumbs(page, "&nbsp;&gt;&nbsp;", "CurrChnlCls")}</div>
{_metadata_table(page, "xxgk-info")}
<div class="article">
<h1 class="article-title">{esc(page.title)}</h1>
<div class="article-info">{info}&nbsp;&nbsp;【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</div>
<div class="article-content">{editor[0]}
{page.body}
{editor[1]}</div>
{_attachment_lines(page)}
<div class="article-btn">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
{_share(rng)}
<div class="prev-next">{_prev_next(page, "<p>上一篇：{prev}</p><p>下一篇：{next}</p>")}</div>
</div>
</div>
<div class="footer">
<div class="links">{_selects(site)}</div>
{"<br/>".join(_footer_lines(site, rng))}
<div class="badges">{_badges(site)}</div>
</div>
</body>
</html>
"""


def _hanweb(page: _Page, rng: random.Random) -> str:
    site = page.site
    appendix = ""
    if page.attachments and rng.random() < 0.6:
        appendix = f"<script>var file_appendix='{page.attachments[0][1]}';</script>"
    elif rng.random() < 0.2:
        appendix = "<script>var file_appendix='';</script>"
    hits = (
        f'<script language="javascript" src="/module/visitcount/articlehits.jsp?'
        f'colid={page.column_id}&amp;artid={page.doc_id}"></script>'
    )
    info = "&nbsp;&nbsp;".join(_info_fields(page, rng, ("发布日期：", "信息来源：")))
    metadata = _metadata_table(page, "xxgk_table", "信息公开元数据" if rng.random() < 0.5 else "")
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(site.name)} {esc(page.crumbs[-1])} {esc(page.title)}</title>
{_meta_tags(page)}
<script type="text/javascript" src="/script/jquery.min.js"></script>
<script type="text/javascript" src="/script/hanweb.js"></script>
<script>var columnid={page.column_id};var unitid='{page.doc_id % 1000000}';</script>
</head>
<body>
<!-- Produced By 大汉网络 大汉版通发布系统 -->
{_toolbar(rng) if page.toolbar else ""}
<div class="top"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{esc(site.name)}"></a></div></div>
<div class="nav"><ul>{_nav(site)}</ul></div>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td class="bt_link">当前位置：{_crumbs(page, "&nbsp;&gt;&nbsp;", "bt_link")}</td></tr>
</table>
{metadata}
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="bt_content_w">
<tr><td class="title" align="center">{esc(page.title)}</td></tr>
<tr><td class="info" align="center">{info}&nbsp;&nbsp;浏览次数：{hits}&nbsp;&nbsp;字号：[ <a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(12)">小</a> ]</td></tr>
<tr><td>
<div id="zoom" class="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{page.body}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->{appendix}</div>
{_attachment_lines(page)}
</td></tr>
<tr><td align="right">[ <a href="javascript:window.print()">打印本页</a> ] [ <a href="javascript:window.opener=null;window.open('','_self');window.close();">关闭窗口</a> ]</td></tr>
</table>
{_prev_next(page, '<div class="prev-next"><span>上一篇：{prev}</span><span>下一篇：{next}</span></div>')}
{_share(rng)}
<div class="footer">
<div class="yqlj">{_selects(site)}</div>
<p>{"</p><p>".join(_footer_lines(site, rng))}</p>
{_badges(site)}
</div>
</body>
</html>
"""


def _vsb(page: _Page, rng: random.Random) -> str:
    site = page.site
    owner = 1000000000 + page.column_id
    fields = _info_fields(page, rng, ("发布时间：", "来源："))
    info = "&nbsp;&nbsp;".join([*fields[:1], "作者：", *fields[1:]])
    attach = "".join(
        f'<li>附件【<a href="{esc(href)}" target="_blank">{esc(text)}</a>】已下载<span id="nattach{page.doc_id + i}">'
        f'<script language="javascript">getClickTimes({page.doc_id + i},{owner},"wbnewsfile","attach")</script></span>次</li>'
        for i, (href, text) in enumerate(page.attachments)
    )
    editable = (
        '<!--#begineditable name="{0}" action="" layout="" tpltype="" contype="" clone="" '
        'viewid="" contentviewid="" tagname="{0}"-->'
    )
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<HTML><HEAD><TITLE>{esc(page.title)}-{esc(site.name)}</TITLE>
<META Name="keywords" Content="{esc(site.name)},{esc(page.title)}" />
{_meta_tags(page)}
<!--Announced by Visual SiteBuilder 9-->
<link rel="stylesheet" type="text/css" href="../../_sitegray/_sitegray_d.css" />
<script language="javascript" src="../../_sitegray/_sitegray.js"></script>
<!-- CustomerNO:7765626265723230747a475c5250544700010001 -->
<link rel="stylesheet" type="text/css" href="../../content.vsb.css" />
<script type="text/javascript" src="/system/resource/js/counter.js"></script>
<script type="text/javascript">_jsq_({page.column_id},'/content.jsp',{page.doc_id},{owner})</script>
</HEAD>
<body>
{_toolbar(rng) if page.toolbar else ""}
<div class="header"><img src="../../images/banner.jpg" /></div>
<div class="nav"><ul>{_nav(site)}</ul></div>
<div class="main">
{editable.format("当前位置")}
<div class="dqwz">当前位置: {_crumbs(page, " &gt;&gt; ")}</div>
<!--#endeditable-->
{editable.format("文章内容")}
<script language="javascript" src="/system/resource/js/dynclicks.js"></script><script language="javascript" src="../../_dwr/interface/NewsvoteDWR.js"></script><script language="javascript" src="../../_dwr/engine.js"></script><script language="javascript" src="/system/resource/js/news/newscontent.js"></script>
<form name="_newscontent_fromname">
<div class="content-title"><h1>{esc(page.title)}</h1>
<div class="info">{info}&nbsp;&nbsp;点击：<script>_showDynClicks("wbnews", {owner}, {page.doc_id})</script>&nbsp;&nbsp;【字体：<a href="javascript:fontZoom(16)">大</a> <a href="javascript:fontZoom(14)">中</a> <a href="javascript:fontZoom(12)">小</a>】</div></div>
{_metadata_table(page, "xxgk-meta")}
<div id="vsb_content"><div class="v_news_content">
{page.body}
</div></div>
<div id="div_vote_id"></div>
<ul style="list-style-type:none;">{attach}</ul>
<div class="print">【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>
</form>
<!--#endeditable-->
{_share(rng)}
{_prev_next(page, '<div class="pn"><p>上一条：{prev}</p><p>下一条：{next}</p></div>')}
</div>
<div class="footer"><div class="links">{_selects(site)}</div>
<p>{"</p><p>".join(_footer_lines(site, rng))}</p>
{_badges(site)}</div>
</body>
</HTML>
"""


def _epoint(page: _Page, rng: random.Random) -> str:
    site = page.site
    # Epoint always shows its #symbol block (the date only where the page states one).
    cells = "".join(
        f'<tr><td class="ewb-symbol-l">{esc(k)}：</td><td class="ewb-symbol-r">{esc(v)}</td></tr>'
        for k, v in _metadata_rows(page, "生成日期")
    )
    symbol = f'<div id="symbol" class="ewb-article-symbol"><table>{cells}</table></div>'
    sources = "".join(
        f"<span>{f}</span>" for f in _info_fields(page, rng, ("发布时间：", "来源："))
    )
    attach = ""
    if page.attachments:
        items = "".join(
            f'<li><a href="{esc(h)}" target="_blank">{esc(t)}</a></li>' for h, t in page.attachments
        )
        attach = f'<div class="ewb-article-attach"><h4>附件：</h4><ul>{items}</ul></div>'
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<meta name="renderer" content="webkit">
<title>{esc(page.title)}</title>
{_meta_tags(page)}
<link rel="stylesheet" href="/css/common.css">
<link rel="stylesheet" href="/css/article.css">
<script src="/js/lib/jquery.js"></script>
</head>
<body>
{_toolbar(rng) if page.toolbar else ""}
<div class="ewb-header"><div class="ewb-container"><a class="ewb-logo" href="/"><img src="/images/logo.png" alt="{esc(site.name)}"></a></div></div>
<div class="ewb-nav"><ul class="ewb-nav-items">{_nav(site)}</ul></div>
<div class="ewb-container">
<div class="ewb-location"><span class="ewb-location-icon"></span>当前位置：{_crumbs(page, " &gt; ")}</div>
<div class="ewb-article">
{symbol}
<h2 class="ewb-article-tt">{esc(page.title)}</h2>
<div class="ewb-article-sources">{sources}<span>浏览次数：<span id="infoViewCount"></span></span><span>【字体：<a href="javascript:;" class="big">大</a> <a href="javascript:;" class="mid">中</a> <a href="javascript:;" class="sml">小</a>】</span></div>
<div class="ewb-article-detail" id="mainContent">
{page.body}
</div>
{attach}
<div class="ewb-article-btns"><a href="javascript:window.print();">【打印】</a><a href="javascript:window.close();">【关闭】</a></div>
{_share(rng)}
{_prev_next(page, '<div class="ewb-article-turn"><p>上一篇：{prev}</p><p>下一篇：{next}</p></div>')}
</div>
</div>
<div class="ewb-footer"><div class="ewb-links">{_selects(site)}</div>
<p>{"</p><p>".join(_footer_lines(site, rng))}</p>
{_badges(site)}</div>
</body>
</html>
"""


def _nfcms(page: _Page, rng: random.Random) -> str:
    site = page.site
    classify = ""
    if page.metadata_table:
        rows = _metadata_rows(page)
        cells = "".join(
            f'<tr><td class="td-label">{esc(k)}：</td><td class="td-value">{esc(v)}</td></tr>'
            for k, v in rows
        )
        classify = f'<div class="classify"><table class="table-info">{cells}</table></div>'
    info = "".join(f"<span>{f}</span>" for f in _info_fields(page, rng, ("发布日期：", "来源：")))
    article_meta = f'<meta name="ArticleId" content="{page.doc_id}">'
    return f"""<!DOCTYPE html>
<html>
<head>
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(page.title)}-{esc(site.name)}</title>
{_meta_tags(page)}
{article_meta}
<link rel="stylesheet" href="/images/nfcms/common.css">
<script>var _CONFIG = {{SID: '{site.site_id_code[-6:]}', POST_ID: '{page.doc_id}'}};</script>
</head>
<body>
{_toolbar(rng) if page.toolbar else ""}
<div class="header"><div class="logo"><img src="/images/logo.png" alt="{esc(site.name)}"></div></div>
<div class="nav"><ul>{_nav(site)}</ul></div>
<div class="main">
<div class="position">当前位置：{_crumbs(page, " &gt; ")}</div>
{classify}
<div class="news_cont_d_tit"><h1>{esc(page.title)}</h1></div>
<div class="news_cont_d_info">{info}<span class="font">字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a></span></div>
<div class="news_cont_d_wrap">
{page.body}
</div>
{_attachment_lines(page)}
<div class="news_cont_d_tool">{_share(rng)}<a href="javascript:window.print();">打印</a> <a href="javascript:window.close();">关闭</a></div>
{_prev_next(page, '<div class="news_cont_d_page"><p>上一篇：{prev}</p><p>下一篇：{next}</p></div>')}
</div>
<div class="footer"><div class="links">{_selects(site)}</div>
<p>{"</p><p>".join(_footer_lines(site, rng))}</p>
{_badges(site)}</div>
</body>
</html>
"""


_PLAIN_CONTAINERS: Final = (
    ('<td class="bt_content" id="fontzoom">', "</td>"),
    ('<td><div id="printArea">', "</div></td>"),
    ('<td><div class="article_zoom">', "</div></td>"),
    ('<td><div id="ivs_content">', "</div></td>"),
    ('<td><div class="xxgk_content">', "</div></td>"),
    ('<td><div class="zw-content">', "</div></td>"),
    ('<td><div id="content">', "</div></td>"),
    ('<td><div id="webeditorview" class="webeditorview">', "</div></td>"),
)


def _plain(page: _Page, rng: random.Random) -> str:
    """A hand-built or unknown CMS: layout tables, few classes, fewer meta tags."""
    site = page.site
    opening, closing = rng.choice(_PLAIN_CONTAINERS)
    info = "&nbsp;&nbsp;&nbsp;".join(_info_fields(page, rng, ("发布时间：", "来源：")))
    return f"""<html>
<head>
<title>{esc(page.title)}</title>
{_meta_tags(page)}
<style type="text/css">body{{margin:0;font-size:14px}} .title{{font-size:22px;font-weight:bold}}</style>
</head>
<body>
{_toolbar(rng) if page.toolbar else ""}
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td><img src="/images/top.jpg" width="980" height="160"></td></tr></table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td height="30">&nbsp;当前位置：{_crumbs(page, " &gt;&gt; ")}</td></tr></table>
<table width="980" border="0" align="center" cellpadding="10" cellspacing="0">
<tr><td align="center" class="title">{esc(page.title)}</td></tr>
<tr><td align="center">{info}&nbsp;&nbsp;[字体: <a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>]&nbsp;&nbsp;【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</td></tr>
<tr>{opening}
{page.body}
{closing}</tr>
<tr><td>{_attachment_lines(page)}</td></tr>
<tr><td>{_prev_next(page, "上一篇：{prev}<br/>下一篇：{next}")}</td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td align="center">
{_selects(site) if rng.random() < 0.5 else ""}
<br/>{"<br/>".join(_footer_lines(site, rng))}
{_badges(site)}
</td></tr></table>
</body>
</html>
"""


_FAMILIES: Final[dict[str, Callable[[_Page, random.Random], str]]] = {
    "trs": _trs,
    "hanweb": _hanweb,
    "vsb": _vsb,
    "epoint": _epoint,
    "nfcms": _nfcms,
    "plain": _plain,
}


# --- Pages ------------------------------------------------------------------------------


@cache
def _township_names(county_code: str) -> tuple[str, ...]:
    return tuple(d.name for d in divisions().townships(county_code))


def _neighbour_titles(county_code: str, year: int, rng: random.Random) -> tuple[str, str]:
    names = _township_names(county_code) or ("人民政府办公室",)
    a, b = rng.choice(names), rng.choice(names)
    return (
        f"{a}{year}年政府信息公开工作年度报告",
        f"{b}{year}年度政府信息公开工作年度报告",
    )


_MODES_CUM: Final = cumulative((0.75, 0.15, 0.10))


def _page(
    rng: random.Random,
    *,
    title: str,
    body: str,
    site: SiteInfo,
    year: int | None,
    pub: dt.date | None,
    organ: str | None,
    signed: bool,
    attachments: Sequence[Attachment],
    unit_group: str | None = None,
) -> _Page:
    """Decide where the page states its metadata, and the per-page ids.

    Most pages state the date in the meta tags and the info bar; some only in the
    info bar (no meta tags), and some signed reports only in the signature.
    """
    mode = pick(rng, ("full", "info_only", "signature_only"), _MODES_CUM)
    if mode == "signature_only" and not signed:
        mode = "full"
    year_of_index = (pub or dt.date(2000, 1, 1)).year
    crumbs = list(site.column_path)
    if unit_group and rng.random() < 0.4:
        crumbs.append(unit_group)
    if year is not None and rng.random() < 0.6:
        crumbs.append(f"{year}年")
    when = None
    if pub is not None and mode != "signature_only":
        when = dt.datetime(
            pub.year, pub.month, pub.day, rng.randint(8, 18), rng.randrange(60), rng.randrange(60)
        )
    doc_id = rng.randint(1000000, 9999999)
    return _Page(
        title=title,
        body=body,
        site=site,
        crumbs=tuple(crumbs),
        pub=when,
        source=organ if (not signed or rng.random() < 0.8) else None,
        organ=organ,
        meta=mode != "info_only",
        metadata_table=mode != "signature_only" and rng.random() < 0.5,
        index_no=(
            f"{site.county_code}{rng.randrange(1000):03d}"
            if rng.random() < 0.5
            else f"11{site.county_code}{rng.randrange(10**9):09d}X"  # 统一社会信用代码
        )
        + f"/{year_of_index}-{rng.randrange(100000):05d}",
        doc_id=doc_id,
        column_id=rng.choice((rng.randint(1000, 99999), rng.randint(1229000000, 1229999999))),
        attachments=tuple(attachments),
        prev_next=_neighbour_titles(site.county_code, year or 2022, rng),
        toolbar=rng.random() < 0.5,
    )


def _unit_group(report: SyntheticReport) -> str:
    return {"township": "乡镇（街道）", "department": "部门", "county": "区县政府"}[report.level]


def _family(chrome: str) -> Callable[[_Page, random.Random], str]:
    try:
        return _FAMILIES[chrome]
    except KeyError:
        raise ValueError(f"unknown chrome style: {chrome!r}") from None


def render_page(
    report: SyntheticReport,
    *,
    layout: str,
    chrome: str,
    rng: random.Random,
    site: SiteInfo | None = None,
    attachments: Sequence[Attachment] = (),
) -> str:
    """A full detail page: the report in ``layout`` inside the ``chrome`` family's markup.

    ``attachments`` adds 附件 links (href, text) the way the family shows them.
    """
    family = _family(chrome)
    site = site or site_info(report.unit.county_code, rng)
    body = render_body(report, layout, rng)
    page = _page(
        rng,
        title=report.title,
        body=body,
        site=site,
        year=report.year,
        pub=report.publish_date,
        organ=report.organ,
        signed=report.style.signature == "full",
        attachments=attachments,
        unit_group=_unit_group(report),
    )
    return family(page, rng)


def image_names(report: SyntheticReport, rng: random.Random, pages: int) -> list[str]:
    """TRS-style image file names (./W0<date><digits>.jpg) of an image-only report."""
    stamp = report.publish_date.strftime("%Y%m%d")
    return [f"W0{stamp}{rng.randrange(10**9):09d}{i}.jpg" for i in range(pages)]


def render_image_page(
    report: SyntheticReport,
    *,
    chrome: str,
    rng: random.Random,
    site: SiteInfo | None = None,
) -> str:
    """图片版: the body is only the scanned pages as ``<img>`` (and maybe the title)."""
    family = _family(chrome)
    site = site or site_info(report.unit.county_code, rng)
    images = image_names(report, rng, rng.randint(2, 7))
    imgs = "\n".join(
        f'<p style="text-align: center;"><img src="./{name}" oldsrc="{name}" '
        f'style="width:100%;" alt="" /></p>'
        for name in images
    )
    if rng.random() < 0.3:
        imgs = f'<p style="text-align: center;"><strong>{esc(report.title)}</strong></p>\n{imgs}'
    page = _page(
        rng,
        title=report.title,
        body=imgs,
        site=site,
        year=report.year,
        pub=report.publish_date,
        organ=report.organ,
        signed=False,  # the signature is in the images, so the chrome must carry the metadata
        attachments=(),
        unit_group=_unit_group(report),
    )
    return family(page, rng)


# --- The real seeds behind chrome ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeedMeta:
    title: str
    page_title_only: bool  # the seed has no title line: the title is in the page chrome only
    publish_date: dt.date | None
    county_code: str
    year: int


SEEDS: Final[dict[str, SeedMeta]] = {
    "000_aab5423710c0abba": SeedMeta("定州市东亭镇2021年政府信息公开工作年度报告", False, None, "130682", 2021),
    "001_efa573f4a08b13d9": SeedMeta("民权县北关镇人民政府2021年政府信息公开工作年度报告", False, None, "411421", 2021),
    "002_be8646bbc2c5aa8c": SeedMeta("昌图县昌图镇人民政府2022年政府信息公开工作年度报告", True, dt.date(2022, 12, 23), "211224", 2022),
    "003_1ba8087be046e4e5": SeedMeta("2020年马鹿沟镇政府信息公开工作年度报告", False, dt.date(2021, 1, 4), "220623", 2020),
    "004_1547371ff49f8649": SeedMeta("东安区人民政府办公室2021年政府信息公开工作年度报告", False, dt.date(2022, 1, 29), "231002", 2021),
}  # fmt: skip


def seed_body(text: str) -> str:
    """A seed's lines as paragraphs: tabs kept as tab characters, NBSP as ``&nbsp;``."""
    return "\n".join(
        f"<p>{esc(line).replace(chr(0xA0), '&nbsp;')}</p>" for line in text.split("\n")
    )


def seed_page(stem: str, *, chrome: str, rng: random.Random, site: SiteInfo | None = None) -> str:
    """One of the five real seeds served behind ``chrome``: every seed line a ``<p>``."""
    family = _family(chrome)
    try:
        meta = SEEDS[stem]
    except KeyError:
        raise ValueError(f"unknown seed: {stem!r}") from None
    text = seed_texts()[stem]
    site = site or site_info(meta.county_code, rng)
    page = _page(
        rng,
        title=meta.title,
        body=seed_body(text),
        site=site,
        year=meta.year,
        pub=meta.publish_date,
        organ=None,  # only what the seed itself says
        signed=False,  # the info bar keeps the seed's date where it has one
        attachments=(),
    )
    return family(page, rng)
