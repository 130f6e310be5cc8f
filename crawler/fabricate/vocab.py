"""Small vocabularies shared by the generators: provinces, telephone area codes, names."""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Final

# Province code → the one-character abbreviation used in ICP and 公网安备 numbers.
PROVINCE_ABBR: Final[dict[str, str]] = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "蜀", "52": "黔", "53": "滇", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}  # fmt: skip

# Province code → long-distance area codes found in that province (a sample, for plausibility).
AREA_CODES: Final[dict[str, tuple[str, ...]]] = {
    "11": ("010",), "12": ("022",), "31": ("021",), "50": ("023",), "46": ("0898",),
    "13": ("0311", "0312", "0313", "0314", "0315", "0316", "0317", "0318", "0319", "0310", "0335"),
    "14": ("0351", "0352", "0353", "0354", "0355", "0356", "0357", "0358", "0359", "0350"),
    "15": ("0471", "0472", "0473", "0474", "0475", "0476", "0477", "0470", "0482", "0483"),
    "21": ("024", "0411", "0412", "0413", "0414", "0415", "0416", "0417", "0418", "0419", "0421"),
    "22": ("0431", "0432", "0433", "0434", "0435", "0436", "0437", "0438", "0439"),
    "23": ("0451", "0452", "0453", "0454", "0455", "0456", "0457", "0458", "0459", "0464"),
    "32": ("025", "0510", "0511", "0512", "0513", "0514", "0515", "0516", "0517", "0518", "0519"),
    "33": ("0571", "0572", "0573", "0574", "0575", "0576", "0577", "0578", "0579", "0570"),
    "34": ("0551", "0552", "0553", "0554", "0555", "0556", "0557", "0558", "0559", "0550"),
    "35": ("0591", "0592", "0593", "0594", "0595", "0596", "0597", "0598", "0599"),
    "36": ("0791", "0792", "0793", "0794", "0795", "0796", "0797", "0798", "0799", "0790"),
    "37": ("0531", "0532", "0533", "0534", "0535", "0536", "0537", "0538", "0539", "0530"),
    "41": ("0371", "0372", "0373", "0374", "0375", "0376", "0377", "0378", "0379", "0370"),
    "42": ("027", "0710", "0711", "0712", "0713", "0714", "0715", "0716", "0717", "0718"),
    "43": ("0731", "0734", "0735", "0736", "0737", "0738", "0739", "0743", "0744", "0745"),
    "44": ("020", "0755", "0756", "0757", "0758", "0759", "0760", "0762", "0763", "0768"),
    "45": ("0771", "0772", "0773", "0774", "0775", "0776", "0777", "0778", "0779", "0770"),
    "51": ("028", "0812", "0813", "0816", "0817", "0818", "0825", "0826", "0827", "0830"),
    "52": ("0851", "0852", "0853", "0854", "0855", "0856", "0857", "0858", "0859"),
    "53": ("0871", "0870", "0872", "0873", "0874", "0875", "0876", "0877", "0878", "0879"),
    "54": ("0891", "0892", "0893", "0894", "0895", "0896", "0897"),
    "61": ("029", "0911", "0912", "0913", "0914", "0915", "0916", "0917", "0919"),
    "62": ("0931", "0932", "0933", "0934", "0935", "0936", "0937", "0938", "0939", "0941"),
    "63": ("0971", "0972", "0973", "0974", "0975", "0976", "0977", "0979"),
    "64": ("0951", "0952", "0953", "0954", "0955"),
    "65": ("0991", "0990", "0992", "0993", "0994", "0995", "0996", "0997", "0998", "0999"),
}  # fmt: skip

SURNAMES: Final = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
    "余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯史陶"
    "贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN_NAMES: Final = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀兰", "霞", "平", "刚", "建国", "晓东", "海燕", "春梅", "志强", "文博", "雪",
)  # fmt: skip
# Characters in GBK but not in GB2312, common in names: a page declared gb2312 that
# contains one of them is lying about its charset (portals.md §4).
GBK_ONLY_GIVEN_NAMES: Final = (
    "喆", "堃", "镕", "玥", "珺", "昇", "彧", "翀", "焜", "垚", "瑄", "璟", "祎", "赟", "旻",
    "子喆", "一堃", "佳玥", "思彧", "瑄妍",
)  # fmt: skip


def area_code(province_code: str, rng: random.Random) -> str:
    return rng.choice(AREA_CODES.get(province_code[:2], ("0310",)))


def phone(province_code: str, rng: random.Random) -> str:
    code = area_code(province_code, rng)
    digits = 8 if len(code) == 3 else 7
    return f"{code}-{rng.randint(2, 8)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"


def person_name(rng: random.Random, *, gbk_only: bool = False) -> str:
    given = GBK_ONLY_GIVEN_NAMES if gbk_only else GIVEN_NAMES
    return rng.choice(SURNAMES) + rng.choice(given)


@lru_cache(maxsize=8192)
def is_gbk_only(char: str) -> bool:
    """True for a character GBK can encode and GB2312 cannot."""
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        try:
            char.encode("gbk")
        except UnicodeEncodeError:
            return False
        return True
    return False


def gbk_only_chars(text: str) -> str:
    """The characters of ``text`` (in order, once each) that are in GBK but not in GB2312."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        pass
    else:
        return ""
    seen: dict[str, None] = {}
    for char in text:
        if ord(char) > 0x7F and char not in seen and is_gbk_only(char):
            seen[char] = None
    return "".join(seen)
