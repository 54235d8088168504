"""TậnTay: the public postal service for administrative dossiers and their results."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from server import models  # noqa: F401 — every model registered before migrate sees them
from server.accounts import api as accounts_api
from server.audit import api as audit_api
from server.cash import api as cash_api
from server.cash import pages as cash_pages
from server.catalogue import api as catalogue_api
from server.catalogue import places_api
from server.cli import register_commands
from server.config import INSTANCE_DIR, settings_from_environment
from server.core import health
from server.core.error_handlers import register_error_handlers
from server.core.headers import add_security_headers
from server.core.security import init_security
from server.custody import api as custody_api
from server.extensions import configure_sqlite_engine, db, limiter, migrate
from server.handovers import api as handovers_api
from server.handovers import pages as handovers_pages
from server.items import api as items_api
from server.items import counter_api, intake_api, results_api, route_api, tracking_api
from server.media import api as media_api
from server.privacy import api as privacy_api
from server.privacy import pages as privacy_pages
from server.reporting import api as reporting_api
from server.reporting import dashboard_api, deadlines_api
from server.reporting import pages as reporting_pages
from server.transparency import views as log_views
from server.transparency import witness
from server.transparency.integrator import register_integrator
from server.web import pages as app_pages
from server.workdays import api as workdays_api

#: Every blueprint, feature by feature; the app shell's pages (catch-all routes) come last.
BLUEPRINTS = (
    accounts_api.bp, catalogue_api.bp, places_api.bp, workdays_api.bp, media_api.bp,
    custody_api.bp, items_api.bp, intake_api.bp, counter_api.bp, results_api.bp, route_api.bp,
    tracking_api.bp, handovers_api.bp, cash_api.bp, reporting_api.bp, dashboard_api.bp,
    deadlines_api.bp, audit_api.bp, privacy_api.bp, health.bp,
    reporting_pages.bp, cash_pages.bp, privacy_pages.bp, handovers_pages.bp,
    log_views.bp, log_views.api, witness.bp, app_pages.bp,
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → error handlers → CLI."""
    # Every feature's pages render from the one template folder of the app shell (server/web).
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), static_folder=None,
                template_folder="web/templates")
    app.config.from_mapping(settings_from_environment())
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO)

    _init_extensions(app)
    _register_blueprints(app)

    register_error_handlers(app)
    register_commands(app)
    add_security_headers(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_HOPS proxies, take the client's address and scheme from their headers."""
    hops = int(app.config.get("TRUSTED_PROXY_HOPS", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    """Bind the extensions; SQLite gets WAL, foreign keys and up-front write locks."""
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
    """Mount every feature's API (under /api/v1) and its server-rendered pages."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_integrator(app)
