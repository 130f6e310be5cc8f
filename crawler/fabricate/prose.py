"""The prose of a report: sections 一 (总体情况), 五 (问题及改进), 六 (其他事项) and short
intros for the table sections, written from phrase banks in the register of real
reports (our own sentences; the seeds only taught the shape).

Every section text is its paragraphs joined by ``\\n``, exactly as renderings
print them one paragraph per line or ``<p>``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from crawler.fabricate.style import ReportStyle
from crawler.fabricate.units import Unit, self_reference
from crawler.fabricate.vocab import person_name, phone

_HALF_PUNCT: Final = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")"})


@dataclass(frozen=True, slots=True)
class _Ctx:
    me: str  # 我镇, 我局 …
    org: str
    short: str
    county: str
    upper: str  # 县委、县政府 …
    portal: str
    year: int
    n_pub: int
    n_new: int
    n_granted: int
    n_docs: int
    n_train: int
    n_items: int

    def fill(self, text: str) -> str:
        return text.format(
            me=self.me,
            org=self.org,
            short=self.short,
            county=self.county,
            upper=self.upper,
            portal=self.portal,
            year=self.year,
            next_year=self.year + 1,
            n_pub=self.n_pub,
            n_new=self.n_new,
            n_granted=self.n_granted,
            n_docs=self.n_docs,
            n_train=self.n_train,
            n_items=self.n_items,
        )


_INTROS: Final = (
    "{year}年，{org}认真贯彻落实《中华人民共和国政府信息公开条例》（以下简称《条例》），"
    "按照{upper}关于政务公开工作的部署要求，坚持以公开为常态、不公开为例外，"
    "不断提升政府信息公开工作质量，现将有关情况报告如下。",
    "本报告依据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》的要求编制，"
    "所列数据的统计期限为{year}年1月1日至{year}年12月31日。",
    "{year}年，{me}在{upper}的坚强领导下，紧紧围绕全年中心工作，扎实推进政府信息公开各项工作，"
    "公开的质量和实效进一步提升。",
    "{year}年以来，{me}以群众需求为导向，把政务公开贯穿于决策、执行、管理、服务、结果各环节，"
    "全年政府信息公开工作平稳有序开展。",
)

# (subsection titles, contents) for the five parts of 总体情况.
_PARTS: Final[tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = (
    (
        ("主动公开情况", "主动公开政府信息情况", "围绕中心工作，加大主动公开力度"),
        (
            "全年通过{portal}主动公开各类政府信息{n_pub}条，内容涵盖机构职能、政策文件、财政预决算、"
            "乡村振兴、社会救助等重点领域。",
            "{me}严格落实主动公开基本目录，及时更新机构设置、领导分工、工作动态等信息，"
            "全年累计发布信息{n_pub}条，做到应公开尽公开。",
            "聚焦群众关切，重点做好惠民惠农资金、就业创业、安全生产等领域信息公开，"
            "全年主动公开信息{n_pub}条，其中政策解读类信息{n_docs}条。",
            "按照基层政务公开标准目录，梳理形成主动公开事项{n_items}项，"
            "通过门户网站、公示栏、微信公众号等渠道同步发布。",
        ),
    ),
    (
        ("依申请公开情况", "依申请公开办理情况", "规范依申请公开办理"),
        (
            "全年共收到政府信息公开申请{n_new}件，均在法定期限内予以答复，未发生因依申请公开引起的行政复议和行政诉讼。",
            "{me}严格执行登记、审核、办理、答复、归档的工作流程，{year}年共受理政府信息公开申请{n_new}件，"
            "其中予以公开{n_granted}件。",
            "{year}年{me}未收到政府信息公开申请。进一步完善了依申请公开受理渠道，"
            "在办公场所公布受理地点、联系电话和申请表格。",
        ),
    ),
    (
        ("政府信息管理情况", "加强政府信息管理", "政府信息资源规范化、标准化管理情况"),
        (
            "严格落实信息发布保密审查制度，坚持“先审查、后公开”和“一事一审”，"
            "全年未发生泄密和不当公开事件。",
            "对现行有效的规范性文件进行清理，及时标注文件有效性，全年清理文件{n_docs}件，"
            "实现政策文件集中统一公开。",
            "建立健全信息发布三级审核机制，由经办人员初审、分管负责同志复审、主要负责同志终审，"
            "确保公开信息准确规范。",
        ),
    ),
    (
        ("平台建设情况", "政府信息公开平台建设情况", "强化公开平台建设"),
        (
            "依托{portal}政府信息公开专栏，按照统一的栏目规范更新维护信息，"
            "同时在便民服务中心设置政务公开专区，方便群众现场查阅。",
            "充分利用政务新媒体、村务公开栏、电子显示屏等载体，拓宽信息公开渠道，"
            "提升信息的可获取性。",
            "配合做好政府网站集约化工作，对栏目设置进行调整优化，"
            "及时删除过期信息，全年网站运行平稳。",
        ),
    ),
    (
        ("监督保障情况", "监督保障及教育培训情况", "强化组织保障"),
        (
            "成立政务公开工作领导小组，由主要负责同志任组长，明确专人负责信息公开日常工作，"
            "全年组织业务培训{n_train}次。",
            "将政务公开工作纳入年度目标考核，定期开展自查整改，对发现的问题即知即改，"
            "全年未发生责任追究情况。",
            "积极参加{upper}组织的政务公开业务培训{n_train}次，不断提升工作人员的业务能力和保密意识。",
        ),
    ),
)

_PROBLEMS: Final = (
    "一是信息公开的及时性有待提高，部分信息更新不够及时；二是政策解读的形式较为单一，"
    "图解、视频等解读方式运用不多；三是工作人员业务水平还需进一步提升。",
    "{me}政府信息公开工作虽然取得了一定成效，但与群众的期待相比还存在差距：公开内容不够全面，"
    "主动公开的深度和广度有待加强，基层公开载体的作用发挥不够充分。",
    "一是部分重点领域信息公开不够细化；二是依申请公开办理的规范化水平有待提高；"
    "三是信息公开队伍人员变动较大，专业力量相对薄弱。",
    "存在的问题主要是对政务公开工作的重视程度仍需加强，信息公开的规范性和标准化水平还有提升空间，"
    "回应社会关切的主动性不够。",
)
_IMPROVEMENTS: Final = (
    "{next_year}年，{me}将进一步加强组织领导，落实专人专责，及时更新公开内容，"
    "提高信息公开的时效性和准确性。",
    "下一步，{me}将丰富政策解读形式，围绕群众关心的热点问题做好解读和回应，"
    "增强政务公开的针对性和实效性。",
    "加强业务学习培训，定期组织工作人员学习《条例》和相关业务知识，"
    "不断提高政府信息公开工作的规范化水平。",
    "持续推进基层政务公开标准化规范化建设，动态调整公开事项标准目录，"
    "推动公开内容覆盖权力运行全流程。",
)
_PROBLEM_HEADS: Final = (
    ("（一）存在的主要问题", "（二）改进措施"),
    ("（一）存在问题", "（二）下一步工作"),
)

_OTHER: Final = (
    "无。",
    "无",
    "本年度未收取信息处理费。",
    "{year}年度{me}未发生收取信息处理费的情况。",
    "依据《政府信息公开信息处理费管理办法》，本年度{me}未收取信息处理费，无其他需要报告的事项。",
    "本年度无其他需要报告的事项。",
)
_CONTACT: Final = (
    "如对本报告有疑问，请与{org}联系，联系人：{person}，联系电话：{phone}。",
    "本报告的电子版可在{portal}下载。如有疑问，请联系{person}，电话：{phone}。",
)

_TABLE_INTROS: Final[dict[str, tuple[str, ...]]] = {
    "二": ("本年度主动公开政府信息情况如下：", "{year}年主动公开政府信息情况统计如下。"),
    "三": (
        "{year}年，{me}共收到政府信息公开申请{n_new}件，办理情况如下：",
        "本年度依申请公开情况统计如下：",
    ),
    "四": (
        "{year}年，{me}未发生因政府信息公开引起的行政复议、行政诉讼案件。",
        "本年度政府信息公开行政复议、行政诉讼情况如下：",
    ),
}


def _upper(unit: Unit) -> str:
    county = unit.region.county or ""
    kind = county[-1] if county and county[-1] in "县区市旗" else "县"
    if unit.level == "county":
        return "上级党委、政府"
    return f"{kind}委、{kind}政府"


def _int(value: Decimal | None) -> int:
    return int(value) if value is not None else 0


def write_sections(
    rng: random.Random,
    unit: Unit,
    year: int,
    style: ReportStyle,
    cells: dict[str, Decimal | None],
    *,
    gbk_only: bool,
) -> dict[str, str]:
    """The six sections' prose (二/三/四: an intro sentence or nothing)."""
    level_pub = {"township": 300, "department": 800, "county": 4000}[unit.level]
    n_new = _int(cells.get("s3.new.total"))
    ctx = _Ctx(
        me=self_reference(unit),
        org=unit.name,
        short=unit.short_name,
        county=unit.region.county or unit.short_name,
        upper=_upper(unit),
        portal=rng.choice(
            (f"{unit.region.county or ''}人民政府门户网站", "政府信息公开平台", "政府门户网站")
        ),
        year=year,
        n_pub=rng.randint(12, level_pub),
        n_new=n_new,
        n_granted=_int(cells.get("s3.granted.total")),
        n_docs=rng.randint(1, 30),
        n_train=rng.randint(1, 6),
        n_items=rng.randint(20, 260),
    )
    sections = {
        "一": _general(rng, ctx, n_new),
        "二": "",
        "三": "",
        "四": "",
        "五": _problems(rng, ctx),
        "六": _other(rng, ctx, unit, gbk_only=gbk_only),
    }
    if style.heading_tag != "caption":  # a caption heading sits inside the table: no intro
        for key, options in _TABLE_INTROS.items():
            if rng.random() < 0.15:
                if key == "四" and not _quiet_s4(cells):
                    options = options[1:]  # "未发生…行政复议" only where section 四 is all zero
                sections[key] = ctx.fill(rng.choice(options))
    if style.half_punct:
        sections = {k: v.translate(_HALF_PUNCT) for k, v in sections.items()}
    return sections


