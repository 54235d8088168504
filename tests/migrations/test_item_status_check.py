"""0016: the database keeps an item's status among the lifecycle's, and adding the check to a
table full of rows other tables point at (SQLite rebuilds it) loses nothing."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, inspect, text
from sqlalchemy.exc import IntegrityError

from server.extensions import db
from server.models import Item
from tests.api.checks import row_counts
from tests.api.scenario import clerk_and_postman

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0016_item_status_check.py"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("item_status_check", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _checks(app: Flask) -> set[str]:
    with app.app_context():
        return {check["name"] for check in inspect(db.engine).get_check_constraints("items")}


def _foreign_key_faults(app: Flask) -> list[Any]:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return []
        with db.engine.connect() as connection:
            return list(connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall())


def test_the_migration_freezes_the_models_check_of_today() -> None:
    [check] = [c for c in Item.__table__.constraints
               if isinstance(c, CheckConstraint) and c.name == "ck_items_status_known"]
    assert _migration().CONDITION == str(check.sqltext)


def test_the_check_comes_and_goes_with_every_row_and_key_kept(app: Flask, world: Any,
                                                              new_api: Any) -> None:
    clerk_and_postman(new_api, 2, handed_over=True)  # items, events, a handover, its lines
    before = row_counts(app)
    assert before["items"] == 2 and before["custody_events"] > 2
    with app.app_context():
        downgrade(revision="-1")
    assert "ck_items_status_known" not in _checks(app)
    assert row_counts(app) == before and _foreign_key_faults(app) == []
    with app.app_context():
        upgrade()
    assert "ck_items_status_known" in _checks(app)
    assert {"ck_items_kind_known", "ck_items_fees_not_negative"} <= _checks(app)
    assert row_counts(app) == before and _foreign_key_faults(app) == []
    with app.app_context():
        foreign_keys = db.session.execute(text("PRAGMA foreign_keys")).scalar_one() \
            if db.engine.dialect.name == "sqlite" else 1
        db.session.remove()
    assert foreign_keys == 1  # turned on again after the rebuild


@pytest.mark.parametrize("status", ["lost", "pending", "Delivered"])
def test_the_database_refuses_a_status_outside_the_lifecycle(app: Flask, world: Any,
                                                             new_api: Any, status: str) -> None:
    [number] = clerk_and_postman(new_api, 1).numbers
    before = row_counts(app)
    with app.app_context():
        with pytest.raises(IntegrityError, match="ck_items_status_known"):
            db.session.execute(text("UPDATE items SET status = :status WHERE tracking_number = :n"),
                               {"status": status, "n": number})
            db.session.flush()
        db.session.rollback()
    assert row_counts(app) == before
