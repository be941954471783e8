"""Configuration classes, read from the environment (microblog style).

``create_app()`` without an argument picks the class named by ``PSC_ENV``
(``development`` by default, ``production``, ``testing``).

Environment variables:
    DATABASE_URL   SQLAlchemy URL; default: SQLite file in ``instance/``.
                   ``postgres://`` and ``postgresql://`` are mapped to psycopg 3.
    SECRET_KEY     required (and not the development value) in production.
    REDIS_URL      Socket.IO message queue between several server processes.
    PSC_ENV        development | production | testing.
    TIMEZONE       local time zone for reference numbers and display
                   (default Asia/Pontianak, WIB, UTC+7).
    TOKEN_TTL_SECONDS  lifetime of an API token (default 12 h, one shift).
    PSC_CLOCK_SPEED  run the server's clock this many times faster, for a simulation or a
                   demo (default 1; refused in production): every timestamp, timer and token
                   expiry follows it; all processes on one database share its epoch.
    NOMINATIM_URL  a Nominatim server to geocode with first (e.g. http://10.0.0.5:8080);
                   unset: the offline gazetteer only (the default, and always the fallback).
    OSRM_URL       an OSRM server for road times (e.g. http://10.0.0.5:5000); unset: the
                   project's road graph (the default; the river-aware estimate when the graph
                   cannot be read), which is always the fallback.
    ROAD_GRAPH_FILE  the road graph to route on (default dispatch/data/roads.json); ``off``:
                   the river-aware estimate.
    ROAD_SPEEDS_KMH  speeds per road class and WIB band as JSON, e.g. {"arteri": [44, 26, 33, 24,
                   35]} for 00-06, 06-09, 09-16, 16-19, 19-24 (docs/GEO.md has the defaults).
    ROUTE_MAX_WALK_M  GET /api/route refuses (422) a point farther than this from any road
                   (default 5000 m).
    POSITION_MAX_AGE_S  a unit's GPS fix older than this is not trusted for
                   recommendation; its station is used (default 600 s).
    ALS_PREFERENCE_S    for P1 cardiac, breathing, stroke and unconscious calls an ALS
                   unit is put first when it is at most this much slower (default 120 s).
    DEMO_ACCOUNTS_FILE  where ``seed demo`` writes the demo accounts and ``python wsgi.py``
                   reads them at start-up (default ``instance/demo-accounts.txt``).
    REQUEST_LOG    ``python wsgi.py`` logs a line per request only when this is 1 (default:
                   only server errors).
"""
import os

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
DEV_SECRET_KEY = "dev-only-insecure-secret-do-not-use-in-production"


def normalize_database_url(url):
    """Use the psycopg 3 driver for PostgreSQL URLs that name no driver."""
    if url is None:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_default():
    return "sqlite:///" + os.path.join(BASE_DIR, "instance", "psc119.sqlite3")


