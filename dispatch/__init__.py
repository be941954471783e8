"""PSC 119 Pontianak computer-aided dispatch: the application factory."""
import math
import os
from collections import Counter

from flask import Flask
from flask.sessions import SessionInterface

from config import DEV_SECRET_KEY, config_from_env

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


# A production secret must carry at least this much entropy, estimated from its own characters
# (length x Shannon entropy of their frequencies): 41 times "a" has none, a password-like phrase
# little; secrets.token_urlsafe(48) has about 350 bits, secrets.token_hex(32) about 240.
MIN_SECRET_ENTROPY_BITS = 100


def secret_entropy_bits(secret):
    """An estimate of the entropy of ``secret`` in bits: its length times the Shannon entropy of
    its characters' frequencies (what a string of such characters, drawn at random, would carry)."""
    if not secret:
        return 0.0
    n = len(secret)
    per_char = -sum(c / n * math.log2(c / n) for c in Counter(secret).values())
    return n * per_char


def check_production(config):
    """Refuse to start production with a development or guessable secret, or no explicit database."""
    problems = []
    secret = config.get("SECRET_KEY")
    if (not secret or secret == DEV_SECRET_KEY or len(secret) < 32
            or secret_entropy_bits(secret) < MIN_SECRET_ENTROPY_BITS):
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters (e.g. python3 -c "
                        "'import secrets; print(secrets.token_urlsafe(48))'); repeated or patterned "
                        "text is refused")
    if not config.get("DATABASE_URL"):
        problems.append("DATABASE_URL must be set")
    if clock_speed(config) != 1:
        problems.append("PSC_CLOCK_SPEED must be 1: a clock run faster is for simulations and demos")
    if problems:
        raise RuntimeError("refusing to start in production: " + "; ".join(problems))


MAX_CLOCK_SPEED = 3600   # an hour a second


def clock_speed(config):
    """PSC_CLOCK_SPEED as a number; refused (the server does not start) unless 0 < speed <= 3600."""
    raw = config.get("CLOCK_SPEED", 1)
    try:
        speed = float(raw)
    except (TypeError, ValueError):
        speed = None
    if speed is None or not 0 < speed <= MAX_CLOCK_SPEED:
        raise RuntimeError(f"PSC_CLOCK_SPEED must be a number above 0 and at most {MAX_CLOCK_SPEED}, not {raw!r}")
    return speed


def _start_clock(app, db):
    """The clock's speed and its shared epoch (core/clockstore.py); real time at speed 1."""
    from sqlalchemy.exc import DBAPIError

    from .core import clock, clockstore

    speed = clock_speed(app.config)
    app.config["CLOCK_SPEED"] = speed
    if speed == 1:
        clock.run_at(1)
        return
    session = db.new_session()
    try:
        clockstore.start(session, speed)
    except DBAPIError as exc:   # not migrated yet (flask db upgrade): real time until it is
        session.rollback()
        clock.run_at(1)
        app.logger.warning("PSC_CLOCK_SPEED=%s: no stored epoch (%s); the clock runs at real time", speed,
                           type(exc).__name__)
    finally:
        session.close()


class _NoCookieSession(SessionInterface):
    """Flask opens a cookie session for every request (and every live message); nothing here uses it."""

    def open_session(self, app, request):
        return None   # Flask then uses its null session

    def save_session(self, app, session, response):
        return None


def _start_scheduler(app, db):
    """The one scheduler of timed work (dispatch/scheduler.py) with the system's jobs
    (core/scheduled.py). It starts with the live hub (the first console connecting), or with the
    first request when SCHEDULER_AUTOSTART is set (so a server nobody has opened a console on yet
    still raises its alerts and offers)."""
    from .core import events, scheduled
    from .scheduler import Job, Scheduler
    from .vocabulary import TIMER_DEFAULTS

    config = app.config
    # The acceptance timer's default is ASSIGNMENT_ACK_TIMEOUT_S (a supervisor may change it).
    config.setdefault("TIMER_DEFAULTS", {**TIMER_DEFAULTS, "acceptance_s": config["ASSIGNMENT_ACK_TIMEOUT_S"]})
    specs = scheduled.jobs(geo=app.extensions["psc_geo"], timer_defaults=config["TIMER_DEFAULTS"],
                           device_timeout_s=config["DEVICE_TIMEOUT_S"], stale_after_s=config["POSITION_STALE_S"])
    scheduler = Scheduler(db.new_session, [Job(s.name, s.every_s, s.run, real_time=s.real_time) for s in specs])
    app.extensions["psc_scheduler"] = scheduler

    def freed(committed):
        # A unit came free: its offer is made now, not at the next tick.
        if any(e["type"] == "unit.status_changed" and e["data"].get("to") == "available" for e in committed):
            scheduler.wake("offers")

    events.subscribe(freed)
    scheduler.on_stop.append(lambda: events.unsubscribe(freed))
    if config.get("SCHEDULER_AUTOSTART"):
        @app.before_request
        def _start_timed_work():
            if not scheduler.running:
                scheduler.start()


