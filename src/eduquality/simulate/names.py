"""Fictional names: people, schools, the district and its province.

No real school is given invented results: school names are built from literary word lists that
avoid the names of real Kunming schools and streets (see :data:`REAL_SCHOOL_NAMES`, which a test
checks against). The district (华岭区), city (岭城市) and province (云岭省) are fictional.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DISTRICT_CODE = "530199"
DISTRICT_NAME = "华岭区"
CITY_NAME = "岭城市"
PROVINCE_NAME = "云岭省"

#: Real schools and place names of Kunming that must never appear in a synthetic school name.
REAL_SCHOOL_NAMES: tuple[str, ...] = (
    "昆一中", "昆三中", "昆八中", "昆十中", "昆明第一中学", "昆明第三中学", "昆明第八中学",
    "昆明第十中学", "昆明市第一中学", "云大附中", "师大附中", "云南大学附属中学",
    "云南师范大学附属中学", "长城中学", "五华", "昆明", "云南", "春城", "翠湖", "大观", "华山",
    "红云", "龙翔", "丰宁", "普吉", "黑林铺", "沙朗", "厂口", "莲华", "景星", "武成", "明通",
    "文林", "行知", "钱局", "先生坡", "西站", "护国", "北京路", "人民路", "学府路", "天君殿",
    "卧龙", "龙泉", "滇池", "圆通", "金碧", "正义路", "南屏", "北辰", "逸夫", "昆十二中", "昆十四中", "昆二十四中",
)

SURNAMES = np.array(list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱"
    "汤尹黎易常武乔贺赖龚文普者李杨段鲁施字"))
_SURNAME_WEIGHTS = 1.0 / (1.0 + np.arange(SURNAMES.size) / 12.0)
_SURNAME_WEIGHTS /= _SURNAME_WEIGHTS.sum()

GIVEN_MALE = np.array(list("浩宇轩子睿博文俊杰泽铭辰昊然宸一诺皓阳鑫志明凯磊伟强军洋鹏超涛勇斌亮华健林"
                           "天翔嘉航晨旭东峰振国兴家豪"))
GIVEN_FEMALE = np.array(list("欣怡涵雨思佳雅琪萱若彤心安晓婷静丽芳娜敏雪玲萍红霞梓诗可依语馨月菲颖妍"
                             "晨婉悦瑶琳蕾嘉慧淑"))

_SCHOOL_WORDS = (
    "春华路", "明德", "启明", "博雅", "青云", "星河", "晨曦", "文澜", "松涛", "枫林", "竹溪", "金桂",
    "银杏", "清泉", "致远", "求真", "弘毅", "思源", "尚德", "崇文", "汇英", "睿思", "朝晖", "云杉",
    "梧桐", "海棠", "兰亭", "书香", "鸿志", "凌霄", "白鹭", "青藤", "锦绣", "映山", "丹桂", "秋实",
    "春晖", "沐风", "星辰", "东篱", "西岭", "望江", "听涛", "拾光", "松柏", "桃源", "杏坛", "翰墨",
    "鹿鸣", "嘉禾", "新苗", "绿洲", "虹桥", "晴川", "云帆", "远航", "知新", "明远", "博学", "雅韵",
)
_PLACE_SUFFIX = ("", "苑", "湾", "街", "园", "坡")


def school_base_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct fictional base names (``明德``, ``青云苑`` …) in a random order."""
    combos = [w + s for s in _PLACE_SUFFIX for w in _SCHOOL_WORDS
              if not (w.endswith("路") and s)]
    if n > len(combos):
        raise ValueError(f"at most {len(combos)} schools can be named, {n} asked")
    first = rng.permutation(len(_SCHOOL_WORDS))  # plain words first, then suffixed ones
    rest = len(_SCHOOL_WORDS) + rng.permutation(len(combos) - len(_SCHOOL_WORDS))
    order = np.concatenate([first, rest])
    return [combos[i] for i in order[:n]]


def person_names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """A Chinese name per person: a surname and one or two given characters (vectorised)."""
    n = female.size
    sur = SURNAMES[rng.choice(SURNAMES.size, n, p=_SURNAME_WEIGHTS)]
    g1m, g2m = (GIVEN_MALE[rng.integers(0, GIVEN_MALE.size, n)] for _ in range(2))
    g1f, g2f = (GIVEN_FEMALE[rng.integers(0, GIVEN_FEMALE.size, n)] for _ in range(2))
    g1 = np.where(female, g1f, g1m)
    g2 = np.where(female, g2f, g2m)
    two = rng.random(n) < 0.7
    given = pd.Series(g1, dtype=object) + pd.Series(np.where(two, g2, ""), dtype=object)
    return (pd.Series(sur, dtype=object) + given).to_numpy(dtype=object)
