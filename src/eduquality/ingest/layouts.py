"""The layouts of roster and paper sheets (docs/file-formats.md): fields and header aliases."""

from __future__ import annotations

from eduquality.ingest.headers import Field, Layout

F = Field

#: a row number column, in any sheet: recognised, not stored
SEQ = F("seq", "序号", ("序", "No", "No."), ignored=True)
#: naming a school by its registered name, an alias or a former name (instead of its code)
SCHOOL_NAME = F("school_name", "学校名称", ("学校", "校名", "所在学校", "就读学校", "学校全称"))
SCHOOL_ONE_OF = (("school_code", "school_name"),)

DISTRICT = Layout("district", "区县", "district", (
    F("district_code", "区县代码", ("区县编码", "行政区划代码", "区划代码"), True),
    F("name", "区县名称", ("区县", "区名称"), True),
    F("city", "市", ("地市", "州市", "所属市")),
    F("province", "省", ("省份", "所属省")),
    SEQ,
))

SCHOOL_YEAR = Layout("school_year", "学年", "school years", (
    F("year_code", "学年", ("学年度",), True),
    F("start_date", "开始日期", ("起始日期", "学年开始"), True),
    F("end_date", "结束日期", ("截止日期", "学年结束"), True),
    SEQ,
))

SCHOOL = Layout("school", "学校", "schools", (
    F("school_code", "学校代码", ("学校编码", "学校标识码", "学校编号"), True),
    F("name", "学校名称", ("学校", "校名"), True),
    F("stage", "学段", ("办学类型", "学校类型"), True),
    F("ownership", "办学性质", ("公办民办",), True),
    F("locale", "城乡", ("城乡类型", "城乡分类"), True),
    F("tier", "学校等级", ("等级",)),
    F("peer_group", "同类组", ("同类学校", "学校类别")),
    F("parent_school_code", "上级学校代码", ("总校代码", "集团总校代码")),
    F("district_code", "区县代码", ("区县编码",)),
    F("aliases", "别名", ("学校别名", "简称", "学校简称", "别称")),
    F("former_names", "曾用名", ("原校名", "原名称", "曾用校名")),
    SEQ,
))

SCHOOL_ALIAS = Layout("school_alias", "学校别名", "school aliases", (
    F("school_code", "学校代码", ("学校编码", "学校标识码"), True),
    SCHOOL_NAME,
    F("aliases", "别名", ("学校别名", "简称", "学校简称", "别称")),
    F("former_names", "曾用名", ("原校名", "原名称", "曾用校名")),
    SEQ,
), (("aliases", "former_names"),))

CLASS = Layout("class", "班级", "classes", (
    F("year_code", "学年", ()),
    F("school_code", "学校代码", ("学校编码", "学校标识码")),
    SCHOOL_NAME,
    F("grade", "年级", ("所在年级", "年级名称")),
    F("name", "班级", ("班级名称", "班名"), True),
    F("track", "文理", ("选科类别", "科类", "类别", "文理科", "首选科目")),
    F("head_teacher_id", "班主任工号", ("班主任编号",)),
    SEQ,
), SCHOOL_ONE_OF)

TEACHER = Layout("teacher", "教师", "teachers", (
    F("teacher_id", "工号", ("教师编号", "教师工号", "教工号"), True),
    F("name", "姓名", ("教师姓名",), True),
    F("school_code", "学校代码", ("学校编码",), True),
    F("subject", "任教学科", ("学科", "主教学科"), True),
    F("gender", "性别", ()),
    F("title", "职称", ()),
    F("qualification", "学历", ("最高学历",)),
    F("tiers", "骨干/名师", ("骨干名师", "荣誉称号", "骨干或名师", "名师骨干")),
    F("tier_year", "认定学年", ("认定年度",)),
    SEQ,
))

ASSIGNMENT = Layout("assignment", "任课安排", "teaching assignments", (
    F("year_code", "学年", ()),
    F("school_code", "学校代码", ("学校编码",), True),
    F("grade", "年级", ("所在年级", "年级名称")),
    F("class_name", "班级", ("班级名称",), True),
    F("subject", "学科", ("任教学科",), True),
    F("teacher_id", "教师工号", ("工号", "教师编号"), True),
    SEQ,
))

STUDENT = Layout("student", "学生", "students", (
    F("national_id", "学籍号", ("全国学籍号", "学籍编号", "学生学籍号", "学籍辅号",
                              "全国学籍号码"), True),
    F("student_no", "学号", ("校内学号",), ignored=True),  # the 学籍号 when there is none
    F("name", "姓名", ("学生姓名",), True),
    F("gender", "性别", (), True),
    F("school_code", "学校代码", ("学校编码", "学校标识码")),
    SCHOOL_NAME,
    F("year_code", "学年", ()),
    F("grade", "年级", ("所在年级", "年级名称")),
    F("class_name", "班级", ("班级名称", "所在班级", "班号"), True),
    F("exam_number", "考号", ("准考证号", "考试号", "考生号", "准考号")),
    F("ethnicity", "民族", ()),
    F("birth_date", "出生日期", ("出生年月", "生日")),
    F("poverty_registered", "建档立卡", ("建档立卡户", "建档立卡学生")),
    F("disabled", "残疾", ("残疾学生", "是否残疾")),
    F("migrant", "随迁子女", ("进城务工随迁子女", "是否随迁子女")),
    F("left_behind", "留守儿童", ("是否留守儿童",)),
    F("admission_date", "入学日期", ("入学时间", "入学年月")),
    SEQ,
    *(F(f"other_{i}", label, aliases, ignored=True) for i, (label, aliases) in enumerate((
        ("备注", ("说明",)), ("联系电话", ("电话", "手机号", "手机", "家长电话", "联系方式")),
        ("家庭住址", ("住址", "家庭地址", "现住址", "通信地址")),
        ("身份证号", ("身份证件号", "身份证件号码", "身份证号码")),
        ("监护人", ("监护人姓名", "家长姓名")), ("户籍所在地", ("户口所在地", "户籍")),
        ("籍贯", ()), ("政治面貌", ()), ("学籍状态", ("在读状态", "在校状态")),
        ("就读方式", ("住宿情况", "是否住校")), ("入学方式", ()), ("学生类别", ()),
        ("曾用名", ()), ("健康状况", ()), ("港澳台侨外", ()),
    ))),
), SCHOOL_ONE_OF)

