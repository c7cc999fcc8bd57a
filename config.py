"""Settings, read from the environment with safe defaults for development."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production, see create_app


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _database_url() -> str:
    return psycopg_url(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'coordination.db'}"))


def psycopg_url(url: str) -> str:
    """Heroku-style and bare postgres URLs mean psycopg 3 here."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Everything the app reads; each maps to one environment variable of the same name."""

    ENV_NAME = os.environ.get("COORDINATION_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    #: issue 14: a PostgreSQL hot standby of DATABASE_URL (streaming replication). Set, the dashboards, the home
    #: page's counters and the compliance report's rows read from it (see README, "Read replicas"); empty: every
    #: statement on DATABASE_URL, as before
    REPLICA_DATABASE_URL = psycopg_url(os.environ.get("REPLICA_DATABASE_URL", ""))
    #: seconds to wait for the standby to accept a connection before reading from the primary instead
    REPLICA_CONNECT_TIMEOUT = _int("REPLICA_CONNECT_TIMEOUT", 2)
    #: after the standby failed to answer, seconds during which this process reads from the primary without trying it
    REPLICA_RETRY_SECONDS = _int("REPLICA_RETRY_SECONDS", 30)
    #: issue 14: the "Chờ xử lý" counts (menu, home, queue page, API) stop at this many a section and show "1.000+":
    #: a province's monitor has tens of thousands of reports waiting, and an exact count read them all on every page
    QUEUE_COUNT_LIMIT = _int("QUEUE_COUNT_LIMIT", 1000)
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Ho_Chi_Minh")
    #: an open assignment this many working days from its deadline (or closer) is "sắp đến hạn"
    DUE_SOON_DAYS = _int("DUE_SOON_DAYS", 3)
    #: the days of the week that are worked (mon…sun or 1…7, Monday 1); holidays come from coordination.workdays
    WORKING_WEEKDAYS = os.environ.get("WORKING_WEEKDAYS", "mon,tue,wed,thu,fri")
    #: how long a process keeps the calendar's table before reading it again (another worker may have changed
    #: it; this process's own changes apply at once); 0: until this process changes it
    WORKING_CALENDAR_CACHE_SECONDS = _int("WORKING_CALENDAR_CACHE_SECONDS", 300)

    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "vi")
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ("vi", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", ENV_NAME == "production")
    #: a session ends after this long without a request, and this long after login whatever happens
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_MAX_HOURS = _int("SESSION_MAX_HOURS", 12)
    PERMANENT_SESSION_LIFETIME = SESSION_MAX_HOURS * 3600
    # Remember-me is not offered (login_user(remember=False)); were it ever, its cookie would be short and Secure.
    REMEMBER_COOKIE_DURATION = SESSION_MAX_HOURS * 3600
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session

    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCKOUT_MINUTES = _int("LOGIN_LOCKOUT_MINUTES", 15)
    API_TOKEN_TTL_HOURS = _int("API_TOKEN_TTL_HOURS", 24 * 30)
    #: comma-separated roles that must sign in with a second factor (TOTP), e.g. "admin,office"; empty: optional
    TOTP_REQUIRED_ROLES = os.environ.get("TOTP_REQUIRED_ROLES", "")
    #: the name authenticator apps show beside the account
    TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "Theo dõi nhiệm vụ")
    #: seals the TOTP secrets in the database; empty: derived from SECRET_KEY. Set it to rotate SECRET_KEY
    #: without making every user enrol again
    TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY", "")
    #: how long the half-signed-in state between the password and the second factor lasts
    TOTP_PENDING_MINUTES = _int("TOTP_PENDING_MINUTES", 10)

    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR", str(BASE_DIR / "instance" / "evidence"))
    # "directory" (EVIDENCE_DIR) or "s3": an S3-compatible bucket that several app servers share; credentials
    # come from boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the host's role).
    EVIDENCE_STORE = os.environ.get("EVIDENCE_STORE", "directory")
    EVIDENCE_S3_BUCKET = os.environ.get("EVIDENCE_S3_BUCKET", "")
    EVIDENCE_S3_PREFIX = os.environ.get("EVIDENCE_S3_PREFIX", "evidence/")
    EVIDENCE_S3_ENDPOINT_URL = os.environ.get("EVIDENCE_S3_ENDPOINT_URL", "")
    EVIDENCE_S3_REGION = os.environ.get("EVIDENCE_S3_REGION", "")
    EVIDENCE_MAX_BYTES = _int("MAX_UPLOAD_MB", 20) * 1024 * 1024
    #: an image whose header claims more pixels is refused (a phone photo has 12-50 million)
    EVIDENCE_MAX_PIXELS = _int("EVIDENCE_MAX_MEGAPIXELS", 100) * 1_000_000
    # One request may carry several files; each is held to EVIDENCE_MAX_BYTES.
    MAX_CONTENT_LENGTH = 4 * EVIDENCE_MAX_BYTES + 1024 * 1024
    #: comma-separated MIME types accepted as evidence (detected from content)
    EVIDENCE_ALLOWED_TYPES = tuple(
        t.strip()
        for t in os.environ.get(
            "EVIDENCE_ALLOWED_TYPES",
            "application/pdf,image/png,image/jpeg,"
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
            "application/vnd.oasis.opendocument.text,text/plain",
        ).split(",")
        if t.strip()
    )

    #: issue 14: the Redis of the export queue (redis://host:6379/0); empty: no queue, every export is made in its
    #: request, as before
    REDIS_URL = os.environ.get("REDIS_URL", "")
    #: with a queue, a report whose scope holds more assignments than this is made by the worker (`flask jobs worker`)
    EXPORT_SYNC_MAX_ROWS = _int("EXPORT_SYNC_MAX_ROWS", 2000)
    #: where the worker's files are kept ("directory"); with EVIDENCE_STORE=s3 they go to the same bucket under
    #: EXPORT_S3_PREFIX, so that every app server reaches them
    EXPORT_DIR = os.environ.get("EXPORT_DIR", str(BASE_DIR / "instance" / "exports"))
    EXPORT_S3_PREFIX = os.environ.get("EXPORT_S3_PREFIX", "exports/")
    #: hours an export's file stays downloadable; `flask jobs purge` deletes it after
    EXPORT_TTL_HOURS = _int("EXPORT_TTL_HOURS", 72)
    #: seconds the worker may spend on one export before it is stopped and marked failed
    EXPORT_JOB_TIMEOUT = _int("EXPORT_JOB_TIMEOUT", 3600)

    API_TITLE = "coordination"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/static/"  # served from the swagger-ui-bundle package, no CDN

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "coordination@localhost")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    #: days an invitation link (a user imported without a password) stays usable
    INVITATION_TTL_DAYS = _int("INVITATION_TTL_DAYS", 7)

    #: `json`: one JSON object per line on stderr (the journal keeps them); `text`: Flask's default lines
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    #: proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto/-Host are trusted; 0 trusts none
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    #: comma-separated addresses or networks that may read /metrics (others get 404)
    METRICS_ALLOWED_IPS = os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1")

    #: issue 15: webhooks may call loopback, private and link-local addresses (an intranet e-office system;
    #: tests, whose receiver listens on 127.0.0.1); off, such URLs are refused (SSRF)
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES = _bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
    #: seconds to connect and to wait for each answer of a webhook endpoint
    WEBHOOK_TIMEOUT_SECONDS = _int("WEBHOOK_TIMEOUT_SECONDS", 5)
    #: attempts before a delivery is given up (retries wait 1, 2, 4 ... minutes, at most 6 hours)
    WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 10)
