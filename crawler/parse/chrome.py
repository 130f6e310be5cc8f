"""Portal chrome: where the content is, and what around (or inside) it is not the report.

Selectors are plain id/class names (matched in one pass over the tree, no CSS engine);
noise lines are whole-line patterns, so that a word of the report is never dropped
because it happens to contain 打印 or 联系电话.
"""

from __future__ import annotations

import re
from typing import Final

# --- content containers ------------------------------------------------------------------
# (kind, name, priority): lower priority wins. CMS-specific containers first, generic last.
CONTAINER_IDS: Final[dict[str, int]] = {
    "ivs_content": 10,
    "vsb_content": 10,
    "vsb_content_2": 10,
    "vsb_content_4": 10,
    "vsb_content_100": 10,
    "webeditorview": 12,
    "zoom": 14,
    "Zoom": 14,
    "fontzoom": 16,
    "UCAP-CONTENT": 16,
    "js_content": 18,
    "printArea": 30,
    "printContent": 30,
    "article_content": 30,
    "articleContent": 30,
    "zoomcon": 30,
    "conN": 40,
    "content": 60,
    "main-content": 60,
}
CONTAINER_CLASSES: Final[dict[str, int]] = {
    "TRS_Editor": 10,
    "Custom_UnionStyle": 11,
    "TRS_UEDITOR": 12,
    "trs_paper_default": 12,
    "v_news_content": 10,
    "ewb-article-detail": 10,
    "ewb-article-info": 90,  # Epoint's metadata block: never the content
    "news_cont_d_wrap": 10,
    "article_zoom": 12,
    "webeditorview": 12,
    "zoom": 14,
    "bt_content": 20,
    "xxgk_content": 20,
    "zw-content": 20,
    "article-content": 25,
    "article_content": 25,
    "art_content": 25,
    "detail-content": 30,
    "detail_content": 30,
    "content_text": 30,
    "zwnr": 30,
    "pages_content": 30,
    "TRS_PreAppend": 30,
}
MAX_CONTAINER_PRIORITY: Final = 89  # classes above this are known non-content blocks
# Hanweb wraps the body in these comments / metas.
HANWEB_BEGIN: Final = "ZJEG_RSS.content.begin"
HANWEB_END: Final = "ZJEG_RSS.content.end"
HANWEB_META_BEGIN: Final = "ContentStart"
HANWEB_META_END: Final = "ContentEnd"
# A known container with less text than this is a decoy (an empty TRS_Editor …).
MIN_CONTAINER_CHARS: Final = 40

# Descend into a child while it holds at least this share of its parent's text.
DENSITY_DESCEND_SHARE: Final = 0.72

# --- elements that are never content ----------------------------------------------------------
DROP_TAGS: Final = frozenset(
    {
        "script",
        "style",
        "noscript",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "canvas",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "map",
        "audio",
        "video",
    }
)
# Structural chrome anywhere (removed even inside a container).
CHROME_TAGS: Final = frozenset({"nav", "header", "footer", "aside"})
# id/class fragments of chrome blocks (lower case). An element so named is dropped when
# its text is short (see NOISE_MAX_CHARS), so a big content block misnamed "share…" stays.
NOISE_NAME_RE: Final = re.compile(
    r"share|bdshare|jiathis|fenxiang|print|dayin|close|guanbi|fontsize|font-size|font_size"
    r"|zihao|prev|next|sxp|shangxia|breadcrumb|crumb|position|location|weizhi|dqwz"
    r"|toolbar|wza|barrier|accessib|jiucuo|conac|ideconac|qrcode|erweima|ewm|footer|copyright"
    r"|banquan|navbar|topbar|header|related|xgxx|xglj|comment|pinglun|pagebar|page-bar"
    # the pager of an article split over pages ("1 2 下一页"): its numbers are no cells
    r"|page-?split|pagination|fenye|\bpager\b|\bpaging\b",
    re.IGNORECASE,
)
NOISE_MAX_CHARS: Final = 300

