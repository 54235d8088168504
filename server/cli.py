"""Flask commands: users, API tokens, custody verification and daily seals."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from server.accounts.service import change_password, create_user
from server.audit.schemas import VerifyOut
from server.core.errors import ServiceError
from server.core.security import issue_api_token, token_digest
from server.custody.proof import (
    MAX_VERIFY_JOBS,
    default_jobs,
    last_closed_day,
    seal_day,
    verify_all,
)
from server.domain.errors import DomainError
from server.extensions import db
from server.handovers.service import expire_stale_handovers
from server.media.backup import BackupError, create_backup, restore_backup
from server.media.retention import prune_media
from server.media.storage import media_storage
from server.models import ApiToken, Role, Unit, User
from server.models.types import utc_now
from server.notifications.service import configured_sender, drain_outbox
from server.reporting.rollups import roll_up
from server.transparency.cli import add_log_commands


def register_commands(app: Flask) -> None:
    """Attach the commands to `flask --app wsgi …`."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(set_password_command)
    app.cli.add_command(create_token_command)
    app.cli.add_command(revoke_token_command)
    app.cli.add_command(list_tokens_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(custody_group)
    app.cli.add_command(media_group)
    app.cli.add_command(notifications_group)
    app.cli.add_command(reports_group)
    app.cli.add_command(expire_handovers_command)


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
    try:
        create_user(username, password, role, unit.id)
    except DomainError as refusal:  # the password policy (server/domain/passwords.py)
        raise click.ClickException(refusal.message) from None
    db.session.commit()
    click.echo(f"created {username} ({role}, {unit.name})")


@click.command("set-password")
@with_appcontext
@click.argument("username")
@click.password_option()
def set_password_command(username: str, password: str) -> None:
    """Give USERNAME a new password (same policy as create-user); ends their sessions."""
    user = _user_named(username)
    try:
        change_password(user, password)
    except DomainError as refusal:
        raise click.ClickException(refusal.message) from None
    db.session.commit()
    click.echo(f"password of {user.username} changed; their sessions are ended")


def _user_named(username: str) -> User:
    """The user of that name (as typed at sign-in: case and spaces ignored), or a CLI error."""
    user = db.session.execute(
        select(User).where(User.username == username.strip().lower())).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"unknown user {username}")
    return user


@click.command("create-token")
@with_appcontext
@click.argument("username")
@click.argument("name")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="How long it lasts; default API_TOKEN_DAYS.")
def create_token_command(username: str, name: str, days: int | None) -> None:
    """Issue a bearer token for an agency's system acting as USERNAME; printed once.

    Only an agency's account may have tokens; a token registers results and reads items,
    nothing else.
    """
    user = _user_named(username)
    try:
        raw = issue_api_token(user, name, days)
    except ServiceError as refusal:
        raise click.ClickException(refusal.message) from None
    db.session.commit()
    expires_at = db.session.execute(select(ApiToken.expires_at).where(
        ApiToken.token_sha256 == token_digest(raw))).scalar_one()
    click.echo(raw)
    click.echo(f"token {name!r} of {user.username} expires {expires_at:%Y-%m-%d %H:%M} UTC; "
               "it is not shown again", err=True)


@click.command("revoke-token")
@with_appcontext
@click.argument("username")
@click.argument("name", required=False)
def revoke_token_command(username: str, name: str | None) -> None:
    """Revoke USERNAME's live tokens named NAME (all of USERNAME's tokens without NAME)."""
    user = _user_named(username)
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if name is not None:
        query = query.where(ApiToken.name == name)
    tokens = db.session.execute(query).scalars().all()
    if not tokens:
        what = f"named {name!r} " if name is not None else ""
        raise click.ClickException(f"{user.username} has no live token {what}to revoke")
    now = utc_now()
    for token in tokens:
        token.revoked_at = now
    db.session.commit()
    click.echo(f"revoked {len(tokens)} token(s) of {user.username}")


@click.command("list-tokens")
@with_appcontext
@click.argument("username", required=False)
def list_tokens_command(username: str | None) -> None:
    """List the API tokens (of USERNAME, or all): name, dates and state; never the token."""
    query = select(ApiToken).join(ApiToken.user).order_by(User.username, ApiToken.id)
    if username is not None:
        query = query.where(ApiToken.user_id == _user_named(username).id)
    now = utc_now()
    for token in db.session.execute(query).scalars():
        state = ("revoked" if token.revoked_at is not None
                 else "expired" if token.expires_at <= now else "live")
        used = f"{token.last_used_at:%Y-%m-%d}" if token.last_used_at else "never"
        click.echo(f"{token.user.username}\t{token.name}\t{state}\tcreated "
                   f"{token.created_at:%Y-%m-%d}\texpires {token.expires_at:%Y-%m-%d}\t"
                   f"last used {used}")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(file_okay=False))
