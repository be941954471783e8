"""The ``flask --app wsgi`` commands."""
from sqlalchemy import func, select

from conftest import fresh
from dispatch.cli import database_label
from dispatch.core import demo
from dispatch.models import Hospital, Unit, User


def test_seed_demo_loads_pontianak_and_refuses_twice(app, session, tmp_path):
    accounts_file = tmp_path / "instance" / "demo-accounts.txt"
    app.config["DEMO_ACCOUNTS_FILE"] = str(accounts_file)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    fresh(session)
    kinds = dict(session.execute(select(Hospital.kind, func.count()).group_by(Hospital.kind)).all())
    assert kinds == {"hospital": 15, "puskesmas": 23} and "23 puskesmas" in result.output
    puskesmas = session.scalars(select(Hospital).where(Hospital.kind == "puskesmas")).all()
    assert all(p.position_estimated and not p.has_emergency and p.status == "open" for p in puskesmas)
    units = session.scalars(select(Unit).order_by(Unit.call_sign)).all()
    assert len(units) == 8 and all(u.status == "available" for u in units)
    stations = " ".join(u.station_name for u in units)
    assert "Pontianak Utara" in stations and "Pontianak Timur" in stations
    users = session.scalars(select(User)).all()
    assert {u.role for u in users} == {"operator", "crew", "supervisor", "admin"}
    # one crew account per ambulance, each of its own unit
    crews = {u.username: u.unit_id for u in users if u.role == "crew"}
    assert crews == {f"crew{i:02d}": unit.id for i, unit in enumerate(units, start=1)}

    # every account is printed and written to the file (only its owner may read it), and logs in
    assert str(accounts_file) in result.output
    assert accounts_file.stat().st_mode & 0o777 == 0o600
    rows = [l.split() for l in accounts_file.read_text().splitlines() if l and not l.startswith("#")]
    assert rows[0] == ["username", "role", "unit", "password"]
    accounts = {r[0]: r for r in rows[1:]}
    assert set(accounts) == {u.username for u in users} and len(accounts) == 11
    assert accounts["crew05"][1:3] == ["crew", "PSC-05"] and accounts["operator"][2] == "-"
    client = app.test_client()
    for username, role, unit, password in accounts.values():
        assert f"{username}" in result.output and password in result.output
        r = client.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, (username, r.get_json())
        assert r.get_json()["user"]["role"] == role

    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code != 0 and "already holds data" in again.output
    quiet = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert quiet.exit_code == 0 and "not loaded" in quiet.output
    assert accounts_file.read_text().count(accounts["crew05"][3]) == 1  # a refused seed leaves the file

    # a new password: the file stops showing the old one
    r = runner.invoke(args=["user", "set-password", "crew03", "--password", "baru-sekali-119"])
    assert r.exit_code == 0 and str(accounts_file) in r.output, r.output
    assert accounts["crew03"][3] not in accounts_file.read_text()
    assert "crew03       crew        PSC-03  (changed)" in accounts_file.read_text()
    assert accounts["crew04"][3] in accounts_file.read_text()
    assert accounts_file.stat().st_mode & 0o777 == 0o600


def test_demo_accounts_of_another_database_are_not_shown(app, tmp_path):
    """A file written for one database (DATABASE_URL changed since) does not offer its passwords."""
    accounts_file = tmp_path / "demo-accounts.txt"
    app.config["DEMO_ACCOUNTS_FILE"] = str(accounts_file)
    assert demo.accounts_notice(str(accounts_file), database=database_label(app.config)) is None
    assert app.test_cli_runner().invoke(args=["seed", "demo"]).exit_code == 0
    password = accounts_file.read_text().split("operator    -       ")[1].split()[0]
    shown = demo.accounts_notice(str(accounts_file), database=database_label(app.config))
    assert any(password in line for line in shown)
    other = demo.accounts_notice(str(accounts_file), database="sqlite:////somewhere/else.sqlite3")
    assert len(other) == 1 and "another database" in other[0] and password not in other[0]


def test_seed_demo_without_an_accounts_file_prints_them(app):
    app.config["DEMO_ACCOUNTS_FILE"] = None
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "DEMO_ACCOUNTS_FILE is not set" in result.output
    assert "crew08       crew        PSC-08" in result.output


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


def test_facilities_load_puskesmas_adds_them_once_and_keeps_corrections(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["facilities", "load-puskesmas"])
    assert first.exit_code == 0, first.output
    assert "23 puskesmas added, 0 already there" in first.output and "+ UPT Puskesmas Siantan Hulu" in first.output
    fresh(session)
    moved = session.scalars(select(Hospital).where(Hospital.name == "UPT Puskesmas Saigon")).one()
    moved.lat, moved.lon, moved.position_estimated = -0.0455, 109.3668, False   # a supervisor's survey
    session.commit()
    again = runner.invoke(args=["facilities", "load-puskesmas"])
    assert again.exit_code == 0 and "0 puskesmas added, 23 already there" in again.output
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Hospital)) == 23
    kept = session.scalars(select(Hospital).where(Hospital.name == "UPT Puskesmas Saigon")).one()
    assert (kept.lat, kept.lon, kept.position_estimated) == (-0.0455, 109.3668, False)
