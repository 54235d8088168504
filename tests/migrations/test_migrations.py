"""Migrations: an empty database goes to head, and head comes down one step and back."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from server.domain.official_calendar import OFFICIAL_DECISIONS
from server.extensions import db
from server.models import ApiToken, CalendarDecisionRow
from tests.conftest import empty_tables, reset_schema


def _tables(app: Flask) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_creates_every_model_table(session_app: Flask) -> None:
    reset_schema(session_app)
    assert _tables(session_app) == set(db.metadata.tables)


def test_head_matches_the_models_exactly(session_app: Flask) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    reset_schema(session_app)
    with session_app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_downgrade_one_step_then_upgrade_again(session_app: Flask) -> None:
    reset_schema(session_app)
    assert "ck_items_status_known" in _checks(session_app, "items")
    with session_app.app_context():
        downgrade(revision="-1")
    # The newest migration (0016) checks the item's status; 0012's jobs stay below it, and
    # so do the item's other checks, which the rebuild on SQLite must keep.
    assert _checks(session_app, "items") == {"ck_items_kind_known", "ck_items_fees_not_negative",
                                             "ck_items_event_count_not_negative"}
    assert "verification_jobs" in _tables(session_app)
    with session_app.app_context():
        downgrade(revision="0010_accounts_tokens")
    # 0012 added the background verification jobs; 0010 stays below it.
    assert "verification_jobs" not in _tables(session_app)
    assert "login_failures" in _tables(session_app)
    with session_app.app_context():
        downgrade(revision="0009_custody_integrity")
    # 0010 counts failed sign-ins in the database and gives API tokens an expiry; 0009 stays
    # below it.
    assert "login_failures" not in _tables(session_app)
    assert "expires_at" not in _columns(session_app, "api_tokens")
    assert "payload_digest" in _columns(session_app, "custody_events")
    with session_app.app_context():
        downgrade(revision="0014_admin_map_personal_data")
    # 0009 added the payload digest of synced
    # events and the hand-over an image is bound to; 0014 stays below it.
    assert "payload_digest" not in _columns(session_app, "custody_events")
    assert not {"bound_key", "bound_at"} & _columns(session_app, "media")
    assert "personal_data_accesses" in _tables(session_app)
    with session_app.app_context():
        downgrade(revision="0013_working_calendar")
    # 0014 added the personal-data access log and the 2025 map's codes on item addresses;
    # 0013's working calendar stays below it.
    assert "personal_data_accesses" not in _tables(session_app)
    assert "address_commune_code" not in _columns(session_app, "items")
    assert {"calendar_decisions", "due_date_changes"} <= _tables(session_app)
    with session_app.app_context():
        downgrade(revision="0015_transparency_log")
    # 0013 added the working calendar; 0015's log stays below it.
    assert not {"calendar_decisions", "due_date_changes"} & _tables(session_app)
    assert {"log_entries", "log_tiles", "log_checkpoints"} <= _tables(session_app)
    with session_app.app_context():
        downgrade(revision="0011_handover_workspace")
    # 0015 added the custody log and each sealed day's checkpoint.
    assert not {"log_entries", "log_tiles", "log_checkpoints"} & _tables(session_app)
    assert "log_size" not in _columns(session_app, "daily_roots")
    with session_app.app_context():
        downgrade(revision="0008_report_rollups")
    # 0011 added why a handover record was cancelled or expired.
    assert not {"cancelled_at", "cancelled_by_id", "cancel_reason"} & _columns(
        session_app, "handover_records")
    with session_app.app_context():
        downgrade(revision="0007_covering_event_indexes")
    # 0008 added the report's daily roll-ups; 0007's covering indexes stay below it.
    below = _event_indexes(session_app)
    assert not {"report_day_partials", "report_rollups"} & _tables(session_app)
    assert "ix_custody_events_type_occurred_item" in below
    assert {"daily_roots", "corrections"} <= _tables(session_app)
    with session_app.app_context():
        upgrade()
    assert _tables(session_app) == set(db.metadata.tables)
    head = _event_indexes(session_app)
    assert {"ix_custody_events_type_occurred_item",
            "ix_custody_events_item_type_occurred_seq"} <= head
    assert "ix_custody_events_type_occurred" not in head
    assert {"cash_remittances", "report_day_partials", "report_rollups",
            "calendar_decisions", "due_date_changes"} <= _tables(session_app)
    assert {"sender_signature_sha256", "cancelled_at", "cancelled_by_id",
            "cancel_reason"} <= _columns(session_app, "handover_records")
    assert {"log_size", "log_root"} <= _columns(session_app, "daily_roots")
    assert {"address_province_code", "address_commune_code", "address_legacy"} <= _columns(
        session_app, "items")
    assert {"account_digest", "address_digest", "failed_at"} <= _columns(session_app,
                                                                        "login_failures")
    assert "expires_at" in _columns(session_app, "api_tokens")
    assert "ck_items_status_known" in _checks(session_app, "items")


def test_tokens_made_before_expiry_existed_get_ninety_days(session_app: Flask) -> None:
    reset_schema(session_app)
    empty_tables(session_app)  # SQLite keeps the rows earlier tests of the session left
    with session_app.app_context():
        downgrade(revision="0009_custody_integrity")
        made = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
        with db.engine.begin() as connection:
            unit = connection.execute(text(
                "INSERT INTO units (code, name, kind, path, province, commune, address_line) "
                "VALUES ('U', 'Đơn vị', 'agency', '/1/', 'Ninh Bình', 'Phường A', '') "
                "RETURNING id")).scalar_one()
            user = connection.execute(text(
                "INSERT INTO users (username, full_name, password_hash, role, unit_id, active, "
                "session_version, created_at) VALUES ('agency', '', 'x', 'agency', :unit, "
                ":yes, 1, :made) RETURNING id"), {"unit": unit, "made": made, "yes": True}
            ).scalar_one()
            connection.execute(text(
                "INSERT INTO api_tokens (user_id, name, token_sha256, created_at) "
                "VALUES (:user, 'old', :digest, :made)"),
                {"user": user, "digest": "0" * 64, "made": made})
        upgrade()
        expires_at = db.session.execute(select(ApiToken.expires_at)).scalar_one()
        db.session.remove()
    assert expires_at == made + timedelta(days=90)


def _checks(app: Flask, table: str) -> set[str]:
    with app.app_context():
        return {check["name"] for check in inspect(db.engine).get_check_constraints(table)}


def _columns(app: Flask, table: str) -> set[str]:
    with app.app_context():
        return {column["name"] for column in inspect(db.engine).get_columns(table)}


def test_every_migration_comes_down_to_an_empty_database(session_app: Flask) -> None:
    reset_schema(session_app)
    with session_app.app_context():
        downgrade(revision="base")
    assert _tables(session_app) == set()
    with session_app.app_context():
        upgrade()
    assert _tables(session_app) == set(db.metadata.tables)


def _event_indexes(app: Flask) -> set[str]:
    with app.app_context():
        return {index["name"] for index in inspect(db.engine).get_indexes("custody_events")}


def test_the_calendar_is_seeded_with_the_official_2025_and_2026_decisions(session_app: Flask) -> None:
    reset_schema(session_app)
    with session_app.app_context():
        rows = db.session.execute(select(CalendarDecisionRow)).scalars().all()
        seeded = {(r.day, r.working, r.reason, r.legal_basis) for r in rows}
        db.session.remove()
    assert seeded == {(d.day, d.working, d.reason, d.legal_basis) for d in OFFICIAL_DECISIONS}
