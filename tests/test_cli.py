"""The ``flask --app wsgi`` commands."""
from sqlalchemy import func, select

from conftest import fresh
from dispatch.models import Hospital, Unit, User


def test_seed_demo_loads_pontianak_and_refuses_twice(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    for username in ("operator", "supervisor", "admin", "crew01"):
        assert username in result.output
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Hospital)) == 15
    units = session.scalars(select(Unit).order_by(Unit.call_sign)).all()
    assert len(units) == 8 and all(u.status == "available" for u in units)
    stations = " ".join(u.station_name for u in units)
    assert "Pontianak Utara" in stations and "Pontianak Timur" in stations
    assert {u.role for u in session.scalars(select(User))} == {"operator", "crew", "supervisor", "admin"}
    # the printed password works
    line = next(l for l in result.output.splitlines() if l.strip().startswith("operator"))
    password = line.split()[-1]
    client = app.test_client()
    assert client.post("/api/auth/login", json={"username": "operator", "password": password}).status_code == 200

    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code != 0 and "already holds data" in again.output
    quiet = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert quiet.exit_code == 0 and "not loaded" in quiet.output


def test_seed_demo_refuses_in_production(app):
    app.config["PSC_ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code != 0 and "production" in result.output


def test_user_create_with_password_and_prompt(app, session):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["user", "create", "siti", "--role", "operator", "--password", "rahasia-119"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["user", "create", "budi", "--role", "supervisor"], input="rahasia-119\nrahasia-119\n")
    assert r.exit_code == 0, r.output
    client = app.test_client()
    for name in ("siti", "budi"):
        assert client.post("/api/auth/login", json={"username": name, "password": "rahasia-119"}).status_code == 200


def test_user_create_crew_needs_known_unit(app, world):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["user", "create", "c1", "--role", "crew", "--password", "rahasia-119"])
    assert r.exit_code != 0 and "unit" in r.output
    r = runner.invoke(args=["user", "create", "c1", "--role", "crew", "--unit", "PSC-99", "--password", "rahasia-119"])
    assert r.exit_code != 0 and "PSC-99" in r.output
    r = runner.invoke(args=["user", "create", "c1", "--role", "crew", "--unit", "PSC-02", "--password", "rahasia-119"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["user", "create", "c1", "--role", "operator", "--password", "rahasia-119"])
    assert r.exit_code != 0 and "exists" in r.output
    r = runner.invoke(args=["user", "create", "c2", "--role", "wizard", "--password", "rahasia-119"])
    assert r.exit_code != 0
    r = runner.invoke(args=["user", "create", "c3", "--role", "operator", "--password", "short"])
    assert r.exit_code != 0 and "8 characters" in r.output


def test_user_set_password(app, world):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["user", "set-password", "op", "--password", "baru-sekali-119"])
    assert r.exit_code == 0, r.output
    assert world.get("op", "/api/incidents").status_code == 401
    r = runner.invoke(args=["user", "set-password", "nobody", "--password", "baru-sekali-119"])
    assert r.exit_code != 0
