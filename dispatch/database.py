"""Database plumbing: the declarative base, column types and engine/session set-up.

This is the only module that knows the differences between SQLite and PostgreSQL:

* SQLite: a unit of work that writes (see :func:`writes`) starts with ``BEGIN IMMEDIATE``
  so that writers queue on the database lock instead of failing half-way with "database
  is locked"; reads use plain deferred transactions and, with the WAL journal, never
  block or wait for writers. Foreign keys on, a generous busy timeout.
* PostgreSQL: the event log is appended under a transaction-scoped advisory lock so
  that event ids are handed out in commit order (see :func:`lock_event_log`).
"""
import contextvars
import functools
import logging
import threading
import weakref
from datetime import timezone

from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Any constant works; it only has to be the same for every process of one deployment.
EVENT_LOG_LOCK_KEY = 119_0001


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always an aware UTC ``datetime`` in Python.

    PostgreSQL stores ``timestamptz``; SQLite stores naive UTC text.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# JSON column: JSONB on PostgreSQL.
JSONType = JSON().with_variant(postgresql.JSONB(), "postgresql")
# 64-bit ids on PostgreSQL, SQLite's rowid alias elsewhere.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


def _configure_sqlite(engine):
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy (below) emit BEGIN itself.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


_write_intent = contextvars.ContextVar("sqlite_write_intent", default=False)


def begin_write(session):
    """Start a fresh transaction meant for writing.

    Any read-only transaction still open (the token check of a request, say) is ended
    first, so the unit of work reads and writes one consistent state. On SQLite the new
    transaction takes the write lock at once (BEGIN IMMEDIATE).
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        session.commit()
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        _queue_sqlite_writer(session, bind)
    token = _write_intent.set(True)
    try:
        session.connection()
    except BaseException:
        _release_sqlite_writer(session)
        raise
    finally:
        _write_intent.reset(token)


# SQLite lets one writer in at a time and makes the others poll with growing sleeps (up
# to 100 ms), so under load some requests are passed over again and again (seconds at
# p99). Writers of one process queue on a lock instead, held until their transaction
# ends. The timeout falls back to SQLite's own waiting rather than ever deadlocking.
_sqlite_write_locks = weakref.WeakKeyDictionary()
_sqlite_locks_guard = threading.Lock()


def _queue_sqlite_writer(session, engine):
    with _sqlite_locks_guard:
        lock = _sqlite_write_locks.setdefault(engine, threading.Lock())
    if lock.acquire(timeout=30):
        session.info["sqlite_write_lock"] = lock


def _release_sqlite_writer(session):
    lock = session.info.pop("sqlite_write_lock", None)
    if lock is not None:
        lock.release()


# Writes that failed because the database could not take them (unreachable, disk full): the
# health check reports it until a write succeeds again (or WRITE_FAILURE_MEMORY_S pass).
WRITE_FAILURE_MEMORY_S = 60.0
_write_failure = {"at": None, "what": None}


def is_unavailable(exc):
    """A database that cannot be reached or cannot write (not a bug, not bad input)."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and bool(exc.connection_invalidated)


def note_write(exc=None):
    import time

    if exc is None:
        _write_failure["at"] = None
    elif is_unavailable(exc):
        _write_failure["at"], _write_failure["what"] = time.monotonic(), str(getattr(exc, "orig", exc))[:200]


def write_failure():
    """What made the last write fail, when it failed recently and none succeeded since (else None)."""
    import time

    at = _write_failure["at"]
    if at is None or time.monotonic() - at > WRITE_FAILURE_MEMORY_S:
        return None
    return _write_failure["what"]


def safe_rollback(session):
    """Roll back without raising: a dead connection's rollback fails too, and must not hide the
    error that matters (nor turn a JSON answer into the server's HTML error page)."""
    try:
        session.rollback()
    except Exception:
        logging.getLogger(__name__).warning("rollback failed (the database is gone?)", exc_info=True)
        try:
            session.close()
        except Exception:
            pass


def writes(service):
    """Decorator for a domain service that writes: ``service(session, ...)`` runs in a
    transaction begun by :func:`begin_write`, and an exception rolls it back."""

    @functools.wraps(service)
    def wrapper(session, *args, **kwargs):
        try:
            begin_write(session)
            result = service(session, *args, **kwargs)
        except BaseException as exc:
            # All or nothing: whatever the service flushed before failing is undone here,
            # whoever called it (a view, a socket handler, a command).
            note_write(exc)
            safe_rollback(session)
            raise
        note_write()
        return result

    return wrapper


def make_engine(url, **kwargs):
    if url.startswith("sqlite"):
        options = {"connect_args": {"timeout": 30, "check_same_thread": False}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            from sqlalchemy.pool import StaticPool

            options["poolclass"] = StaticPool
        options.update(kwargs)
        engine = create_engine(url, **options)
        _configure_sqlite(engine)
        return engine
    options = {"pool_size": 10, "max_overflow": 30, "pool_pre_ping": True}
    options.update(kwargs)
    return create_engine(url, **options)


def lock_event_log(session):
    """Serialise event-log appends so that ids become visible in commit order.

    PostgreSQL hands out sequence values outside commit order: a transaction that took
    id 10 may commit after one that took id 11, and a reader that already moved past 11
    would never see 10. Holding a transaction-scoped advisory lock from the first
    event appended until commit makes id order equal commit order. SQLite needs
    nothing: its transactions (BEGIN IMMEDIATE) are serial already.
    """
    if session.info.get("event_log_locked"):
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": EVENT_LOG_LOCK_KEY})
    session.info["event_log_locked"] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session, transaction):
    if transaction.parent is None:
        session.info.pop("event_log_locked", None)
        _release_sqlite_writer(session)


def upsert_increment(session, table, key_column, key, counter_column):
    """Atomically increment ``counter_column`` of the row ``key`` (inserting 1) and return it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values({key_column: key, counter_column: 1})
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[key_column]],
        set_={counter_column: table.c[counter_column] + 1},
    ).returning(table.c[counter_column])
    return session.execute(stmt).scalar_one()


def insert_once(session, table, values, key_column):
    """Insert a row unless one with the same ``key_column`` exists (another process got there
    first): ``INSERT ... ON CONFLICT DO NOTHING``. Returns the new row's id, or None."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(values).on_conflict_do_nothing(index_elements=[table.c[key_column]])
    return session.execute(stmt.returning(table.c.id)).scalar_one_or_none()


class Database:
    """Engine and scoped session, bound to a Flask app in ``init_app``.

    The session is scoped to the current thread and removed at the end of each
    request or app context. Domain code never uses this object: views pass
    ``db.session`` into the services explicitly.
    """

    metadata = Base.metadata

    def __init__(self):
        self.engine = None
        self._factory = None
        self.session = None

    def init_app(self, app):
        self.engine = make_engine(app.config["DATABASE_URL"])
        self._factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.session = scoped_session(self._factory)
        app.extensions["database"] = self

        @app.teardown_appcontext
        def _remove_session(_exc):
            try:
                self.session.remove()
            except Exception:   # a dead connection: never an error page after the answer
                logging.getLogger(__name__).warning("could not close the session", exc_info=True)

    def new_session(self):
        """A session outside the request scope (threads, CLI, tests)."""
        return self._factory()
