"""`flask pm ...`: init, demo, create-user, backup, order, bill."""
import os
import sqlite3
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.security import services as security
from app.security.passwords import generate_password

pm = AppGroup("pm", help="物业管理处 back office commands.")


@pm.command("init")
@click.option("--admin-user", default="admin", show_default=True)
def init(admin_user):
    """Create the roles from the matrix and the admin user (idempotent)."""
    appbuilder = current_app.appbuilder
    set_cli_actor("cli:init")
    counts = security.apply_matrix(appbuilder)
    for role, n in counts.items():
        click.echo(f"  {role}: {n} permissions")
    sm = appbuilder.sm
    if sm.find_user(username=admin_user) is None:
        password = os.environ.get("PM_ADMIN_PASSWORD")
        generated = not password
        password = password or generate_password()
        try:
            security.create_user(appbuilder, admin_user, password, [roles.ADMIN], first_name="系统管理员")
        except security.UserError as exc:
            raise click.ClickException(f"PM_ADMIN_PASSWORD: {exc}")
        click.echo(f"Created user {admin_user} with role {roles.ADMIN}.")
        if generated:
            click.echo("")
            click.echo("  *** 管理员密码 (admin password), shown once, keep it: " + password)
            click.echo("")
    else:
        click.echo(f"User {admin_user} exists; left as it is.")


@pm.command("demo")
@click.option("--households", default=600, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--if-empty", is_flag=True,
              help="Load only the parts of the demo the database does not hold yet (make run uses it).")
def demo(households, if_empty):
    """Load a realistic demo community (communities, buildings, units, houses, parking spaces) and two weeks of
    its service desk (price list, service catalog, demo staff, contacts, repairs, complaints), and three months
    of billing (fee items, bills, payments, a voided receipt, 催缴 records), the 物业助理's 专责区 with last
    month's and this month's client visits, and two half-yearly 满意度调查 with their forms. Everything lies in
    the past of the moment it runs. A part that fails is reported and the others still load; with --if-empty a
    second run loads what is missing. Exits 1 when a part failed."""
    from app import demo as demo_parts

    set_cli_actor("cli:demo")
    failed = demo_parts.load(households, if_empty, click.echo)
    if failed:
        click.echo("", err=True)
        click.echo("The demo is incomplete; these parts were not loaded: " + "; ".join(failed) + ".", err=True)
        click.echo("Run `make run` (or `flask pm demo --if-empty`) again to load what is missing.", err=True)
        sys.exit(1)


@pm.command("create-user")
@click.argument("username")
@click.option("--role", "role_names", multiple=True, required=True,
              help="Role name, e.g. 客服; repeat for several.")
@click.option("--password", default=None, help="Prompted for when not given.")
@click.option("--name", "first_name", default="")
def create_user(username, role_names, password, first_name):
    """Create a staff login with one or more roles."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    set_cli_actor("cli:create-user")
    try:
        security.create_user(current_app.appbuilder, username, password, list(role_names), first_name=first_name)
    except security.UserError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Created user {username} ({', '.join(role_names)}).")


@pm.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path):
    """Copy the database to PATH consistently, while the server runs (SQLite)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        click.echo(
            "This database is PostgreSQL: back it up with pg_dump, e.g.\n"
            f"  pg_dump --format=custom --file={path} '{url.render_as_string(hide_password=True)}'\n"
            "and restore with pg_restore --clean --dbname=... " + path
        )
        sys.exit(2)
    source = url.database
    if not source or source == ":memory:":
        raise click.ClickException("The database is in memory: nothing to back up.")
    if os.path.exists(path):
        raise click.ClickException(f"{path} exists; choose a new file name.")
    from app.core import files

    files.private_file(path, exclusive=True).close()  # the copy holds personal data: 0600 before it is filled
    src = sqlite3.connect(source)
    dst = sqlite3.connect(path)
    try:
        total = [0]

        def _progress(status, remaining, total_pages):
            total[0] = total_pages

        src.backup(dst, pages=256, progress=_progress)
    finally:
        dst.close()
        src.close()
    click.echo(f"Backed up {source} to {path} ({os.path.getsize(path)} bytes).")


@pm.command("order")
@click.argument("order_no")
@click.argument("action", type=click.Choice(["show", "dispatch", "transfer", "return", "arrive", "suspend", "resume",
                                             "complete", "callback", "reopen", "cancel"]))
