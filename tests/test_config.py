"""Configuration: defaults that work on a fresh machine, a production that refuses to
start unsafely."""
import pytest

import config
from dispatch import check_production, create_app


def test_development_defaults_to_sqlite_in_instance_without_redis():
    assert config.DevelopmentConfig.DATABASE_URL.startswith("sqlite:///")
    assert config.DevelopmentConfig.DATABASE_URL.endswith("instance/psc119.sqlite3")
    assert config.Config.TIMEZONE == "Asia/Pontianak"


def test_postgres_urls_use_psycopg3():
    assert config.normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalize_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalize_database_url("sqlite:///x") == "sqlite:///x"


@pytest.mark.parametrize("secret,url,missing", [
    (None, "postgresql://db/x", "SECRET_KEY"),
    (config.DEV_SECRET_KEY, "postgresql://db/x", "SECRET_KEY"),
    ("short", "postgresql://db/x", "SECRET_KEY"),
    ("x7Qm2v9LpR4tZ8wK1nB6cJ3hF5dS0aGe", None, "DATABASE_URL"),
    ("a" * 41, "postgresql://db/x", "SECRET_KEY"),
    ("ab" * 32, "postgresql://db/x", "SECRET_KEY"),
    ("passwordpasswordpasswordpassword", "postgresql://db/x", "SECRET_KEY"),
], ids=["unset", "dev-value", "short", "no-database", "one-letter", "two-letters", "repeated-word"])
def test_production_refuses_unsafe_config(secret, url, missing):
    cfg = type("Prod", (config.ProductionConfig,), {"SECRET_KEY": secret, "DATABASE_URL": url})
    with pytest.raises(RuntimeError, match=missing):
        create_app(cfg)


def test_production_accepts_real_secret_and_database():
    check_production({"SECRET_KEY": "x7Qm2v9LpR4tZ8wK1nB6cJ3hF5dS0aGe", "DATABASE_URL": "postgresql+psycopg://db/x"})


def test_production_accepts_the_secrets_the_readme_generates():
    """What the README tells an operator to run (token_urlsafe(48)), and token_hex(32), pass."""
    import secrets

    for _ in range(200):
        check_production({"SECRET_KEY": secrets.token_urlsafe(48), "DATABASE_URL": "postgresql+psycopg://db/x"})
        check_production({"SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": "postgresql+psycopg://db/x"})


def test_unknown_psc_env_is_refused(monkeypatch):
    monkeypatch.setenv("PSC_ENV", "staging")
    with pytest.raises(RuntimeError, match="PSC_ENV"):
        config.config_from_env()
