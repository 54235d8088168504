"""Backup and restore with the documented commands, the images included.

A demo province is backed up with `flask --app wsgi backup`, then damaged (an event deleted,
an image lost: `custody verify` fails). `flask --app wsgi restore` brings it back, into a
fresh database and media folder and over the damaged one: `custody verify` passes and every
table holds as many rows as when the backup was made.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, inspect, text

from demo.seed import seed_demo
from server.extensions import db
from server.media.service import media_path
from tests.faults.conftest import flask_command, own_database


def _operator_env(database_url: str, media_dir: Path) -> dict[str, str]:
    """The environment an operator runs the commands with."""
    return {**os.environ, "DATABASE_URL": database_url, "MEDIA_DIR": str(media_dir),
            "SECRET_KEY": "test-secret", "PASSWORD_HASH_FAST": "1"}


def _counts(database_url: str) -> dict[str, int]:
    """Rows of every table, read directly."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
                    for name in sorted(inspect(connection).get_table_names())}
    finally:
        engine.dispose()


def _verify(env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """`custody verify`: its exit code and its report."""
    done = flask_command(env, "custody", "verify")
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])


def _restore(env: dict[str, str], backup: Path) -> dict[str, Any]:
    """`restore --yes`, which must succeed; its report."""
    done = flask_command(env, "restore", "--yes", str(backup))
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _damage(app: Flask) -> str:
    """Delete an item's last event (and its flags) and one image file; answer the item."""
    with app.app_context():
        victim = db.session.execute(text(
            "SELECT e.id, i.tracking_number FROM custody_events e JOIN items i ON i.id = e.item_id "
            "WHERE e.seq = i.event_count AND e.seq > 1 ORDER BY i.id LIMIT 1")).one()
        db.session.execute(text("DELETE FROM audit_flags WHERE event_id = :id"), {"id": victim.id})
        db.session.execute(text("DELETE FROM custody_events WHERE id = :id"), {"id": victim.id})
        image = db.session.execute(text("SELECT sha256 FROM media ORDER BY sha256 LIMIT 1")).scalar_one()
        db.session.commit()
        db.session.remove()
    media_path(app.config["MEDIA_DIR"], image).unlink()
    return victim.tracking_number


def _seeded_live(app, citizen_count: int, seed: int) -> tuple[str, dict[str, str]]:
    """Seed the demo into the app's database; answer its URL and an operator's env on it."""
    with app.app_context():
        seed_demo(citizen_count=citizen_count, seed=seed)
        db.session.commit()
        db.session.remove()
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    return database_url, _operator_env(database_url, Path(app.config["MEDIA_DIR"]))


@pytest.mark.timeout(150)
def test_backup_then_restore_gives_back_every_row_and_image_and_the_chains_verify(app, tmp_path):
    database_url, live = _seeded_live(app, citizen_count=8, seed=7)
    backup = tmp_path / "backup-1"

    done = flask_command(live, "backup", str(backup))
    assert done.returncode == 0, done.stderr
    manifest = json.loads(done.stdout.strip().splitlines()[-1])
    assert manifest["tables"] == _counts(database_url)
    assert manifest["tables"]["custody_events"] > 0 and manifest["media_files"] > 0
    database_file = "database.dump" if "postgresql" in database_url else "database.sqlite3"
    assert sorted(p.name for p in backup.iterdir()) == sorted(["manifest.json", "media.tar", database_file])

    victim = _damage(app)
    code, report = _verify(live)
    assert code == 1 and report["first_broken"]["tracking_number"] == victim

    # Into a fresh database and an empty media folder.
    fresh = _operator_env(own_database(tmp_path, "restored"), tmp_path / "restored-media")
    restored = _restore(fresh, backup)
    assert restored["ok"] is True and restored["tables"] == manifest["tables"]
    assert _counts(fresh["DATABASE_URL"]) == manifest["tables"]
    code, report = _verify(fresh)
    assert code == 0, report
    assert report["items_checked"] == manifest["tables"]["items"]
    assert report["events_checked"] == manifest["tables"]["custody_events"]
    assert report["media_checked"] > 0

    # Over the damaged database, in place (the server stopped).
    _restore(live, backup)
    assert _counts(database_url) == manifest["tables"]
    code, report = _verify(live)
    assert code == 0, report


def test_restore_refuses_a_damaged_backup_and_changes_nothing(app, tmp_path):
    _database_url, live = _seeded_live(app, citizen_count=3, seed=11)
    backup = tmp_path / "backup-2"
    assert flask_command(live, "backup", str(backup)).returncode == 0
    with (backup / "media.tar").open("r+b") as archive:  # a copy cut short on its way off-site
        archive.truncate(archive.seek(0, os.SEEK_END) // 2)

    fresh = _operator_env(own_database(tmp_path, "restored"), tmp_path / "restored-media")
    before = _counts(fresh["DATABASE_URL"])
    done = flask_command(fresh, "restore", "--yes", str(backup))
    assert done.returncode != 0
    assert _counts(fresh["DATABASE_URL"]) == before
    assert not (tmp_path / "restored-media").exists()
    assert "media.tar" in done.stderr and "damaged" in done.stderr
