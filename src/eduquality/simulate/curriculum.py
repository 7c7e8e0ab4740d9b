"""Subjects examined per grade and track, and the knowledge points of each subject."""

from __future__ import annotations

#: The subjects the simulation knows (Chinese labels of eduquality.vocab.SUBJECTS).
SUBJECTS: tuple[str, ...] = (
    "语文", "数学", "英语", "物理", "化学", "生物", "思想政治", "历史", "地理", "道德与法治", "科学",
)
SUBJECT_INDEX = {s: i for i, s in enumerate(SUBJECTS)}

SCIENCE_TRACK = ("语文", "数学", "英语", "物理", "化学", "生物")
ARTS_TRACK = ("语文", "数学", "英语", "思想政治", "历史", "地理")
#: 3+1+2: the three subjects every candidate takes
NEW_CORE = ("语文", "数学", "英语")


def subjects_for(grade: int, track: str | None = None) -> tuple[str, ...]:
    """Subjects examined in ``grade`` (for grades 11–12 by track 理科/文科)."""
    if grade <= 2:
        return ("语文", "数学")
    if grade <= 6:
        return ("语文", "数学", "英语", "科学")
    if grade == 7:
        return ("语文", "数学", "英语", "道德与法治", "历史", "地理", "生物")
    if grade == 8:
        return ("语文", "数学", "英语", "物理", "道德与法治", "历史", "地理", "生物")
    if grade == 9:
        return ("语文", "数学", "英语", "物理", "化学", "道德与法治", "历史")
    if grade == 10:
        return ("语文", "数学", "英语", "物理", "化学", "生物", "思想政治", "历史", "地理")
    if track == "文科":
        return ARTS_TRACK
    if track == "理科":
        return SCIENCE_TRACK
    return tuple(dict.fromkeys(SCIENCE_TRACK + ARTS_TRACK))


def taught_in(grade: int) -> tuple[str, ...]:
    """Subjects with a teacher assignment in ``grade`` (the examined ones, both tracks)."""
    return subjects_for(grade)


def full_marks(subject: str, grade: int, gaokao_style: bool = False) -> float:
    """A paper's full marks: 100 in primary; 120/100 in junior; 150/100 in senior; 高三 理综/文综
    split as 物理 110, 化学 100, 生物 90 and 100 each for 政治/历史/地理."""
    if grade <= 6:
        return 100.0
    main = subject in ("语文", "数学", "英语")
    if grade <= 9:
        return 120.0 if main else 100.0
    if main:
        return 150.0
    if gaokao_style:
        return {"物理": 110.0, "生物": 90.0}.get(subject, 100.0)
    return 100.0


#: Knowledge points (知识点) per subject and stage ("p" primary, "j" junior, "s" senior).
KNOWLEDGE: dict[tuple[str, str], tuple[str, ...]] = {
    ("语文", "p"): ("拼音与识字", "词语积累", "句子运用", "古诗词积累", "课内阅读", "课外阅读", "习作"),
    ("语文", "j"): ("字音字形", "词语运用", "病句辨析", "古诗文默写", "文言文阅读", "名著阅读",
                   "现代文阅读", "综合性学习", "写作"),
    ("语文", "s"): ("语言文字运用", "论述类文本阅读", "实用类文本阅读", "文学类文本阅读", "文言文阅读",
                   "古代诗歌鉴赏", "名句名篇默写", "写作"),
    ("数学", "p"): ("数与代数", "计算", "图形与几何", "统计与概率", "解决问题", "综合与实践"),
    ("数学", "j"): ("数与式", "方程与不等式", "函数", "三角形", "四边形", "圆", "图形的变化",
                   "统计与概率"),
    ("数学", "s"): ("集合与常用逻辑用语", "复数", "函数", "导数", "三角函数", "数列", "平面向量",
                   "不等式", "立体几何", "解析几何", "概率统计", "坐标系与参数方程", "不等式选讲"),
    ("英语", "p"): ("字母与语音", "词汇", "句型", "听力理解", "阅读理解", "书面表达"),
    ("英语", "j"): ("听力理解", "单项选择", "完形填空", "阅读理解", "词汇运用", "书面表达"),
    ("英语", "s"): ("听力理解", "阅读理解", "七选五", "完形填空", "语法填空", "短文改错", "书面表达"),
    ("物理", "j"): ("声现象", "光现象", "热学", "力学", "简单机械", "电学", "电磁学", "实验探究"),
    ("物理", "s"): ("运动学", "力与运动", "能量与动量", "曲线运动与万有引力", "电场", "电路",
                   "磁场与电磁感应", "原子物理", "实验", "选修3-3热学", "选修3-4光学与振动"),
    ("化学", "j"): ("物质的构成", "物质的变化", "身边的化学物质", "化学与生活", "化学实验", "化学计算"),
    ("化学", "s"): ("化学计量", "物质结构与元素周期律", "化学反应原理", "元素化合物", "有机化学基础",
                   "化学实验", "物质结构与性质", "化学与技术"),
    ("生物", "j"): ("生物体的结构层次", "生物圈中的绿色植物", "人体生理", "动物的行为", "遗传与进化",
                   "生态系统"),
    ("生物", "s"): ("细胞的分子组成", "细胞代谢", "遗传与变异", "生物进化", "稳态与调节", "生态系统",
                   "实验探究", "生物技术实践", "现代生物科技"),
    ("思想政治", "s"): ("经济生活", "政治生活", "文化生活", "生活与哲学", "时政热点"),
    ("历史", "j"): ("中国古代史", "中国近代史", "中国现代史", "世界古代史", "世界近现代史"),
    ("历史", "s"): ("中国古代史", "中国近现代史", "世界史", "史料研读", "历史上重大改革回眸",
                   "中外历史人物评说"),
    ("地理", "j"): ("地球与地图", "世界地理", "中国地理", "乡土地理"),
    ("地理", "s"): ("自然地理", "人文地理", "区域地理", "地理信息技术", "旅游地理", "环境保护"),
    ("道德与法治", "j"): ("道德修养", "心理健康", "法律常识", "国情教育", "社会责任"),
    ("科学", "p"): ("物质科学", "生命科学", "地球与宇宙", "技术与工程", "科学探究"),
}


def knowledge_points(subject: str, grade: int) -> tuple[str, ...]:
    stage = "p" if grade <= 6 else ("j" if grade <= 9 else "s")
    return KNOWLEDGE.get((subject, stage)) or KNOWLEDGE[(subject, "s" if stage == "j" else "j")]