@click.option("--user", "username", required=True, help="Who acts (a staff login); their roles decide.")
@click.option("--assignee", default=None, help="dispatch/transfer: the engineer's login.")
@click.option("--note", default="", help="The reason or note kept in the history.")
@click.option("--result", default="", help="complete: what was done.")
@click.option("--labour-fee", default="", help="complete: labour fee in yuan.")
@click.option("--satisfaction", default="", help="callback: very_satisfied, satisfied, fair or unsatisfied.")
def order(order_no, action, username, assignee, note, result, labour_fee, satisfaction):
    """Show a work order, or move it one step (the same rules as the pages and the API)."""
    from sqlalchemy import select

    from app.core.rules import RuleViolation
    from app.service import services
    from app.service.models import ORDER_STATES, WorkOrder

    sm = current_app.appbuilder.sm
    user = sm.find_user(username=username)
    if user is None:
        raise click.ClickException(f"No user {username}.")
    found = db.session.scalar(select(WorkOrder).where(WorkOrder.order_no == order_no))
    if found is None:
        raise click.ClickException(f"No work order {order_no}.")
    if action == "show":
        click.echo(f"{found.order_no} {ORDER_STATES[found.state]} {found.place_label()} {found.description}")
        for e in found.events:
            click.echo(f"  {e.at:%Y-%m-%d %H:%M} {e.user_name} {e.action} {e.from_state or ''} -> {e.to_state}"
                       f" {e.note or ''}")
        return
    set_cli_actor(f"cli:{username}")
    data = {"note": note}
    if assignee:
        engineer = sm.find_user(username=assignee)
        if engineer is None:
            raise click.ClickException(f"No user {assignee}.")
        data["assignee_id"] = engineer.id
    if action == "complete":
        data.update(result=result, labour_fee=labour_fee)
    try:
        if action in ("callback", "reopen"):
            moved = services.callback(found.id, services.Actor.of(user), satisfaction, note=note)
        else:
            moved = services.transition(found.id, action, services.Actor.of(user), **data)
    except RuleViolation as exc:
        db.session.rollback()
        raise click.ClickException(str(exc))
    db.session.commit()
    click.echo(f"{moved.order_no}: {ORDER_STATES[moved.state]}")


@pm.command("bill")
@click.argument("period")
@click.option("--community", "community_code", required=True, help="The community's code.")
@click.option("--user", "username", required=True, help="Who makes the bills (a 收费员 or 项目经理 login).")
@click.option("--building", "building_codes", multiple=True, help="Only this building (its code); repeatable.")
@click.option("--commit", "do_commit", is_flag=True, help="Make the bills; without it only the preview is shown.")
def bill(period, community_code, username, building_codes, do_commit):
    """Preview, or make (--commit), the bills of PERIOD (e.g. 2026-11) for a community."""
    from sqlalchemy import select

    from app.billing import services
    from app.core.rules import Actor, RuleViolation
    from app.estate.models import Building, Community

    user = current_app.appbuilder.sm.find_user(username=username)
    if user is None:
        raise click.ClickException(f"No user {username}.")
    community = db.session.scalar(select(Community).where(Community.code == community_code))
    if community is None:
        raise click.ClickException(f"No community with code {community_code}.")
    buildings = []
    for code in building_codes:
        b = db.session.scalar(select(Building).where(Building.community_id == community.id, Building.code == code))
        if b is None:
            raise click.ClickException(f"No building {code} in {community.name}.")
        buildings.append(b.id)
    set_cli_actor(f"cli:{username}")
    try:
        if not do_commit:
            plan = services.plan_run(community.id, period, buildings)
            click.echo(f"{plan.period}: {plan.count} new bills, {plan.total} yuan ({plan.already} exist already)")
            for name, (count, total) in plan.by_building.items():
                click.echo(f"  {name}: {count} bills, {total} yuan")
            for what, why in plan.skipped:
                click.echo(f"  left out {what}: {why}")
            click.echo("Nothing written; add --commit to make them.")
            return
        with click.progressbar(length=100, label="Writing bills") as bar:
            shown = [0]

            def progress(done, total):
                step = int(done * 100 / total) - shown[0]
                if step > 0:
                    bar.update(step)
                    shown[0] += step

            run = services.commit_run(community.id, period, Actor.of(user), buildings, progress=progress)
            db.session.commit()
    except RuleViolation as exc:
        db.session.rollback()
        raise click.ClickException(str(exc))
    click.echo(f"{run.period}: {run.line_count} bills, {run.total} yuan; {run.settled_count} settled from balances.")


@pm.command("notices")
@click.argument("kind", type=click.Choice(["bill", "reminder"]))
@click.option("--community", "community_code", required=True, help="The community's code.")
@click.option("--building", "building_code", help="Only this building (its code).")
@click.option("--period", help="The billing period of a bill notice (e.g. 2026-11).")
@click.option("--pay-by", "pay_by", help="The date to pay by (default: the period's due date; a week for reminders).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The PDF file to write.")
def notices_command(kind, community_code, building_code, period, pay_by, out_path):
    """Print the 缴费通知单 (bill) or 催缴通知单 (reminder) of a community or building into one PDF, one page per
    household in house-number order: for batches larger than the page prints at once."""
    from sqlalchemy import select

    from app.billing import notices, printing
    from app.core.rules import RuleViolation
    from app.estate.models import Building, Community

    community = db.session.scalar(select(Community).where(Community.code == community_code))
    if community is None:
        raise click.ClickException(f"No community with code {community_code}.")
    building_id = None
    if building_code:
        building_id = db.session.scalar(select(Building.id).where(Building.community_id == community.id,
                                                                   Building.code == building_code))
        if building_id is None:
            raise click.ClickException(f"No building {building_code} in {community.name}.")
    try:
        request = notices.check_request({"kind": kind, "community": community.id, "building": building_id,
                                         "period": period, "pay_by": pay_by})
    except RuleViolation as exc:
        raise click.ClickException(str(exc))
    ids = notices.house_ids(request)
    if not ids:
        click.echo("No household has bills to put on such a notice; nothing written.")
        return
    from app.core import files

    with files.private_file(out_path) as out, click.progressbar(length=len(ids), label="Rendering notices") as bar:
        shown = [0]

        def progress(done, total):
            bar.update(done - shown[0])
            shown[0] = done

        pages = printing.notices_pdf(request, ids, out, progress=progress)
    click.echo(f"{out_path}: {len(ids)} households, {pages} pages.")


def init_app(app) -> None:
    app.cli.add_command(pm)
