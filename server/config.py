"""Settings read from environment variables, with safe defaults for a laptop demo."""
from __future__ import annotations

import os
from pathlib import Path

from server.domain.flags import working_hours

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def env_str(name: str, default: str) -> str:
    """Return the environment variable `name`, or `default` when unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_int(name: str, default: int) -> int:
    """Return the environment variable `name` as an int, or `default`."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    """Return the environment variable `name` as a float, or `default`."""
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def env_bool(name: str, default: bool) -> bool:
    """Return the environment variable `name` as a boolean (1/true/yes/on)."""
    value = os.environ.get(name, "").strip().lower()
    return value in {"1", "true", "yes", "on"} if value else default


def load_secret_key() -> str:
    """Return SECRET_KEY, or a random key kept in instance/ so sessions survive restarts."""
    configured = os.environ.get("SECRET_KEY", "").strip()
    if configured:
        return configured
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(os.urandom(32).hex())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Map plain `postgresql://` URLs to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def settings_from_environment() -> dict[str, object]:
    """Collect every setting of the app from the environment."""
    default_db = f"sqlite:///{INSTANCE_DIR / 'tantay.sqlite3'}"
    secret_key = load_secret_key()
    return {
        "SECRET_KEY": secret_key,
        # Keyed hash of ID numbers: separate from SECRET_KEY so rotating sessions keeps digests.
        "ID_HASH_KEY": env_str("ID_HASH_KEY", secret_key),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env_str("DATABASE_URL", default_db)),
        # pre_ping: a connection that died while pooled (PostgreSQL restarted) is replaced, so
        # the app recovers by itself. hide_parameters: a logged database error never carries
        # the values of a statement (citizens' names, phones).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # The connection pool of each worker process on PostgreSQL (server/__init__.py).
        # A gthread worker runs THREADS requests at once, each holding one connection for
        # its transaction: pool_size = threads, plus a small overflow for bursts. The
        # database must allow processes × (pool_size + max_overflow) connections in all
        # (PostgreSQL's max_connections defaults to 100); see docs/production.md.
        "DB_POOL_SIZE": env_int("DB_POOL_SIZE", 4),
        "DB_MAX_OVERFLOW": env_int("DB_MAX_OVERFLOW", 2),
        # Seconds a request waits for a free connection before failing (answered 503).
        "DB_POOL_TIMEOUT_S": env_int("DB_POOL_TIMEOUT_S", 10),
        # Connections older than this are replaced, below the idle timeouts of firewalls
        # and of poolers such as PgBouncer.
        "DB_POOL_RECYCLE_S": env_int("DB_POOL_RECYCLE_S", 1800),
        # How long an SQLite writer waits for another's write lock before answering 503.
        "SQLITE_BUSY_TIMEOUT_MS": env_int("SQLITE_BUSY_TIMEOUT_MS", 15000),
        # Where images live: `local` (files under MEDIA_DIR) or `s3` (an S3-compatible bucket;
        # credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, as boto3 reads them).
        "MEDIA_STORAGE": env_str("MEDIA_STORAGE", "local").lower(),
        "MEDIA_DIR": env_str("MEDIA_DIR", str(INSTANCE_DIR / "media")),
        "S3_ENDPOINT_URL": env_str("S3_ENDPOINT_URL", ""),
        "S3_BUCKET": env_str("S3_BUCKET", ""),
        "S3_REGION": env_str("S3_REGION", ""),
        "S3_PREFIX": env_str("S3_PREFIX", ""),
        "MEDIA_MAX_BYTES": env_int("MEDIA_MAX_BYTES", 2 * 1024 * 1024),
        # Days an image file is kept (TT17 Art.14: records at least 5 years): `media prune`.
        "MEDIA_RETENTION_DAYS": env_int("MEDIA_RETENTION_DAYS", 1826),
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH", 4 * 1024 * 1024),
        "BASE_URL": env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        # `module:Class` of the notification sender; empty: the log sender (no personal data).
        "NOTIFICATION_SENDER": env_str("NOTIFICATION_SENDER", ""),
        "TRACKING_PREFIX_DOSSIER": env_str("TRACKING_PREFIX_DOSSIER", "HS"),
        "TRACKING_PREFIX_RESULT": env_str("TRACKING_PREFIX_RESULT", "KQ"),
        "FAR_FROM_ADDRESS_M": env_float("FAR_FROM_ADDRESS_M", 300.0),
        # Audit flags raised at ingest (docs/design.md §4); they never refuse an event.
        # A doorstep fix less precise than this (± metres) cannot place the event: poor_accuracy.
        "FLAG_POOR_ACCURACY_M": env_float("FLAG_POOR_ACCURACY_M", 100.0),
        # Faster than this between one person's consecutive fixes (accuracies allowed for):
        # impossible_speed. Built-up areas allow a motorbike 50-60 km/h; 80 leaves room for
        # the roads between communes.
        "FLAG_MAX_SPEED_KMH": env_float("FLAG_MAX_SPEED_KMH", 80.0),
        # A delivery or collection fixed this close to the actor's post office: at_post_office.
        "FLAG_AT_POST_OFFICE_M": env_float("FLAG_AT_POST_OFFICE_M", 150.0),
        # The phone's clock this far from the server's (seconds), or an event dated this far
        # in the future: clock_skew.
        "FLAG_CLOCK_SKEW_S": env_float("FLAG_CLOCK_SKEW_S", 300.0),
        # Local hours of field work (Asia/Ho_Chi_Minh), days off from the Vietnamese calendar:
        # a field event outside them is after_hours. Parsed here so a typo stops the start.
        "FLAG_WORKING_HOURS": working_hours(env_str("FLAG_WORKING_HOURS", "07:00-19:00")),
        "SYNC_MAX_EVENTS": env_int("SYNC_MAX_EVENTS", 200),
        # What a postman may still read of the items he handled (Law 91/2025/QH15).
        "POSTMAN_RECENT_DAYS": env_int("POSTMAN_RECENT_DAYS", 7),
        # Hours a handover record waits for the receiver's signature; then it expires (its
        # items may be listed again). A morning load not signed by the next morning is stale.
        "HANDOVER_PENDING_HOURS": env_int("HANDOVER_PENDING_HOURS", 24),
        # Working days a result waits for collection at the post office after the last
        # invitation (the post's holding period, told to the citizen on the tracking page).
        "PICKUP_HOLD_WORKING_DAYS": env_int("PICKUP_HOLD_WORKING_DAYS", 5),
        # An unfinished item due by the close of this many working days after today, and not
        # yet in hand (out for delivery), is at risk of missing its deadline (TT17 Art.7).
        "DEADLINE_AT_RISK_WORKING_DAYS": env_int("DEADLINE_AT_RISK_WORKING_DAYS", 1),
        # Failed sign-ins of one account (server/domain/login_throttle.py), counted in the
        # database so every worker and server shares the count.
        "LOGIN_RATE_LIMIT": env_str("LOGIN_RATE_LIMIT", "10 per minute"),
        # Failed sign-ins from one address, whatever the account: higher, as a whole post
        # office signs in from behind one address.
        "LOGIN_ADDRESS_RATE_LIMIT": env_str("LOGIN_ADDRESS_RATE_LIMIT", "30 per minute"),
        # Days an agency system's API token lasts (`flask create-token`, `--days` to differ).
        "API_TOKEN_DAYS": env_int("API_TOKEN_DAYS", 90),
        "TRACKING_RATE_LIMIT": env_str("TRACKING_RATE_LIMIT", "120 per minute"),
        "RATELIMIT_STORAGE_URI": env_str("RATELIMIT_STORAGE_URI", "memory://"),
        # Names the counters in a shared store, so two deployments can share one Redis.
        "RATELIMIT_KEY_PREFIX": env_str("RATELIMIT_KEY_PREFIX", "tantay"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Proxies (load balancer, nginx) in front of the app that set X-Forwarded-For and
        # X-Forwarded-Proto: trust that many hops, so rate limits and logs see the phone's
        # address, not the balancer's. 0 when the app faces the clients itself.
        "TRUSTED_PROXY_HOPS": env_int("TRUSTED_PROXY_HOPS", 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_DURATION": env_int("SESSION_DAYS", 2) * 86400,
        "PERMANENT_SESSION_LIFETIME": env_int("SESSION_DAYS", 2) * 86400,
        "PASSWORD_HASH_FAST": env_bool("PASSWORD_HASH_FAST", False),
        "PWA_DIST": env_str("PWA_DIST", str(PROJECT_ROOT / "pwa" / "dist")),
        "EXPORT_SIGNING_KEY": env_str("EXPORT_SIGNING_KEY", ""),  # Ed25519 PEM; else instance/
        # The custody log (server/transparency): its checkpoints' Ed25519 key (PEM; else one
        # generated once into instance/), its origin line (default: BASE_URL without scheme
        # + "/log"), how often the server integrates new events by itself (0: never), and
        # the witnesses it asks to cosign: "URL vkey" pairs separated by commas.
        "LOG_SIGNING_KEY": env_str("LOG_SIGNING_KEY", ""),
        "LOG_ORIGIN": env_str("LOG_ORIGIN", ""),
        "LOG_CHECKPOINT_SECONDS": env_float("LOG_CHECKPOINT_SECONDS", 10.0),
        "LOG_WITNESSES": env_str("LOG_WITNESSES", ""),
        # As a witness of other logs: their verifier keys (vkey), separated by commas, and
        # this witness's own cosigning key (PEM; else generated once into instance/).
        "WITNESS_LOGS": env_str("WITNESS_LOGS", ""),
        "WITNESS_SIGNING_KEY": env_str("WITNESS_SIGNING_KEY", ""),
        "WITNESS_NAME": env_str("WITNESS_NAME", ""),
    }
