"""TậnTay: the public postal service for administrative dossiers and their results."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from server.config import INSTANCE_DIR, settings_from_environment
from server.extensions import configure_sqlite_engine, db, limiter, migrate


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → error handlers → CLI."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), static_folder=None)
    app.config.from_mapping(settings_from_environment())
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO)

    _init_extensions(app)
    _register_blueprints(app)

    from server.api.errors import register_error_handlers
    from server.cli import register_commands
    from server.web.headers import add_security_headers

    register_error_handlers(app)
    register_commands(app)
    add_security_headers(app)
    return app


def _init_extensions(app: Flask) -> None:
    """Bind the extensions; SQLite gets WAL, foreign keys and up-front write locks."""
    from server import models  # noqa: F401 — every model registered before migrate sees them
    from server.security import init_security

    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    limiter.init_app(app)
    init_security(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _register_blueprints(app: Flask) -> None:
    """Mount the API under /api/v1 and the server-rendered pages."""
    from server.api import audit, auth, cash, catalogue, counter, deadlines, handovers, intake, items, media
    from server.api import reports, results, route, sync, tracking
    from server.api import dashboard as dashboard_api
    from server.web import dashboard, handover_record, pages, statement_page

    for module in (auth, catalogue, items, handovers, media, route, sync, tracking, audit, reports, dashboard_api,
                   intake, results, deadlines, counter, cash):
        app.register_blueprint(module.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(statement_page.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(handover_record.bp)