EVENT = Layout("event", "学籍异动", "enrolment events", (
    F("national_id", "学籍号", ("全国学籍号",), True),
    F("event_date", "日期", ("异动日期", "变动日期"), True),
    F("event_type", "异动类型", ("变动类型", "异动类别"), True),
    F("school_code", "学校代码", ("学校编码",), True),
    F("note", "说明", ("备注", "原因")),
    SEQ,
))

SUBJECT_CHOICE = Layout("subject_choice", "学生选科", "subject choices", (
    F("national_id", "学籍号", ("全国学籍号", "学籍编号", "学生学籍号"), True),
    F("year_code", "学年", ()),
    F("school_code", "学校代码", ("学校编码", "学校标识码")),
    F("first_choice", "首选科目", ("首选", "首选学科")),
    F("second_1", "再选科目1", ("再选1", "再选科目一", "再选学科1")),
    F("second_2", "再选科目2", ("再选2", "再选科目二", "再选学科2")),
    F("combination", "选科组合", ("组合", "选考组合", "选科")),
    F("changed", "是否调整", ("选科调整", "调整", "是否变更")),
    F("name", "姓名", ("学生姓名",), ignored=True),
    F("grade", "年级", ("所在年级",), ignored=True),
    F("class_name", "班级", ("班级名称",), ignored=True),
    SEQ,
), (("first_choice", "combination"),))

DISTRICT_STAT = Layout("district_statistic", "区县统计", "district statistics", (
    F("year_code", "学年", (), True),
    F("indicator", "指标", ("指标名称",), True),
    F("value", "数值", ("值",), True),
    F("note", "说明", ("备注",)),
    F("district_code", "区县代码", ("区县编码",)),
    SEQ,
))

#: (field, stands for): a column of ``field`` is read as ``stands for`` when the sheet has no
#: column of its own for that (学号 is the student id of a list without 学籍号)
FALLBACKS = {"student": (("student_no", "national_id"),)}

ROSTER_LAYOUTS = (DISTRICT, SCHOOL_YEAR, SCHOOL, SCHOOL_ALIAS, CLASS, TEACHER, ASSIGNMENT, STUDENT, EVENT,
                  SUBJECT_CHOICE, DISTRICT_STAT)

#: `--kind` values (and Chinese aliases) → layout kind
KIND_NAMES = {
    **{lay.kind: lay.kind for lay in ROSTER_LAYOUTS},
    "districts": "district", "years": "school_year", "school_years": "school_year",
    "schools": "school", "aliases": "school_alias", "school_aliases": "school_alias",
    "classes": "class", "teachers": "teacher", "assignments": "assignment",
    "students": "student", "events": "event", "enrolment_events": "event",
    "choices": "subject_choice", "subject_choices": "subject_choice", "选科": "subject_choice",
    "district_statistics": "district_statistic", "stats": "district_statistic",
    **{lay.label_zh: lay.kind for lay in ROSTER_LAYOUTS},
}

EXAM_INFO = Layout("exam_info", "考试信息", "exam information", (
    F("exam_id", "考试代码", ("考试编号", "考试编码", "考试ID"), True),
    F("name", "考试名称", ("考试",), True),
    F("exam_type", "考试类型", ("类型",), True),
    F("scope", "范围", ("考试范围", "组织范围"), True),
    F("year_code", "学年", (), True),
    F("term_no", "学期", ()),
    F("exam_date", "考试日期", ("日期", "考试时间")),
    F("grade", "年级", (), True),
))

PAPER_ITEMS = Layout("paper_items", "试卷结构", "paper structure", (
    F("subject", "学科", ("科目",), True),
    F("track", "类别", ("科类", "文理")),
    F("item_no", "题号", ("小题号", "题目编号")),  # blank: a paper of subject totals only
    F("item_type", "题型", ("题目类型",)),  # required on item rows
    F("full_marks", "满分", ("分值", "满分值"), True),
    F("answer_key", "答案", ("标准答案", "参考答案"), False),
    F("knowledge", "知识点", ("考点", "知识点及权重"), False),
    F("ability_level", "能力层级", ("能力要求", "认知层次"), False),
    F("optional_group", "选做组", ("选做题组", "选考组"), False),
    F("n_counted", "选做数", ("选做题数", "计分题数"), False),
    F("exam_id", "考试代码", ("考试编号",), False),
))
