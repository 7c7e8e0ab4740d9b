"""The CLI's progress lines in Chinese (default) and English, printed by
:meth:`eduquality.cli.app.Context.say` in the user's language."""

from __future__ import annotations

from eduquality.i18n import register

MESSAGES = register({
    "cli.written": ("已写出 {path}", "written: {path}"),
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
    "cli.import.done": ("已导入 {file}：读取 {read} 行，写入 {written} 行（{counts}），用时 {seconds:.1f} 秒",
                        "imported {file}: {read} rows read, {written} written ({counts}) in "
                        "{seconds:.1f} s"),
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
})
