"""Settings read from environment variables, with safe defaults for a laptop demo."""
from __future__ import annotations

import os
from pathlib import Path

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
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MEDIA_DIR": env_str("MEDIA_DIR", str(INSTANCE_DIR / "media")),
        "MEDIA_MAX_BYTES": env_int("MEDIA_MAX_BYTES", 2 * 1024 * 1024),
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH", 4 * 1024 * 1024),
        "BASE_URL": env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        "TRACKING_PREFIX_DOSSIER": env_str("TRACKING_PREFIX_DOSSIER", "HS"),
        "TRACKING_PREFIX_RESULT": env_str("TRACKING_PREFIX_RESULT", "KQ"),
        "FAR_FROM_ADDRESS_M": env_float("FAR_FROM_ADDRESS_M", 300.0),
        "SYNC_MAX_EVENTS": env_int("SYNC_MAX_EVENTS", 200),
        "LOGIN_RATE_LIMIT": env_str("LOGIN_RATE_LIMIT", "10 per minute"),
        "TRACKING_RATE_LIMIT": env_str("TRACKING_RATE_LIMIT", "120 per minute"),
        "RATELIMIT_STORAGE_URI": env_str("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_DURATION": env_int("SESSION_DAYS", 2) * 86400,
        "PERMANENT_SESSION_LIFETIME": env_int("SESSION_DAYS", 2) * 86400,
        "PASSWORD_HASH_FAST": env_bool("PASSWORD_HASH_FAST", False),
        "PWA_DIST": env_str("PWA_DIST", str(PROJECT_ROOT / "pwa" / "dist")),
    }
