"""CLI commands: `eduquality web` (the web platform) and `eduquality user …` (its users)."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.vocab import ROLES


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface of the intranet).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--secure-cookies", is_flag=True,
              help="Mark session cookies HTTPS-only (when served behind a TLS proxy).")
@pass_ctx
def web(ctx: Context, host: str, port: int, secure_cookies: bool) -> None:
    """Run the web platform. 启动网页平台（各角色按权限查看）。"""
    from eduquality.store.users import list_users
    from eduquality.web.app import serve

    with ctx.open_db() as db:
        no_users = list_users(db).empty
    if no_users:
        ctx.say("cli.web.no_users")
    ctx.say("cli.web.serving", host=host, port=port)
    serve(ctx.settings, host, port, cookie_secure=secure_cookies)


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
