"""The schema comes only from the migrations, and they match the models exactly."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from conftest import ON_POSTGRES, TEST_DATABASE_URL, make_config
from dispatch import create_app
from dispatch.extensions import db
from dispatch.models import Base

# About the database under test (it makes its own beside TEST_DATABASE_URL): run on each one.
pytestmark = pytest.mark.database


@pytest.fixture
def empty_database_url(tmp_path):
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_fresh_upgrade_matches_models_and_downgrade_is_clean(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == [], diff
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
    db.engine.dispose()


def test_client_refs_move_into_one_store_and_back(empty_database_url):
    """0007: a call's client_ref leaves the calls table for client_requests (kind 'call', the
    user's, with the call it made) beside the units' status reports; downgrade puts it back."""
    app = create_app(make_config(empty_database_url))
    at = "2026-12-01 08:00:00"
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO units (id, call_sign, capability, station_name, station_lat, station_lon, "
                              "status, status_changed_at, version, created_at) VALUES (1, 'PSC-01', 'ALS', 'Posko', "
                              "-0.02, 109.34, 'available', :at, 1, :at)"), {"at": at})
            conn.execute(text("INSERT INTO users (id, username, password_hash, role, active, created_at) "
                              "VALUES (1, 'op', 'x', 'operator', true, :at)"), {"at": at})
            conn.execute(text("INSERT INTO calls (id, received_at, caller_phone, disposition, taken_by_id, client_ref, "
                              "request_hash) VALUES (1, :at, '0811', 'prank', 1, 'konsol-1', 'h1'), "
                              "(2, :at, '0812', 'prank', 1, NULL, NULL)"), {"at": at})
            conn.execute(text("INSERT INTO client_requests (unit_id, client_ref, request_hash, created_at) "
                              "VALUES (1, 'hp-1', 'h2', :at)"), {"at": at})
        upgrade(revision="0007")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT kind, user_id, unit_id, client_ref, request_hash, result_id "
                                     "FROM client_requests ORDER BY kind")).all()
        assert [tuple(r) for r in rows] == [("call", 1, None, "konsol-1", "h1", 1),
                                            ("unit_status", None, 1, "hp-1", "h2", None)]
        downgrade(revision="0006")
        with db.engine.connect() as conn:
            calls = conn.execute(text("SELECT id, client_ref, request_hash FROM calls ORDER BY id")).all()
            requests = conn.execute(text("SELECT unit_id, client_ref, request_hash FROM client_requests")).all()
        assert [tuple(r) for r in calls] == [(1, "konsol-1", "h1"), (2, None, None)]
        assert [tuple(r) for r in requests] == [(1, "hp-1", "h2")]
    db.engine.dispose()


def test_numbers_are_normalised_with_the_typed_one_kept_and_dropped_calls_allowed(empty_database_url):
    """0009: every stored number becomes its normalised form (one that cannot be a number stays),
    the typed one beside it; 'dropped' is a disposition; downgrade gives back what was typed and
    turns a dropped call into a silent one."""
    app = create_app(make_config(empty_database_url))
    at = "2026-12-01 08:00:00"
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO users (id, username, password_hash, role, active, created_at) "
                              "VALUES (1, 'op', 'x', 'operator', true, :at)"), {"at": at})
            conn.execute(text("INSERT INTO calls (id, received_at, caller_phone, disposition, taken_by_id) VALUES "
                              "(1, :at, '0811-573-119', 'prank', 1), (2, :at, '62811573119', 'silent', 1), "
                              "(3, :at, '0811', 'info', 1)"), {"at": at})
        upgrade(revision="0009")
        with db.engine.begin() as conn:
            rows = conn.execute(text("SELECT caller_phone, caller_phone_as_given FROM calls ORDER BY id")).all()
            conn.execute(text("INSERT INTO calls (id, received_at, caller_phone, disposition, taken_by_id) "
                              "VALUES (4, :at, '+62811573119', 'dropped', 1)"), {"at": at})
        assert [tuple(r) for r in rows] == [("+62811573119", "0811-573-119"), ("+62811573119", "62811573119"),
                                            ("0811", "0811")]
        with pytest.raises(Exception, match="(?i)check"):
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO calls (id, received_at, caller_phone, disposition, taken_by_id) "
                                  "VALUES (5, :at, '112', 'lost', 1)"), {"at": at})
        downgrade(revision="0008")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT caller_phone, disposition FROM calls ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("0811-573-119", "prank"), ("62811573119", "silent"), ("0811", "info"),
                                            ("+62811573119", "silent")]
    db.engine.dispose()


def test_emergency_calls_keep_the_incident_they_opened_and_merged_incidents_are_allowed(empty_database_url):
    """0010: an emergency call stored before knows the incident it opened (a duplicate's does not);
    'merged' is an incident status with a pointer to the survivor; downgrade turns a merged
    incident into a cancelled one that says why."""
    app = create_app(make_config(empty_database_url))
    at = "2026-12-01 08:00:00"
    incident = ("INSERT INTO incidents (id, reference, category, priority, status, created_at, updated_at, "
                "location_source, location_precision, outside_service_area{extra}) VALUES "
                "({id}, 'PSC-20261201-000{id}', 'other', 'P2', '{status}', :at, :at, 'unknown', 'unknown', false{values})")
    with app.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO users (id, username, password_hash, role, active, created_at) "
                              "VALUES (1, 'op', 'x', 'operator', true, :at)"), {"at": at})
            conn.execute(text(incident.format(id=1, status="pending", extra="", values="")), {"at": at})
            conn.execute(text("INSERT INTO calls (id, received_at, caller_phone, disposition, taken_by_id, incident_id) "
                              "VALUES (1, :at, '+62811573119', 'emergency', 1, 1), "
                              "(2, :at, '+62811573120', 'duplicate', 1, 1), (3, :at, '112', 'prank', 1, NULL)"),
                         {"at": at})
        upgrade(revision="0010")
        with db.engine.begin() as conn:
            rows = conn.execute(text("SELECT id, incident_id, opened_incident_id FROM calls ORDER BY id")).all()
            conn.execute(text(incident.format(id=2, status="merged", extra=", merged_into_id, merged_at",
                                              values=", 1, :at")), {"at": at})
        assert [tuple(r) for r in rows] == [(1, 1, 1), (2, 1, None), (3, None, None)]
        with pytest.raises(Exception, match="(?i)check"):
            with db.engine.begin() as conn:
                conn.execute(text(incident.format(id=3, status="joined", extra="", values="")), {"at": at})
        downgrade(revision="0009")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, status, cancel_reason FROM incidents ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "pending", None), (2, "cancelled", "merged into another incident")]
    db.engine.dispose()


def test_late_entry_columns_come_and_go_and_the_event_log_stays_append_only(empty_database_url):
    """0012: calls, incidents and assignments can say they were entered late, events when what they
    record happened; the stored rows stay, and downgrading keeps the event log append-only."""
    app = create_app(make_config(empty_database_url))
    at = "2026-12-01 08:00:00"
    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO events (id, type, at, data) VALUES (1, 'call.received', :at, '{}')"),
                         {"at": at})
        upgrade(revision="0012")
        columns = {t: {c["name"] for c in inspect(db.engine).get_columns(t)}
                   for t in ("calls", "incidents", "assignments", "events")}
        assert {"entered_late_at", "entered_late_by_id"} <= columns["calls"] & columns["incidents"]
        assert "entered_late_at" in columns["assignments"] and "occurred_at" in columns["events"]
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT id, occurred_at FROM events")).all() == [(1, None)]
        downgrade(revision="0011")
        assert "occurred_at" not in {c["name"] for c in inspect(db.engine).get_columns("events")}
        with pytest.raises(Exception):
            with db.engine.begin() as conn:
                conn.execute(text("DELETE FROM events"))
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 1
    db.engine.dispose()
