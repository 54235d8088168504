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
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_HOPS proxies, take the client's address and scheme from their headers."""
    hops = int(app.config.get("TRUSTED_PROXY_HOPS", 0))
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    """Bind the extensions; SQLite gets WAL, foreign keys and up-front write locks."""
    from server import models  # noqa: F401 — every model registered before migrate sees them
    from server.security import init_security

    _pool_options(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    limiter.init_app(app)
    init_security(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _pool_options(app: Flask) -> None:
    """Size the connection pool of a server database (PostgreSQL) from the DB_POOL_* settings.

    SQLite keeps SQLAlchemy's own pool: its writers queue on the file's lock, not on a pool.
    """
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    options.setdefault("pool_size", app.config["DB_POOL_SIZE"])
    options.setdefault("max_overflow", app.config["DB_MAX_OVERFLOW"])
    options.setdefault("pool_timeout", app.config["DB_POOL_TIMEOUT_S"])
    options.setdefault("pool_recycle", app.config["DB_POOL_RECYCLE_S"])


def _register_blueprints(app: Flask) -> None:
    """Mount the API under /api/v1 and the server-rendered pages."""
    from server.api import (
        audit,
        auth,
        calendar,
        cash,
        catalogue,
        counter,
        deadlines,
        handovers,
        health,
        intake,
        items,
        media,
        personal_data,
        places,
        reports,
        results,
        route,
        sync,
        tracking,
    )
    from server.api import dashboard as dashboard_api
    from server.web import (
        dashboard,
        handover_record,
        pages,
        personal_data_pages,
        statement_page,
    )

    for module in (auth, catalogue, items, handovers, media, route, sync, tracking, audit, reports, dashboard_api,
                   intake, results, deadlines, counter, cash, calendar, places, personal_data):
        app.register_blueprint(module.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(statement_page.bp)
    app.register_blueprint(personal_data_pages.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(handover_record.bp)
    from server.transparency import views as log_views
    from server.transparency import witness
    from server.transparency.integrator import register_integrator

    app.register_blueprint(log_views.bp)
    app.register_blueprint(log_views.api)
    app.register_blueprint(witness.bp)
    register_integrator(app)
