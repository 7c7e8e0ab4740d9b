"""The web platform's interface text in Chinese (default) and English."""

from __future__ import annotations

from collections.abc import Callable

from eduquality.i18n import register, tr

MESSAGES = register({
    "web.brand": ("教育质量监测与提升平台", "Education Quality Monitoring"),
    "web.nav.home": ("首页", "Home"),
    "web.nav.exams": ("考试", "Exams"),
    "web.nav.audit": ("审计日志", "Audit log"),
    "web.logout": ("退出", "Sign out"),
    "web.login.title": ("登录", "Sign in"),
    "web.login.username": ("用户名", "User name"),
    "web.login.password": ("密码", "Password"),
    "web.login.submit": ("登录", "Sign in"),
    "web.login.failed": ("用户名或密码错误", "Wrong user name or password"),
    "web.login.throttled": ("登录失败次数过多，请 {seconds} 秒后再试",
                            "Too many failed sign-ins; try again in {seconds} seconds"),
    "web.csrf": ("表单已过期，请刷新页面后重试", "The form has expired; reload the page and try again"),
    "web.home.title": ("首页", "Home"),
    "web.home.welcome": ("{name}，您好（{role}）", "Welcome, {name} ({role})"),
    "web.home.recent": ("最近的考试", "Recent exams"),
    "web.home.my_school": ("本校（{exam}）", "My school ({exam})"),
    "web.home.my_classes": ("我的班级（{exam}）", "My classes ({exam})"),
    "web.home.my_child": ("孩子的成绩", "My child's results"),
    "web.home.audit": ("查看与导出记录", "Views and exports on record"),
    "web.home.lang_pref": ("界面语言", "Interface language"),
    "web.home.default_lang": ("默认", "Default"),
    "web.home.save": ("保存", "Save"),
    "web.exams.title": ("考试列表", "Exams"),
    "web.exams.none": ("暂无可查看的考试。", "No exams to show."),
    "web.col.exam": ("考试", "Exam"),
    "web.col.exam_type": ("类型", "Type"),
    "web.col.grade": ("年级", "Grade"),
    "web.col.date": ("日期", "Date"),
    "web.col.year": ("学年", "School year"),
    "web.col.unit": ("单位", "Unit"),
    "web.col.subject": ("科目", "Subject"),
    "web.col.full_marks": ("满分", "Full marks"),
    "web.col.district_mean": ("全区平均分", "District mean"),
    "web.col.name": ("姓名", "Name"),
    "web.col.national_id_masked": ("身份证号（已遮蔽）", "ID number (masked)"),
    "web.col.national_id": ("身份证号", "ID number"),
    "web.col.gender": ("性别", "Gender"),
    "web.col.school": ("学校", "School"),
    "web.col.class": ("班级", "Class"),
    "web.col.teacher": ("教师", "Teacher"),
    "web.col.score": ("成绩", "Score"),
    "web.col.status": ("状态", "Status"),
    "web.col.grade_letter": ("等级", "Grade"),
    "web.col.pr": ("百分等级", "Percentile rank"),
    "web.col.rank": ("全区名次", "District rank"),
    "web.col.z": ("Z 分数", "Z score"),
    "web.col.t": ("T 分数", "T score"),
    "web.col.logged_at": ("时间", "Time"),
    "web.col.username": ("用户", "User"),
    "web.col.role": ("角色", "Role"),
    "web.col.action": ("动作", "Action"),
    "web.col.object": ("对象", "Object"),
    "web.col.detail": ("详情", "Detail"),
    "web.col.address": ("客户端地址", "Client address"),
    "web.col.count": ("次数", "Count"),
    "web.level.district": ("全区", "District"),
    "web.level.peer_group": ("同类学校组", "Peer groups"),
    "web.level.school": ("学校", "Schools"),
    "web.level.class": ("班级", "Classes"),
    "web.level.teacher": ("任课教师", "Teachers"),
    "web.level.students": ("学生名单", "Students"),
    "web.peer_group": ("同类组 {code}", "Peer group {code}"),
    "web.exam.subject_choice": ("查看科目：", "Subject:"),
    "web.exam.fixed_order": (
        "单位按固定顺序（同类组、代码）列出，不按成绩排序；“与全区比较”依据 t 检验（p < 0.05），"
        "无显著差异的单位不作区分。",
        "Units are listed in a fixed order (peer group, code), never by score; 'vs district' "
        "comes from a t-test (p < 0.05), and units without a significant difference are not "
        "told apart."),
    "web.exam.small": ("实考人数少于 {n} 人的单位不作比较；无权查看学生数据的用户看不到这些单位"
                       "及可据以推算出它们的单位的数据（“—”）。",
                       "Units with fewer than {n} valid scores are not compared; users without "
                       "access to student data do not see their numbers, nor those of units "
                       "they could be derived from (—)."),
    "web.exam.own_scope": ("仅显示全区及您有权查看的单位。",
                           "Only the district and the units you may see are shown."),
    "web.exam.league": (
        "{exam_type}成绩不得用于学校排名或学生排名。", "{exam_type} results may not be used to rank "
        "schools or students."),
    "web.internal": ("内部资料 注意保密", "Internal document — confidential"),
    "web.grades_note": ("义务教育阶段成绩以等级呈现，不对学生排名。",
                        "Compulsory education: results as grades; students are not ranked."),
    "web.chart.title": ("{subject}平均分及 95% 置信区间", "{subject}: mean and 95% CI"),
    "web.school.title": ("{school} · {exam}", "{school} · {exam}"),
    "web.class.title": ("{school} {cls} · {exam}", "{school} {cls} · {exam}"),
    "web.student.title": ("学生 {name}", "Student {name}"),
    "web.student.info": ("基本信息", "Details"),
    "web.student.none": ("没有可查看的成绩。", "No results to show."),
    "web.audit.title": ("审计日志", "Audit log"),
    "web.audit.filter": ("筛选", "Filter"),
    "web.audit.all": ("全部", "All"),
    "web.audit.range": ("第 {first}–{last} 条，共 {total} 条（第 {page}/{pages} 页）。",
                        "Entries {first}–{last} of {total} (page {page} of {pages})."),
    "web.audit.user": ("用户", "User"),
    "web.audit.action": ("动作", "Action"),
    "web.audit.address": ("客户端地址", "Client address"),
    "web.audit.since": ("起始日期", "From"),
    "web.audit.until": ("截止日期", "To"),
    "web.audit.newer": ("← 较新", "← Newer"),
    "web.audit.older": ("较旧 →", "Older →"),
    "web.audit.view": ("查看", "view"),
    "web.audit.export": ("导出", "export"),
    "web.audit.import": ("导入", "import"),
    "web.audit.login": ("登录", "login"),
    "web.audit.denied": ("拒绝", "denied"),
    "web.export": ("导出 Excel", "Download Excel"),
    "web.exported_by": ("导出人：{user}；导出时间：{time}", "Exported by {user} at {time}"),
    "web.error.403": ("无权访问", "Access denied"),
    "web.error.404": ("未找到", "Not found"),
    "web.error.400": ("请求有误", "Bad request"),
    "web.error.back": ("返回首页", "Back to home"),
    "web.footer": ("学生为未成年人，个人信息依法严格保护；所有查看与导出均记录在案。",
                   "Students are minors: their personal data is protected by law; every view and "
                   "export is logged."),
    "web.level.knowledge": ("知识点得分率（与参照组比较）", "Knowledge points (vs the reference group)"),
    "web.col.knowledge_point": ("知识点", "Knowledge point"),
    "web.col.rate_unit": ("得分率", "Rate"),
    "web.col.rate_ref": ("参照组得分率", "Reference rate"),
    "web.col.gap": ("差值", "Gap"),
    "web.col.p_adj": ("校正 p 值", "Adjusted p"),
    "web.col.weak": ("薄弱", "Weak"),
    "web.weak": ("薄弱", "weak"),
    "web.knowledge_note": ("参照组：学校与全区比较，班级与本校其他班级比较；p 值经多重比较校正。",
                           "Reference: schools vs the district, classes vs the rest of their "
                           "school; p-values adjusted for multiple comparisons."),
    "web.incomplete": ("缺科", "incomplete"),
    "web.empty": ("（无数据）", "(no data)"),
})


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **params)`` bound to ``lang``, for templates and page builders."""

    def t(key: str, /, **params: object) -> str:
        return tr(key, lang, **params)

    return t
