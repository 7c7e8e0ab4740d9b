"""The CLI's messages in Chinese (default) and English, printed by
:meth:`eduquality.cli.app.Context.say` (or ``tr``) in the user's language.

Every message a command module prints lives here, registered when the CLI starts: the command
modules themselves load only when their command runs (:mod:`eduquality.cli.commands`)."""

from __future__ import annotations

from eduquality.i18n import register

MESSAGES = register({
    "cli.written": ("已写出 {path}", "written: {path}"),
    "cli.forecast.backtest": ("Brier 分数 {brier}；95% 预测区间覆盖率 {coverage}（{units} 个单位×分数线）",
                              "Brier {brier}; 95% interval coverage {coverage} ({units} unit × line)"),
    "cli.forecast.uncertainty": (
        "区间含模型不确定性：年度偏移 τ = {shift_sd}（此前 {history} 个偏移），学校偏差 τ_u = {unit_sd}，"
        "{draws} 次抽样",
        "intervals carry the model's uncertainty: yearly shift τ = {shift_sd} ({history} earlier "
        "shifts), school deviation τ_u = {unit_sd}, {draws} draws"),
    "cli.forecast.known_model": ("区间只含学生个体的随机性（--draws 0）",
                                 "intervals carry the students' own chance only (--draws 0)"),
    "cli.forecast.bridge": ("新旧高考过渡：{pairs} 标定", "across the change of regime: calibrated {pairs}"),
    "cli.va.head": ("前测考试：{priors}；学生 {n} 人", "prior exams: {priors}; students: {n}"),
    "cli.va.track": ("{track}（在该类别内单独建模）", "{track} (modelled within the track)"),
    "cli.bad_subject": ("未知学科：{subject}", "unknown subject: {subject}"),
    "cli.bad_track": ("未知类别：{track}（可选 物理类、历史类、文科、理科）",
                      "unknown track: {track} (physics, history, arts or science)"),
    "cli.no_lines": ("考试 {exam} 没有适用的分数线{track}",
                     "exam {exam} has no cut lines that apply{track}"),
    "cli.reports_written": ("已写出 {n} 份报告到 {folder}", "{n} reports written to {folder}"),
    "cli.files_written": ("已写出 {n} 个文件到 {folder}", "{n} files written to {folder}"),
    "cli.template.matched": ("表头与导入模板「{name}」相符，已套用",
                             "headers match import template '{name}': applied"),
    "cli.template.applied": ("已套用导入模板「{name}」", "applied import template '{name}'"),
    "cli.template.saved": ("已保存导入模板「{name}」（下次表头相同的文件会自动套用）",
                           "saved import template '{name}' (applied to the next file with the "
                           "same headers)"),
    "cli.export.done": ("已导出 {rows} 行到 {path}（{ids}，已记入审计日志）",
                        "exported {rows} rows to {path} ({ids}; audited)"),
    "cli.export.full_ids": ("完整学籍号", "full IDs"),
    "cli.export.masked_ids": ("学籍号已脱敏", "IDs masked"),
    "cli.store.copied": ("已复制并核对 {tables} 张表、{rows} 行：{src} → {dst}",
                         "copied and verified {tables} tables, {rows} rows: {src} → {dst}"),
    "cli.store.table": ("  {table:<22}{rows:>12,} 行  校验和 {checksum}",
                        "  {table:<22}{rows:>12,} rows  checksum {checksum}"),
    "cli.backup.done": ("已备份 {tables} 张表、{rows} 行（架构版本 {version}）到 {path}",
                        "backed up {tables} tables, {rows} rows (schema version {version}) to "
                        "{path}"),
    "cli.restore.done": ("已恢复并逐表核对 {tables} 张表、{rows} 行（架构版本 {version}）到 {target}",
                         "restored and verified {tables} tables, {rows} rows (schema version "
                         "{version}) into {target}"),
    "cli.restore.upgrade": ("备份的架构版本 {found} 低于本程序的 {known}：请以迁移角色运行 "
                            "eduquality init 升级",
                            "the backup's schema version {found} is older than this program's "
                            "({known}): run eduquality init as the migration role to upgrade"),
    "cli.retention.school": ("  {code} {name}：{n} 人", "  {code} {name}: {n} students"),
    "cli.retention.due": ("试运行：{n} 名学生离校已满 {years} 年（{cutoff} 或更早），将被匿名化；未做任何修改",
                          "dry run: {n} students left {years} or more years ago (on or before "
                          "{cutoff}) and would be anonymised; nothing was changed"),
    "cli.retention.done": ("已匿名化 {n} 名离校已满 {years} 年（{cutoff} 或更早）的学生，成绩保留；"
                           "已记入审计日志",
                           "anonymised {n} students who left {years} or more years ago (on or "
                           "before {cutoff}); their scores stay; audited"),
    "cli.parquet.table": ("  {table:<22}{rows:>12,} 行  {files} 个文件",
                          "  {table:<22}{rows:>12,} rows  {files} files"),
    "cli.parquet.exported": ("已导出 {tables} 张表、{rows} 行到 {folder}（含 manifest.json）",
                             "exported {tables} tables, {rows} rows to {folder} (with "
                             "manifest.json)"),
    "cli.parquet.imported": ("已从 {folder} 导入并核对 {tables} 张表、{rows} 行到 {db}",
                             "imported and verified {tables} tables, {rows} rows from {folder} "
                             "into {db}"),
    "cli.db_ready": ("数据库已就绪：{path}（架构版本 {version}）",
                     "database ready: {path} (schema version {version})"),
    "cli.demo.done": (
        "完成：数据库 {db}；报告 {n} 份在 {folder}；用时 生成 {simulate:.0f}s、导入 {import_:.0f}s、"
        "分析 {analyse:.0f}s、报告 {reports:.0f}s",
        "done: database {db}; {n} reports in {folder}; took simulate {simulate:.0f}s, import "
        "{import_:.0f}s, analyse {analyse:.0f}s, reports {reports:.0f}s"),
    "cli.demo.web_check": ("5/5 检查网页平台（本机临时端口，登录并打开考试页面）…",
                           "5/5 checking the web platform (temporary local port, sign in, open "
                           "the exam)…"),
    "cli.demo.web_ok": ("  网页平台正常（{seconds:.1f}s）：{url}",
                        "  web platform OK ({seconds:.1f}s): {url}"),
    "cli.demo.web_failed": ("  网页平台异常（{seconds:.1f}s）：{url}",
                            "  web platform FAILED ({seconds:.1f}s): {url}"),
    "cli.demo.web_hint": ("网页平台：eduquality --db {db} web  然后打开 http://127.0.0.1:8000",
                          "web platform: eduquality --db {db} web  then open http://127.0.0.1:8000"),
    "cli.demo.accounts": ("演示账号（密码均为 {password}）：", "demo accounts (password {password}):"),
    "cli.demo.account": ("  {username}（{role}）", "  {username} ({role})"),
    "cli.import.unchanged": ("文件 {file} 与上次导入的完全相同，未作改动（已记录）",
                             "{file} is identical to the last import: nothing changed (logged)"),
    "cli.import.done": ("已导入 {file}：读取 {read} 行，数据库新增或更改 {written} 行"
                        "（文件含 {counts}），用时 {seconds:.1f} 秒",
                        "imported {file}: {read} rows read, {written} database rows added or "
                        "changed (the file holds {counts}) in {seconds:.1f} s"),
    "cli.import.analysing": ("正在分析考试 {exam} 并保存分析结果（供网页与报告直接读取）…",
                             "analysing exam {exam} and storing the analysis (pages and "
                             "reports read it) …"),
    "cli.import.analysed": ("考试 {exam} 的分析已保存，用时 {seconds:.1f} 秒",
                            "analysis of exam {exam} stored in {seconds:.1f} s"),
    "cli.list_sep": ("，", ", "),
    "cli.irt.fit": (
        "{model} 模型：{n_persons} 人，{n_items} 题，对数似然 {loglik:.3f}，AIC {aic:.2f}，BIC {bic:.2f}，"
        "{iterations} 次迭代（{state}）→ {out}",
        "{model}: {n_persons} persons, {n_items} items, log-likelihood {loglik:.3f}, AIC {aic:.2f}, "
        "BIC {bic:.2f}, {iterations} iterations ({state}) → {out}"),
    "cli.irt.converged": ("已收敛", "converged"),
    "cli.irt.not_converged": ("未收敛", "NOT converged"),
    "cli.irt.dif": ("{n} 题：A 类 {a}，B 类 {b}，C 类 {c} → {out}",
                    "{n} items: class A {a}, B {b}, C {c} → {out}"),
    "cli.irt.calibrated": (
        "试卷 {paper}：{n_persons} 人，{n_items} 题，量尺 {scale}（θ = {slope:.3f}·θ' + {intercept:.3f}），"
        "未标定（无方差）题：{excluded}",
        "paper {paper}: {n_persons} students, {n_items} items, scale {scale} (θ = {slope:.3f}·θ' + "
        "{intercept:.3f}); items left out (no variance): {excluded}"),
    "cli.none": ("无", "none"),
    "cli.followup.none": ("考试 {exam} 没有可跟踪的标记学生或后续考试（或不在您的查看范围内）",
                          "exam {exam}: no flagged student or later exam to follow (or none "
                          "in your scope)"),
    "cli.simulate.done": (
        "已写入 {files} 个文件（{schools} 所学校、{students} 名学生、{exams} 场考试）：{folder}/manifest.json；"
        "真值在 truth/",
        "wrote {files} files ({schools} schools, {students} students, {exams} exams): "
        "{folder}/manifest.json; ground truth in truth/"),
    "cli.web.no_users": ("还没有用户：先运行 eduquality user add 用户名 --role admin",
                         "no users yet: first run eduquality user add USERNAME --role admin"),
    "cli.web.serving": ("网页平台：{scheme}://{host}:{port}/（Ctrl+C 停止）",
                        "web platform: {scheme}://{host}:{port}/ (Ctrl+C to stop)"),
    "cli.user.added": ("已添加用户 {username}（{role}）", "user added: {username} ({role})"),
    "cli.user.password": ("已更新 {username} 的密码", "password updated for {username}"),
    "cli.user.disabled": ("已停用用户 {username}（不能登录，已登录的会话随即失效）",
                          "user {username} disabled (cannot sign in; open sessions stop working)"),
    "cli.user.enabled": ("已启用用户 {username}", "user {username} enabled"),
    "cli.user.removed": ("已删除用户 {username}（审计日志中的记录保留）",
                         "user {username} removed (the audit log keeps their rows)"),
    "cli.user.granted": ("教师 {username} 可查看 {year} 学年所教班级",
                         "teacher {username} may see the classes taught in {year}"),
    "cli.user.revoked": ("已撤销教师 {username} 对 {year} 学年的查看授权",
                         "teacher {username} may no longer see the classes of {year}"),
    # eduquality assess (cli/assess.py)
    "cli.assess.head": ("{year} 学年年度目标考核（内部资料，不公开排名；同一档内的学校差异在不确定性之内，视为并列）",
                        "annual school assessment {year} (internal; not a published ranking; "
                        "schools in one band differ by less than the uncertainty: tied)"),
    "cli.assess.band": ("第 {band} 档", "band {band}"),
    "cli.assess.tied": ("并列", "tied"),
    "cli.assess.none": ("无可计分数据", "nothing to score"),
    # eduquality growth (cli/growth.py)
    "growth.cli.columns": ("{path} 缺少列：{cols}", "{path} lacks columns: {cols}"),
    "growth.cli.numeric": (
        "{path} 列 {col} 第 {row} 行不是数字：{value!r}",
        "{path} column {col} row {row} is not a number: {value!r}",
    ),
    "growth.cli.done": (
        "已写出 {out}：{n} 名学生，{n_sgp} 人有 SGP（{by}），{n_none} 人无 SGP（sgp 留空，"
        "priors_used = 0）",
        "wrote {out}: {n} students, {n_sgp} with an SGP ({by}), {n_none} without (sgp left "
        "blank, priors_used = 0)",
    ),
    # eduquality items (cli/items.py)
    "items.no_file": ("找不到作答文件：{path}", "responses file not found: {path}"),
    "items.empty": ("作答文件 {path} 没有数据行", "responses file {path} has no data rows"),
    "items.no_items": ("作答文件 {path} 没有题目列", "responses file {path} has no item columns"),
    "items.no_id_col": ("找不到编号列 “{col}”（表头：{header}）",
                        "id column '{col}' not found (header: {header})"),
    "items.more_bad": ("……另有 {n} 个非数字单元格", "… and {n} more non-numeric cells"),
    "items.negative": ("第 {line} 行、列 “{col}” 的得分 {value} 为负数",
                       "line {line}, column '{col}': score {value} is negative"),
    "items.max_count": ("--max-scores 给出 {got} 个满分，但文件有 {n}道题",
                        "--max-scores gives {got} maximum scores but the file has {n} items"),
    "items.max_value": ("--max-scores 中的 “{value}” 不是正数",
                        "--max-scores: '{value}' is not a positive number"),
    "items.above_max": ("第 {line} 行、列 “{col}” 的得分 {value} 超过满分 {max}",
                        "line {line}, column '{col}': score {value} exceeds the maximum {max}"),
    "items.done": ("{n_persons} 人、{n_items} 题：α = {alpha}，SEM = {sem}；已写入 {out}",
                   "{n_persons} persons, {n_items} items: alpha = {alpha}, SEM = {sem}; wrote {out}"),
    # eduquality plan (cli/plan.py)
    "cli.plan.ok": ("计划文件 {file} 无问题：{n} 个指标、{g} 个学校目标（{bound} 个已绑定学校）",
                    "plan file {file} is fine: {n} indicators, {g} school goals ({bound} bound "
                    "to a school)"),
    "cli.plan.goals": ("学校目标：", "school goals:"),
    "cli.plan.no_goals": ("（没有绑定到学校的目标）", "(no goal bound to a school)"),
    "cli.plan.no_balance": ("{year} 年没有学校的办学条件统计（eduquality template stats：办学条件）",
                            "no school-condition statistics for {year} (eduquality template "
                            "stats: school conditions)"),
    "cli.plan.quality_head": ("教育质量（巩固率、残疾儿童少年入学率、监测结果良好及以上比例，附 95% 区间与目标）：",
                              "quality (consolidation, enrolment of children with "
                              "disabilities, monitoring share at or above good, with 95 % "
                              "intervals and targets):"),
    "cli.plan.balance_head": ("{level}：{n}/{total} 所学校资源配置达标（≥ 6 项达标，其余 ≥ 85 %）",
                              "{level}: {n} of {total} schools meet the resource standard "
                              "(≥ 6 of 7, the rest ≥ 85 %)"),
    # eduquality dropout, import attendance|children (cli/dropout.py)
    "cli.dropout.recorded": ("已登记跟进 #{id}：{person} {action}",
                             "follow-up #{id} recorded: {person} {action}"),
    "cli.dropout.open": ("待跟进 {open} 条，已解决 {closed} 条", "{open} open, {closed} closed"),
    # eduquality programmes, import|template programmes (cli/programmes.py)
    "cli.prog.mentoring_head": ("{year} 学年名师带教覆盖（以一带十、以十带百、以百促千）",
                                "mentoring coverage {year} (以一带十、以十带百、以百促千)"),
    "cli.prog.level": ("第 {level} 层 {reached}/{target}（{share}）",
                       "level {level} {reached}/{target} ({share})"),
    "cli.prog.by_subject": ("按学科", "by subject"),
    "cli.prog.by_school": ("按学校（覆盖教师 / 教师数）", "by school (teachers reached / teachers)"),
    "cli.prog.none": ("{year} 学年没有在运行的工作室", "no studio active in {year}"),
    "cli.prog.studios_head": ("{year} 学年名师工作室、名校长基地年度绩效（内部资料，用于奖补；增值为效应量，"
                              "非升学率）",
                              "studios' yearly performance {year} (internal, for 奖补; value-added "
                              "as an effect size, never raw 升学率)"),
    "cli.prog.studio_line": ("{name}（{kind}，{level}）成员 {members} 人；活动 教研 {research}、送教 "
                             "{outreach}、课题 {project}；带教 {reached}/10；增值 {va}",
                             "{name} ({kind}, {level}) {members} members; activities research "
                             "{research}, outreach {outreach}, projects {project}; mentoring "
                             "{reached}/10; value-added {va}"),
    "cli.prog.partners_head": ("结对学校（名校融民校、名校办分校）前后对比：双重差分，对照为同类未结对学校",
                               "partner schools before and after: difference-in-differences "
                               "against comparable schools in no partnership"),
    "cli.prog.partner_line": ("{lead} → {partner}（{kind}，{start} 年起，对照 {n} 所）{outcome}：{did}",
                              "{lead} → {partner} ({kind}, from {start}, {n} comparison "
                              "schools) {outcome}: {did}"),
    "cli.prog.no_partners": ("没有结对学校记录", "no partner schools on record"),
    "cli.prog.groups_head": ("{year} 学年特殊群体资助与差距（人数少于 {n} 的单位不显示）",
                             "special groups {year}: support and gaps (units of fewer than {n} "
                             "not shown)"),
    "cli.prog.group_line": ("{unit} {group}：{students} 人，资助覆盖 {coverage}，金额 {amount} 元；"
                            "成绩差距 {gap}；升入高中阶段差距 {prog}",
                            "{unit} {group}: {students} students, support coverage {coverage}, "
                            "{amount} yuan; results gap {gap}; progression gap {prog}"),
    # eduquality proficiency, import proficiency (cli/proficiency.py)
    "cli.proficiency.none": ("尚无合格考成绩（eduquality import proficiency FILE）",
                             "no 合格考 results on record (eduquality import proficiency FILE)"),
    "cli.proficiency.sittings": ("各批次合格率（全部考生 / 首考 / 补考；人数少于 {n} 的学校不显示）",
                                 "pass rates at each sitting (all / first attempts / 补考; "
                                 "schools of fewer than {n} not shown)"),
    "cli.proficiency.first_sittings": ("一次合格率与补考后合格率（按首考批次；人数少于 {n} 的学校不显示）",
                                       "first-attempt pass rates and pass rates after the 补考 "
                                       "(by first sitting; schools of fewer than {n} not shown)"),
    "cli.proficiency.at_risk": ("尚有科目未合格、须参加补考的学生：{n} 人",
                                "students with a subject still to pass (补考 due): {n}"),
    "cli.proficiency.at_risk_none": ("没有尚未合格的科目（在可查看的范围内）",
                                     "no subject still to pass (within what you may see)"),
    "cli.proficiency.all_pass": ("全科合格率：每科最好成绩合格（含补考）的学生 / 已参考的学生，按年级与学生现所在学校"
                                 "（人数少于 {n} 的学校不显示）",
                                 "students who have passed every subject (best result, 补考 "
                                 "counted) / students who have sat, by cohort and the students' "
                                 "current school (schools of fewer than {n} not shown)"),
})