# --- noise lines (whole-line) -------------------------------------------------------------------
# Tokens a chrome line is made of; a line made only of these (and separators) is chrome.
# They are matched one after another from the start of the line (see noise.is_noise_line),
# never as one pattern with nested repetition: that would backtrack exponentially.
NOISE_TOKENS: Final[tuple[str, ...]] = (
    r"【?\s*(?:上一篇|下一篇|上一条|下一条)\s*】?\s*[:：]?\s*[^【】\s]{0,60}",
    r"【?\s*(?:打印(?:本页|此页|内容|正文)?|关闭(?:窗口|本页)?|返回顶部|返回首页|收藏|保存"
    r"|纠错|内容纠错|我要纠错)\s*】?",
    r"【?\s*字[体号]\s*[:：]?(?:\s*[大中小]){0,3}\s*】?",
    r"[【\[]?\s*[大中小]\s*[】\]]?",
    r"分享到\s*[:：]?",
    r"(?:扫一扫|用手机扫描|在手机上查看|手机扫码|微信扫一扫)[^。]{0,20}",
    r"(?:繁體版|繁体版|简体版|无障碍(?:浏览|阅读)?|长者版|关怀版|适老化|请按F11切换大界面模式"
    r"|ALT\s*\+\s*数字)",
    r"(?:视力保护色|阅读模式|默认|放大|缩小)",
    r"(?:浏览次数|阅读次数|访问量|点击(?:数|量|次数)?)\s*[:：]?\s*\d*",
)
NOISE_SEPARATORS: Final = r"[\s|/·•\-—_,，:：]+"
# One step of the scan: a run of separators, or one token.
NOISE_STEP_RE: Final = re.compile(
    "(?P<sep>" + NOISE_SEPARATORS + ")|(?P<tok>" + "|".join(NOISE_TOKENS) + ")"
)
# Breadcrumb: 当前位置：首页 > 政府信息公开 > …
BREADCRUMB_RE: Final = re.compile(r"^\s*(?:您的?|你的?)?(?:当前|所在)位置\s*[:：]")
# Footer markers: one of these on a short line marks it as footer chrome.
FOOTER_MARKER_RE: Final = re.compile(
    r"主办单位|承办单位|主办\s*[:：]|网站标识码|ICP\s*备|ICP证|公网安备|公安备案|技术支持|网站制作|网站维护"
    r"|站点地图|网站地图|版权所有|Copyright|©|网站声明|关于我们|联系我们|建议使用.{0,20}浏览器|分辨率"
)
FOOTER_MAX_CHARS: Final = 160
# Lines allowed between footer lines (a contact line is footer only next to other footer lines).
FOOTER_COMPANION_RE: Final = re.compile(
    r"^(?:联系电话|电话|地址|邮编|传真|E-?mail|邮箱)\s*[:：]|^(?:【?上一篇|【?下一篇)"
)

# --- info bar fields ---------------------------------------------------------------------------
INFO_FIELDS: Final[tuple[str, ...]] = (
    "索引号",
    "发布机构",
    "发布单位",
    "发文机关",
    "发文单位",
    "信息来源",
    "文章来源",
    "来源",
    "发布时间",
    "发布日期",
    "成文日期",
    "生成日期",
    "公开日期",
    "主题分类",
    "文号",
    "发文字号",
    "公开方式",
    "公开范围",
    "有效性",
    "作者",
)
_INFO_KEYS: Final = "|".join(sorted(INFO_FIELDS, key=len, reverse=True))
# A field's value stops at white space, a bracket, or the next field's name (info bars
# read as text glue their cells together: 索引号：000014348/2023-35147发布机构：…).
INFO_FIELD_RE: Final = re.compile(
    r"(?P<key>" + _INFO_KEYS + r")\s*[:：]\s*"
    r"(?P<value>(?:(?!(?:" + _INFO_KEYS + r")\s*[:：])[^\s:：【】|]){0,60}"
    r"(?:\s\d{1,2}:\d{2}(?::\d{2})?)?)"
)
# A line that is only info-bar fields, dates and toolbar words (not report text).
INFO_LINE_MAX_CHARS: Final = 200
SITE_ID_RE: Final = re.compile(r"网站标识码\s*[:：]?\s*(bm\d{8}|\d{10})")
