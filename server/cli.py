"""Flask commands: demo data, users, API tokens, custody verification."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from server.extensions import db
from server.models import Role, Unit, User
from server.security import issue_api_token
from server.services.auth import create_user
from server.services.custody import verify_custody


def register_commands(app: Flask) -> None:
    """Attach the commands to `flask --app wsgi …`."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_token_command)
    app.cli.add_command(custody_group)


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when users already exist.")
@click.option("--citizens", default=300, show_default=True, help="How many synthetic citizens.")
@click.option("--seed", default=2026, show_default=True, help="Random seed (same data each run).")
def seed_demo_command(if_empty: bool, citizens: int, seed: int) -> None:
    """Create a demo province, its users (password tantay-demo or DEMO_PASSWORD) and items."""
    from server.demo import DEMO_USERS, demo_password, seed_demo

    if if_empty and db.session.execute(select(User.id).limit(1)).first() is not None:
        click.echo("Demo data already there; nothing to do.")
    else:
        seed_demo(citizen_count=citizens, seed=seed)
        db.session.commit()
    click.echo("Demo logins (password: %s):" % demo_password())
    for username, role, _unit in DEMO_USERS:
        click.echo(f"  {username:<11} {role}")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.argument("unit_code")
@click.password_option()
def create_user_command(username: str, role: str, unit_code: str, password: str) -> None:
    """Add a user of a unit with a role."""
    unit = db.session.execute(select(Unit).where(Unit.code == unit_code)).scalar_one_or_none()
    if unit is None:
        raise click.ClickException(f"unknown unit {unit_code}")
    create_user(username, password, role, unit.id)
    db.session.commit()
    click.echo(f"created {username} ({role}, {unit.name})")


@click.command("create-token")
@with_appcontext
@click.argument("username")
@click.argument("name")
def create_token_command(username: str, name: str) -> None:
    """Issue a bearer token for a machine client acting as USERNAME; printed once."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"unknown user {username}")
    raw = issue_api_token(user, name)
    db.session.commit()
    click.echo(raw)


@click.group("custody")
def custody_group() -> None:
    """Custody chain commands."""


@custody_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Walk every custody chain; exit 1 naming the first broken link."""
    report = verify_custody()
    click.echo(json.dumps({"ok": report.ok, "items_checked": report.items_checked,
                           "events_checked": report.events_checked,
                           "first_broken": report.first_broken}, ensure_ascii=False))
    if not report.ok:
        current_app.logger.error("custody chain broken: %s", report.first_broken)
        sys.exit(1)