class Config:
    PSC_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
    DATABASE_URL = normalize_database_url(os.environ.get("DATABASE_URL")) or _sqlite_default()
    REDIS_URL = os.environ.get("REDIS_URL") or None
    TIMEZONE = os.environ.get("TIMEZONE") or "Asia/Pontianak"
    TOKEN_TTL_SECONDS = int(os.environ.get("TOKEN_TTL_SECONDS") or 12 * 3600)
    CLOCK_SPEED = os.environ.get("PSC_CLOCK_SPEED") or "1"
    PASSWORD_HASH_METHOD = "scrypt"
    # Largest request body accepted (a call record is a few kB at most).
    MAX_CONTENT_LENGTH = 256 * 1024
    # A location fix further in the future than this is refused (phone clock skew allowance).
    MAX_FIX_FUTURE_SECONDS = 120
    # seed demo writes the demo accounts here (mode 0600; instance/ is not committed) and the
    # development server prints them at the end of each start-up while the file exists.
    DEMO_ACCOUNTS_FILE = os.environ.get("DEMO_ACCOUNTS_FILE") or os.path.join(BASE_DIR, "instance",
                                                                              "demo-accounts.txt")
    # The development server's line per request (Werkzeug) only when set; server errors always.
    REQUEST_LOG = os.environ.get("REQUEST_LOG", "") not in ("", "0")

    # Login throttling (Flask-Limiter; in Redis when REDIS_URL is set): failed logins counted per
    # account and per client address in a moving window that decays; past either, 429.
    LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT") or 5)
    LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS") or 30)
    LOGIN_THROTTLE_WINDOW_S = int(os.environ.get("LOGIN_THROTTLE_WINDOW_S") or 300)
    # Prefix of the counts' keys (deployments sharing one Redis keep theirs apart).
    LOGIN_THROTTLE_PREFIX = os.environ.get("LOGIN_THROTTLE_PREFIX") or "psc119"

    # Live status (docs/REALTIME.md): a console further behind than this many events gets a snapshot.
    EVENT_REPLAY_LIMIT = int(os.environ.get("EVENT_REPLAY_LIMIT") or 5000)
    # The hub reads the log this often even without news of a commit (a lost Redis message).
    EVENT_POLL_S = float(os.environ.get("EVENT_POLL_S") or 2.0)
    # A number with this many prank or silent calls in REPEAT_PRANK_HOURS is flagged repeat_prank
    # on its history and on each new call (core/callers.py): a warning, never a refusal.
    REPEAT_PRANK_CALLS = int(os.environ.get("REPEAT_PRANK_CALLS") or 3)
    REPEAT_PRANK_HOURS = float(os.environ.get("REPEAT_PRANK_HOURS") or 24)
    # A call that opens an incident comes back with the open incidents it is possibly about
    # (core/duplicates.py), and each call is checked against its number's history (flags, block).
    # Switched off ("0") only to measure what they cost (bench/intake_bench.py).
    DUPLICATE_SEARCH = os.environ.get("DUPLICATE_SEARCH", "1") != "0"
    CALLER_CHECKS = os.environ.get("CALLER_CHECKS", "1") != "0"
    # Timed work (alerts, offers, presence) starts with the first request, not only with the first
    # console (SCHEDULER_AUTOSTART=0: only with the first console).
    SCHEDULER_AUTOSTART = os.environ.get("SCHEDULER_AUTOSTART", "1") != "0"
    # A serving process moves what it loaded at start out of the garbage collector's reach at its first
    # request (dispatch/__init__.py: a full collection would otherwise stall a request by ~100 ms).
    GC_FREEZE = os.environ.get("GC_FREEZE", "1") != "0"
    # An assignment the crew has not accepted after this long is reported to operators (the
    # acceptance timer's default: a supervisor changes it with PUT /api/settings/timers).
    ASSIGNMENT_ACK_TIMEOUT_S = int(os.environ.get("ASSIGNMENT_ACK_TIMEOUT_S") or 60)
    # Presence: a unit's fix older than this is marked stale (the crew's phone reports every few seconds).
    POSITION_STALE_S = float(os.environ.get("POSITION_STALE_S") or 120)
    # Each server refreshes its crews' connections this often; another server counts a
    # connection gone (its server died) when it has not been refreshed for DEVICE_TIMEOUT_S.
    DEVICE_HEARTBEAT_S = float(os.environ.get("DEVICE_HEARTBEAT_S") or 10)
    DEVICE_TIMEOUT_S = float(os.environ.get("DEVICE_TIMEOUT_S") or 35)
    # A console whose connection holds this many unsent messages is paused (it catches up
    # from the event log when it reads again) and, still stuck after SLOW_CLIENT_TIMEOUT_S, cut off.
    SEND_QUEUE_LIMIT = int(os.environ.get("SEND_QUEUE_LIMIT") or 500)
    SLOW_CLIENT_TIMEOUT_S = float(os.environ.get("SLOW_CLIENT_TIMEOUT_S") or 30)
    # Engine.IO's heartbeat: a connection silent for interval + timeout is closed at both ends, so a
    # page on a dead network stops saying "live" (and a phone is reported disconnected) within 20 s.
    SOCKET_PING_INTERVAL_S = float(os.environ.get("SOCKET_PING_INTERVAL_S") or 10)
    SOCKET_PING_TIMEOUT_S = float(os.environ.get("SOCKET_PING_TIMEOUT_S") or 10)
    # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (nginx: 1). The socket and
    # login limits count by client address: behind a proxy that is the header's, never the proxy's.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES") or 0)
    # A live connection (Engine.IO transport) that has not authenticated (a Socket.IO CONNECT with a
    # valid token) within this many seconds is closed: it would hold a server thread for nothing.
    SOCKET_AUTH_TIMEOUT_S = float(os.environ.get("SOCKET_AUTH_TIMEOUT_S") or 5)
    # At most this many connections not yet authenticated from one client address at a time.
    SOCKET_MAX_UNAUTHENTICATED_PER_ADDRESS = int(os.environ.get("SOCKET_MAX_UNAUTHENTICATED_PER_ADDRESS") or 5)
    # Origins besides the server's own whose pages may open a live connection (comma-separated,
    # e.g. "https://cad.psc119.example"); a handshake without Origin (a native app) is not refused.
    SOCKET_ALLOWED_ORIGINS = [o.strip() for o in (os.environ.get("SOCKET_ALLOWED_ORIGINS") or "").split(",")
                              if o.strip()]

    # Geolocation and recommendation (docs/GEO.md).
    NOMINATIM_URL = os.environ.get("NOMINATIM_URL") or None
    NOMINATIM_TIMEOUT_S = float(os.environ.get("NOMINATIM_TIMEOUT_S") or 1.5)
    OSRM_URL = os.environ.get("OSRM_URL") or None
    OSRM_TIMEOUT_S = float(os.environ.get("OSRM_TIMEOUT_S") or 1.0)
    TRAVEL_DETOUR_FACTOR = float(os.environ.get("TRAVEL_DETOUR_FACTOR") or 1.35)
    ROAD_GRAPH_FILE = os.environ.get("ROAD_GRAPH_FILE") or None      # None: the shipped graph
    ROAD_SPEEDS_KMH = os.environ.get("ROAD_SPEEDS_KMH") or None      # None: the defaults
    ROUTE_MAX_WALK_M = float(os.environ.get("ROUTE_MAX_WALK_M") or 5000)
    POSITION_MAX_AGE_S = int(os.environ.get("POSITION_MAX_AGE_S") or 600)
    ALS_PREFERENCE_S = int(os.environ.get("ALS_PREFERENCE_S") or 120)

    # Browser map: a tile server, only when configured (the default map works with no internet).
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL") or None
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION") or ""

    # OpenAPI document (flask-smorest), served at /api/openapi.json.
    API_TITLE = "PSC 119 Dispatch API"
    API_VERSION = "1.0"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "info": {
            "description": "Computer-aided dispatch for PSC 119 Pontianak. "
            "Times are UTC (ISO 8601); reference numbers use local time (WIB).",
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
    }


class DevelopmentConfig(Config):
    PSC_ENV = "development"


class ProductionConfig(Config):
    PSC_ENV = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # No fallback: production must name its database.
    DATABASE_URL = normalize_database_url(os.environ.get("DATABASE_URL"))


class TestingConfig(Config):
    PSC_ENV = "testing"
    TESTING = True
    DATABASE_URL = normalize_database_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    # Tests that need Redis set it explicitly.
    REDIS_URL = None
    # Cheap hashing keeps the suite fast; never used outside tests.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # A test that seeds the demo names its own file: never the developer's instance/ one.
    DEMO_ACCOUNTS_FILE = None
    # Timed work starts with the first console (a live hub), or when a test starts it.
    SCHEDULER_AUTOSTART = False
    # Hundreds of apps in one process: nothing of theirs may be frozen out of the collector.
    GC_FREEZE = False


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_from_env():
    env = os.environ.get("PSC_ENV", "development")
    try:
        return CONFIGS[env]
    except KeyError:
        raise RuntimeError(f"PSC_ENV must be one of {', '.join(CONFIGS)}, not {env!r}") from None
