"""CLI commands: `eduquality web` (the web platform) and `eduquality user …` (its users)."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.vocab import ROLES


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface of the intranet; any address "
                   "but loopback needs --certfile/--keyfile or --behind-proxy).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False), default=None,
              help="TLS certificate (PEM): serve HTTPS directly (with --keyfile).")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False), default=None,
              help="TLS private key (PEM) of --certfile.")
@click.option("--behind-proxy", is_flag=True,
              help="Served behind an HTTPS reverse proxy: HSTS, Secure cookies, and "
                   "X-Forwarded-For/Proto trusted from --proxy-address only.")
@click.option("--proxy-address", default="127.0.0.1", show_default=True,
              help="The reverse proxy's address (with --behind-proxy).")
@click.option("--secure-cookies", is_flag=True,
              help="Mark session cookies HTTPS-only (implied by TLS and --behind-proxy).")
@pass_ctx
def web(ctx: Context, host: str, port: int, certfile: str | None, keyfile: str | None,
        behind_proxy: bool, proxy_address: str, secure_cookies: bool) -> None:
    """Run the web platform. 启动网页平台（各角色按权限查看）。"""
    from eduquality.analysis.demo import refuse_demo_password
    from eduquality.store.users import list_users
    from eduquality.web.app import check_transport, serve

    if bool(certfile) != bool(keyfile):
        raise click.UsageError("--certfile and --keyfile go together")
    check_transport(host, bool(certfile), behind_proxy, ctx.lang)
    with ctx.open_db() as db:
        no_users = list_users(db).empty
        refuse_demo_password(db)
    if no_users:
        ctx.say("cli.web.no_users")
    ctx.say("cli.web.serving", scheme="https" if certfile or behind_proxy else "http",
            host=host, port=port)
    serve(ctx.settings, host, port, cookie_secure=secure_cookies, certfile=certfile,
          keyfile=keyfile, behind_proxy=behind_proxy, proxy_address=proxy_address)


@main.group()
def user() -> None:
    """Manage the web platform's users. 管理网页平台用户。"""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES.codes()),
              help="admin | researcher (教研员) | leader (局领导) | principal | teacher | parent.")
@click.option("--name", "display_name", default=None, help="Display name (default: USERNAME).")
@click.option("--school", "school_code", default=None,
              help="School code (required for a principal).")
@click.option("--class", "class_id", default=None,
              help="Class ID (a teacher's class as 班主任).")
@click.option("--student", default=None,
              help="The child's ID number or student_id (required for a parent).")
@click.option("--teacher", "teacher_id", default=None,
              help="Teacher ID (a teacher: their classes come from the teaching assignments).")
@click.option("--ui-lang", type=click.Choice(["zh", "en"]), default=None,
              help="The user's interface language (default: the installation's).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="EDUQUALITY_PASSWORD", help="Password (prompted when not given).")
@click.option("--must-change/--no-must-change", default=True,
              help="The user must choose their own password at the next sign-in (default).")
@pass_ctx
def user_add(ctx: Context, username: str, role: str, display_name: str | None,
             school_code: str | None, class_id: str | None, student: str | None,
             teacher_id: str | None, ui_lang: str | None, password: str,
             must_change: bool) -> None:
    """Add a user. 添加用户。"""
    from eduquality.store.users import add_user

    with ctx.open_db() as db:
        p = add_user(db, username, role, password, display_name=display_name,
                     school_code=school_code, class_id=class_id, student=student,
                     teacher_id=teacher_id, lang=ui_lang, must_change=must_change)
    ctx.say("cli.user.added", username=p.username, role=ROLES.label(p.role, ctx.lang))


@user.command("list")
@pass_ctx
def user_list(ctx: Context) -> None:
    """List the users and their roles. 列出用户及其角色。"""
    from eduquality.store.users import list_users

    with ctx.open_db() as db:
        users = list_users(db)
    click.echo(users.to_string(index=False) if len(users) else "-")


@user.command("passwd")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="EDUQUALITY_PASSWORD", help="New password (prompted when not given).")
@click.option("--must-change/--no-must-change", default=True,
              help="The user must choose their own password at the next sign-in (default).")
@pass_ctx
def user_passwd(ctx: Context, username: str, password: str, must_change: bool) -> None:
    """Set a user's password (their sessions end). 重设用户密码。"""
    from eduquality.store.users import set_password

    with ctx.open_db() as db:
        set_password(db, username, password, must_change=must_change)
    ctx.say("cli.user.password", username=username)


@user.command("disable")
@click.argument("username")
@pass_ctx
def user_disable(ctx: Context, username: str) -> None:
    """Disable a user: no sign-in, open sessions end. 停用用户。"""
    from eduquality.store.users import disable_user

    with ctx.open_db() as db:
        disable_user(db, username)
    ctx.say("cli.user.disabled", username=username)


@user.command("enable")
@click.argument("username")
@pass_ctx
def user_enable(ctx: Context, username: str) -> None:
    """Enable a disabled user again. 重新启用用户。"""
    from eduquality.store.users import enable_user

    with ctx.open_db() as db:
        enable_user(db, username)
    ctx.say("cli.user.enabled", username=username)


@user.command("remove")
@click.argument("username")
@pass_ctx
def user_remove(ctx: Context, username: str) -> None:
    """Remove a user (the audit log keeps their rows). 删除用户（审计记录保留）。"""
    from eduquality.store.users import remove_user

    with ctx.open_db() as db:
        remove_user(db, username)
    ctx.say("cli.user.removed", username=username)


@user.command("grant")
@click.argument("username")
@click.option("--year", "year_code", required=True,
              help="A past school year whose classes the teacher may see, e.g. 2020-2021.")
@click.option("--revoke", is_flag=True, help="Withdraw the grant instead.")
@pass_ctx
def user_grant(ctx: Context, username: str, year_code: str, revoke: bool) -> None:
    """Let a teacher see a past year's classes (default: current year only). 授权教师查看往年班级。"""
    from eduquality.store.users import grant_year, revoke_year

    with ctx.open_db() as db:
        if revoke:
            revoke_year(db, username, year_code)
        else:
            grant_year(db, username, year_code)
    ctx.say("cli.user.revoked" if revoke else "cli.user.granted", username=username,
            year=year_code)