def create_app(config=None):
    """Build the app. ``config`` is a config class or object (default: from PSC_ENV)."""
    from .api import init_api
    from .cli import register_cli
    from .core import auth, clock
    from .core.geo import Geo
    from .extensions import api, db, migrate, socketio
    from .realtime.transport import origin_check

    app = Flask(__name__, instance_relative_config=True, static_folder="../static", static_url_path="/static")
    app.config.from_object(config or config_from_env())
    app.json.sort_keys = False
    app.session_interface = _NoCookieSession()   # token-based API: no cookie session to open per request
    if app.config.get("PSC_ENV") == "production":
        check_production(app.config)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        os.makedirs(os.path.dirname(app.config["DATABASE_URL"][len("sqlite:///"):]) or ".", exist_ok=True)

    clock.set_local_timezone(app.config["TIMEZONE"])
    auth.set_hash_method(app.config["PASSWORD_HASH_METHOD"])
    db.init_app(app)
    _start_clock(app, db)
    app.extensions["psc_geo"] = Geo.from_config(app.config)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    init_api(app, api)
    from .web.views import bp as web_pages

    app.register_blueprint(web_pages)
    socketio.init_app(
        app,
        async_mode="threading",
        # A connection's messages are handled in order on its own reader thread, not a new
        # thread each (a phone's commands are sequential anyway; the others are unaffected).
        async_handlers=False,
        # The API is token-based: no Flask cookie session to keep per connection.
        manage_session=False,
        message_queue=app.config.get("REDIS_URL"),
        ping_interval=app.config["SOCKET_PING_INTERVAL_S"],
        ping_timeout=app.config["SOCKET_PING_TIMEOUT_S"],
        # Only this server's own origin and SOCKET_ALLOWED_ORIGINS (a handshake without Origin,
        # from a native app, goes on to the token check).
        cors_allowed_origins=origin_check(app.config["SOCKET_ALLOWED_ORIGINS"]),
    )
    _start_scheduler(app, db)
    _start_realtime(app, socketio, db)
    if app.config["TRUSTED_PROXIES"]:
        # Outermost: the limits count by the client's address, not the proxy's.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    register_cli(app)
    if app.config.get("GC_FREEZE"):
        _freeze_at_first_request(app)
    return app


def _freeze_at_first_request(app):
    """In a serving process, what the app loaded at start (the road graph, the gazetteer, the zones)
    lives as long as the process: at the first request it is moved out of the collector's reach
    (gc.freeze), so that Python's full collections, which would walk all of it, do not stall a
    request or a pass of the scheduler by tens of milliseconds. Not at import: a ``flask`` command
    never serves, and must close its database connections as it exits."""
    import gc
    import threading

    once = threading.Lock()
    frozen = []

    @app.before_request
    def _freeze_startup_objects():
        if not frozen:
            with once:
                if not frozen:
                    gc.collect()
                    gc.freeze()
                    frozen.append(True)


def _start_realtime(app, socketio, db):
    """The hub that pushes the event log to this process's live connections (docs/REALTIME.md)."""
    from .realtime import handlers
    from .realtime.fixes import FixWriter
    from .realtime.hub import Hub
    from .realtime.transport import Transport

    server = socketio.server  # this app's Socket.IO server (the SocketIO object is shared)
    transport = Transport(server)
    app.wsgi_app = transport.middleware(app.wsgi_app)
    app.extensions["psc_transport"] = transport

    def send(sid, message, payload):
        # Only to this process's own connection: each process's hub reads the log itself.
        server.emit(message, payload, to=sid, ignore_queue=True)

    bus = None
    if app.config.get("REDIS_URL"):
        # Every process that commits (server or command) announces it; servers listen.
        from .core import events, positions
        from .realtime.bus import RedisBus

        bus = RedisBus(app.config["REDIS_URL"])
        events.subscribe(bus.publish)
        positions.subscribe(bus.publish_position)
    config = app.config
    app.extensions["psc_hub"] = Hub(session_factory=db.new_session, send=send, bus=bus,
                                    backlog=transport.backlog, cut_off=transport.cut_off,
                                    replay_limit=config["EVENT_REPLAY_LIMIT"],
                                    safety_poll_s=config["EVENT_POLL_S"],
                                    scheduler=app.extensions["psc_scheduler"],
                                    heartbeat_s=config["DEVICE_HEARTBEAT_S"],
                                    queue_limit=config["SEND_QUEUE_LIMIT"],
                                    slow_timeout_s=config["SLOW_CLIENT_TIMEOUT_S"],
                                    auth_timeout_s=config["SOCKET_AUTH_TIMEOUT_S"],
                                    max_unauthenticated=config["SOCKET_MAX_UNAUTHENTICATED_PER_ADDRESS"],
                                    close_transport=transport.close_transport)
    transport.on_transport(app.extensions["psc_hub"].opened, app.extensions["psc_hub"].transport_closed)
    app.extensions["psc_fixes"] = FixWriter(db.new_session, stale_after_s=config["POSITION_STALE_S"])
    handlers.register(socketio)
