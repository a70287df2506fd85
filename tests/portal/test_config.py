import pytest

from portal.config import ConfigError, Settings


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env({"PORTAL_ENV": "production"}).flask_config()


def test_production_defaults_are_safe():
    config = Settings.from_env({"PORTAL_ENV": "production", "SECRET_KEY": "s" * 32,
                                "PORTAL_BASE_URL": "https://portal.example/"}).flask_config()
    assert config["PORTAL_BASE_URL"] == "https://portal.example"
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["DEMO_MODE"] is False


def test_production_needs_the_portal_address_for_links():
    with pytest.raises(ConfigError, match="PORTAL_BASE_URL"):
        Settings.from_env({"PORTAL_ENV": "production", "SECRET_KEY": "s" * 32}).flask_config()


def test_unknown_environment_is_an_error():
    with pytest.raises(ConfigError):
        Settings.from_env({"PORTAL_ENV": "staging"})


def test_plain_postgres_urls_use_psycopg3():
    config = Settings.from_env({"PORTAL_ENV": "testing",
                                "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test"}).flask_config()
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_redis_rate_limit_storage_is_taken_from_the_environment():
    config = Settings.from_env({"PORTAL_ENV": "testing",
                                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}).flask_config()
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_csrf_is_on_unless_a_test_turns_it_off(app):
    from tests.conftest import make_app

    strict = make_app(WTF_CSRF_ENABLED=True)
    response = strict.test_client().post("/login", data={"email": "a@example.com", "password": "x"})
    assert response.status_code == 400
