"""Settings read once from the environment, with defaults that are safe for each kind of deployment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENTS = ("development", "testing", "production")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The app refuses to start with settings that would be unsafe."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _count(value: str | None, name: str) -> int:
    try:
        count = int(value or 0)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if count < 0:
        raise ConfigError(f"{name} must not be negative")
    return count


@dataclass(frozen=True)
class Settings:
    environment: str = "production"
    secret_key: str | None = None
    database_url: str = ""
    instance_path: Path = PROJECT_ROOT / "instance"
    demo_mode: bool = False
    cookie_secure: bool = True
    mail_server: str | None = None
    mail_port: int = 25
    mail_username: str | None = None
    mail_password: str | None = None
    mail_use_tls: bool = False
    mail_sender: str = "noreply@greenchain.local"
    ratelimit_storage_uri: str = "memory://"
    login_limit_per_account: str = "5 per 15 minutes"
    login_limit_per_address: str = "20 per 15 minutes"
    api_rate_limit: str = "120 per minute"
    max_upload_mb: int = 20
    base_url: str = ""
    proxy_hops: int = 0

    @classmethod
    def from_env(cls, env: os._Environ | dict | None = None) -> Settings:
        env = os.environ if env is None else env
        environment = env.get("PORTAL_ENV", "production")
        if environment not in ENVIRONMENTS:
            raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
        instance_path = Path(env.get("PORTAL_INSTANCE_PATH") or PROJECT_ROOT / "instance")
        relaxed = environment != "production"
        return cls(
            environment=environment,
            secret_key=env.get("SECRET_KEY") or None,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portal.sqlite3'}",
            instance_path=instance_path,
            demo_mode=_flag(env.get("PORTAL_DEMO"), default=relaxed),
            cookie_secure=_flag(env.get("SESSION_COOKIE_SECURE"), default=not relaxed),
            mail_server=env.get("MAIL_SERVER") or None,
            mail_port=int(env.get("MAIL_PORT") or 25),
            mail_username=env.get("MAIL_USERNAME") or None,
            mail_password=env.get("MAIL_PASSWORD") or None,
            mail_use_tls=_flag(env.get("MAIL_USE_TLS"), default=False),
            mail_sender=env.get("MAIL_SENDER") or "noreply@greenchain.local",
            ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI") or "memory://",
            api_rate_limit=env.get("API_RATE_LIMIT") or "120 per minute",
            max_upload_mb=int(env.get("MAX_UPLOAD_MB") or 20),
            base_url=(env.get("PORTAL_BASE_URL") or "").rstrip("/"),
            proxy_hops=_count(env.get("TRUSTED_PROXIES"), "TRUSTED_PROXIES"),
        )

    def flask_config(self) -> dict:
        if not self.secret_key and self.environment == "production":
            raise ConfigError("SECRET_KEY must be set when PORTAL_ENV is production")
        if not self.base_url and self.environment == "production":
            # Links in e-mails, the Atom feed and the API are built from it, never from a request's Host header.
            raise ConfigError("PORTAL_BASE_URL must be set when PORTAL_ENV is production (e.g. https://portal.example)")
        secret = self.secret_key or f"insecure-{self.environment}-key-do-not-deploy"
        return {
            "ENV_NAME": self.environment,
            "TESTING": self.environment == "testing",
            "SECRET_KEY": secret,
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(self.database_url),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "DEMO_MODE": self.demo_mode,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.cookie_secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.cookie_secure,
            "MAIL_SERVER": self.mail_server,
            "MAIL_PORT": self.mail_port,
            "MAIL_USERNAME": self.mail_username,
            "MAIL_PASSWORD": self.mail_password,
            "MAIL_USE_TLS": self.mail_use_tls,
            "MAIL_SENDER": self.mail_sender,
            "MAIL_OUTBOX_DIR": str(self.instance_path / "outbox"),
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_HEADERS_ENABLED": True,
            "LOGIN_LIMIT_PER_ACCOUNT": self.login_limit_per_account,
            "LOGIN_LIMIT_PER_ADDRESS": self.login_limit_per_address,
            "API_RATE_LIMIT": self.api_rate_limit,  # calls per token to the buyers' API
            "MAX_CONTENT_LENGTH": self.max_upload_mb * 1024 * 1024,
            "BABEL_DEFAULT_LOCALE": "zh",
            "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
            "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "portal" / "translations"),
            "UPLOAD_DIR": str(self.instance_path / "uploads"),
            "GUIDANCE_INDEX_DIR": str(self.instance_path / "guidance-index"),
            "GUIDANCE_DOCUMENTS_DIR": str(self.instance_path / "guidance" / "documents"),
            "PASSWORD_RESET_HOURS": 2,
            "INVITATION_DAYS": 7,
            # Where links in e-mails point to (always this, never the host a request names).
            "PORTAL_BASE_URL": self.base_url or "http://localhost:5000",
            # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed (0: none, and the
            # client's address is the connection's: rate limits and audit records cannot be spoofed by a header).
            "PROXY_HOPS": self.proxy_hops,
            # Reminders (flask --app portal reminders send): days before or after each deadline.
            "REMINDER_NOTICE_END_LEAD_DAYS": 1,  # the authority: before the public notice period ends
            "REMINDER_RETURNED_AFTER_DAYS": 14,  # the supplier: a returned application not resubmitted
            "REMINDER_EXPERT_AFTER_DAYS": 7,  # an expert: assigned, not yet declared or scored
            "REMINDER_MILESTONE_LEAD_DAYS": 7,  # the supplier: an upgrade plan milestone falls due
            "REMINDER_EXPIRY_LEAD_DAYS": 90,  # the supplier: a discharge permit or certificate expires
            "REMINDER_EXPIRED_WITHIN_DAYS": 30,  # nothing expired or overdue longer ago than this is reminded
        }


def normalise_database_url(url: str) -> str:
    """Accept the plain postgresql:// form that PostgreSQL tools print and use psycopg 3 for it."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