def _quiet_s4(cells: dict[str, Decimal | None]) -> bool:
    return not any(_int(v) for k, v in cells.items() if k.startswith("s4."))


def _general(rng: random.Random, ctx: _Ctx, n_new: int) -> str:
    paragraphs: list[str] = []
    if rng.random() < 0.8:
        paragraphs.append(ctx.fill(rng.choice(_INTROS)))
    # Sub-items never take the "一、" of the section headings: （一）, 一是, 1、 (seed 001), 1.
    numbering = rng.choice(("（{}）", "{}是", "{}、", "{}."))
    chinese = numbering in ("（{}）", "{}是")
    numerals = "一二三四五六"
    inline = numbering == "{}是" or rng.random() < 0.4
    for i, (titles, contents) in enumerate(_PARTS):
        options = contents
        if i == 1:  # 依申请公开: the sentence must agree with the table
            options = contents[:2] if n_new else contents[2:]
        text = ctx.fill(rng.choice(options))
        mark = numbering.format(numerals[i] if chinese else str(i + 1))
        title = rng.choice(titles)
        if numbering == "{}是" or inline:
            paragraphs.append(f"{mark}{title}。{text}")
        else:
            paragraphs.append(f"{mark}{title}")
            paragraphs.append(text)
    return "\n".join(paragraphs)


def _problems(rng: random.Random, ctx: _Ctx) -> str:
    problem = ctx.fill(rng.choice(_PROBLEMS))
    fixes = [ctx.fill(f) for f in rng.sample(_IMPROVEMENTS, k=rng.randint(1, 3))]
    if rng.random() < 0.6:
        head_problem, head_fix = rng.choice(_PROBLEM_HEADS)
        return "\n".join([head_problem, problem, head_fix, *fixes])
    return "\n".join([problem, "".join(fixes)])


def _other(rng: random.Random, ctx: _Ctx, unit: Unit, *, gbk_only: bool) -> str:
    text = ctx.fill(rng.choice(_OTHER))
    if gbk_only or rng.random() < 0.25:
        province = unit.region.division_code or unit.division_code
        contact = rng.choice(_CONTACT).format(
            org=ctx.org,
            portal=ctx.portal,
            person=person_name(rng, gbk_only=gbk_only),
            phone=phone(province, rng),
        )
        text = contact if text.startswith("无") else f"{text}\n{contact}"
    return text