def backup_command(path: str) -> None:
    """Back up the database and the images into the new folder PATH; the server may keep running."""
    try:
        manifest = create_backup(db.engine, media_storage(), Path(path))
    except BackupError as failure:
        raise click.ClickException(str(failure)) from None
    click.echo(json.dumps(manifest, ensure_ascii=False))


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Replace the database's contents without asking.")
def restore_command(path: str, yes: bool) -> None:
    """Restore the backup folder PATH into DATABASE_URL and the media store (stop the server first).

    Exits 1 when a table does not hold as many rows as when the backup was made.
    """
    target = db.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace everything in {target} with the backup {path}?", abort=True)
    try:
        report = restore_backup(Path(path), db.engine, media_storage())
    except BackupError as failure:
        raise click.ClickException(str(failure)) from None
    click.echo(json.dumps({"ok": report.ok, "restored_into": target,
                           "backup_created_at": report.manifest["created_at"],
                           "tables": report.tables, "expected_tables": report.manifest["tables"],
                           "media_files": report.media_files}, ensure_ascii=False))
    if not report.ok:
        sys.exit(1)


@click.group("custody")
def custody_group() -> None:
    """Custody chain commands."""


add_log_commands(custody_group)


@custody_group.command("verify")
@with_appcontext
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes walking the chains; default: one per CPU "
                   f"(at most {MAX_VERIFY_JOBS}). The report is the same for any number.")
def verify_command(jobs: int | None) -> None:
    """Check every chain, sealed day and image; exit 1 naming the first that fails."""
    report = verify_all(media_storage(), jobs=jobs or default_jobs())
    answer = VerifyOut.model_validate(report).model_dump(mode="json")
    click.echo(json.dumps(answer, ensure_ascii=False))
    if not report.ok:
        current_app.logger.error("custody proof broken: %s", report.first_broken)
        sys.exit(1)


@custody_group.command("seal-day")
@with_appcontext
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Local day (Asia/Ho_Chi_Minh) to seal, YYYY-MM-DD; default: yesterday.")
def seal_day_command(day: datetime | None) -> None:
    """Store a closed day's Merkle root once; a day already sealed is verified, exit 1 if changed."""
    wanted = day.date() if day is not None else last_closed_day()
    try:
        outcome = seal_day(wanted)
    except ServiceError as refusal:
        raise click.ClickException(refusal.message) from None
    db.session.commit()
    sealed = outcome.sealed
    click.echo(json.dumps({
        "day": sealed.day.isoformat(), "root": sealed.root, "event_count": sealed.event_count,
        "computed_at": sealed.computed_at.isoformat(), "created": outcome.created,
        "verified": outcome.verified, "recomputed_root": outcome.recomputed.root,
        "recomputed_event_count": outcome.recomputed.event_count,
        # The day's last checkpoint of the custody log: what the daily report prints.
        "log_size": sealed.log_size, "log_root": sealed.log_root,
    }, ensure_ascii=False))
    if not outcome.verified:
        current_app.logger.error("sealed day %s no longer matches its events", sealed.day)
        sys.exit(1)


@click.group("media")
def media_group() -> None:
    """Image commands."""


@media_group.command("prune")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Count what would go; delete nothing.")
def media_prune_command(dry_run: bool) -> None:
    """Delete image files past MEDIA_RETENTION_DAYS whose items are all closed (rows kept)."""
    report = prune_media(media_storage(),
                         current_app.config["MEDIA_RETENTION_DAYS"], dry_run=dry_run)
    click.echo(json.dumps({
        "dry_run": report.dry_run, "cutoff": report.cutoff.isoformat(), "old": report.old,
        "deleted": report.deleted, "bytes_freed": report.bytes_freed, "kept": report.kept,
        "already_gone": report.already_gone,
    }))


@click.group("notifications")
def notifications_group() -> None:
    """Notification outbox commands."""


@notifications_group.command("send")
@click.option("--limit", default=500, show_default=True, help="At most this many in one run.")
@with_appcontext
def notifications_send_command(limit: int) -> None:
    """Send the pending notifications (safe to run again: a sent one is never resent)."""
    report = drain_outbox(configured_sender(), limit)
    click.echo(json.dumps({"sent": report.sent, "failed": report.failed,
                           "pending": report.pending_left}))


@click.group("reports")
def reports_group() -> None:
    """Summary report commands."""


@reports_group.command("roll-up")
@with_appcontext
@click.option("--through", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last local day to roll up, YYYY-MM-DD; default and at most: yesterday.")
@click.option("--rebuild", is_flag=True, help="Forget every roll-up and recompute all days.")
def roll_up_command(through: datetime | None, rebuild: bool) -> None:
    """Roll up the report's figures of every closed day not rolled up yet (run after seal-day)."""
    outcome = roll_up(through.date() if through is not None else None, rebuild=rebuild)
    db.session.commit()
    click.echo(json.dumps({
        "through": outcome.through.isoformat() if outcome.through else None,
        "days_rolled": len(outcome.days), "already_rolled": outcome.already,
    }, ensure_ascii=False))


@click.command("expire-handovers")
@with_appcontext
def expire_handovers_command() -> None:
    """Close the handover records left unsigned beyond HANDOVER_PENDING_HOURS (run hourly).

    Reading or writing handovers closes them too; this keeps the records right for reports
    when nobody opens the app.
    """
    expired = expire_stale_handovers()
    db.session.commit()
    click.echo(json.dumps({"expired": expired}))
