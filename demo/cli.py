"""`flask --app wsgi seed-demo`: the demo province, registered by wsgi.py (not by the server)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from demo.seed import DEMO_USERS, OTHER_UNIT_USERS, demo_password, seed_demo
from server.domain.errors import DomainError
from server.extensions import db
from server.models import User


def register_demo_commands(app: Flask) -> None:
    """Attach `seed-demo` to the app's command line."""
    app.cli.add_command(seed_demo_command)


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when users already exist.")
@click.option("--citizens", default=300, show_default=True, help="How many synthetic citizens.")
@click.option("--seed", default=2026, show_default=True, help="Random seed (same data each run).")
def seed_demo_command(if_empty: bool, citizens: int, seed: int) -> None:
    """Create a demo province, its users (password tantay-demo or DEMO_PASSWORD) and items."""
    if if_empty and db.session.execute(select(User.id).limit(1)).first() is not None:
        click.echo("Demo data already there; nothing to do.")
    else:
        try:
            seed_demo(citizen_count=citizens, seed=seed)
        except DomainError as refusal:  # a DEMO_PASSWORD the password policy refuses
            raise click.ClickException(f"DEMO_PASSWORD: {refusal.message}") from None
        db.session.commit()
    click.echo(f"Demo logins (password: {demo_password()}):")
    for username, role, unit in DEMO_USERS + OTHER_UNIT_USERS:
        click.echo(f"  {username:<11} {role:<10} {unit}")
