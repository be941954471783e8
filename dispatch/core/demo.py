"""Demo data for a new installation: Pontianak's hospitals and its 23 puskesmas, eight ambulances over all
six kecamatan, an operator, a supervisor, an admin and one crew account per ambulance;
and the file that keeps the demo accounts for the developer (``DEMO_ACCOUNTS_FILE``)."""
import json
import os
import secrets
import tempfile
from collections import namedtuple

from sqlalchemy import func, select

from ..models import Hospital, Unit, User
from ..database import writes
from . import auth, facilities, units
from .clock import utcnow
from .errors import Conflict

DATA_FILE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "demo.json")

DEMO_STAFF = (("operator", "operator"), ("supervisor", "supervisor"), ("admin", "admin"))

DemoAccount = namedtuple("DemoAccount", "username role unit password")


def crew_username(call_sign):
    """The demo crew account of a unit: PSC-01 -> crew01."""
    return "crew" + call_sign.rsplit("-", 1)[-1].lower()


def is_empty(session):
    return not any(session.scalar(select(func.count()).select_from(m)) for m in (User, Unit, Hospital))


@writes
def seed_demo(session):
    """Load the demo data; refuses on a database that holds any user, unit or hospital.

    Returns ``[DemoAccount(username, role, unit, password)]`` with freshly generated passwords:
    the staff, then one crew account per unit.
    """
    if not is_empty(session):
        raise Conflict("the database already holds data; demo data is only loaded into an empty one",
                       code="not_empty")
    with open(DATA_FILE, encoding="utf-8") as fh:
        data = json.load(fh)
    now = utcnow()
    for h in data["hospitals"]:
        session.add(Hospital(
            name=h["name"], short_name=h["short_name"], address=h["address"], lat=h["lat"], lon=h["lon"],
            has_emergency=h["emergency"], has_icu=h["icu"], has_maternity=h["maternity"], has_trauma=h["trauma"],
            status="open", updated_at=now,
        ))
    session.commit()
    facilities.load_puskesmas(session)
    for u in data["units"]:
        units.create_unit(session, actor=None, **u)
    users = [(username, role, None) for username, role in DEMO_STAFF]
    users += [(crew_username(u["call_sign"]), "crew", u["call_sign"]) for u in data["units"]]
    created = []
    for username, role, call_sign in users:
        password = secrets.token_urlsafe(12)
        auth.create_user(session, actor=None, username=username, role=role, password=password,
                         unit_call_sign=call_sign)
        created.append(DemoAccount(username, role, call_sign, password))
    return created


# The accounts file: a few comment lines, then a table a person reads and `python wsgi.py` prints.
_DATABASE_LINE = "# database: "
_CHANGED = "(changed)"


def format_accounts(accounts):
    rows = [("username", "role", "unit", "password")]
    rows += [(a.username, a.role, a.unit or "-", a.password) for a in accounts]
    return [f"{u:<12} {r:<11} {n:<7} {p}".rstrip() for u, r, n, p in rows]


def write_accounts(path, accounts, *, database, created_at):
    """Write the demo accounts to ``path`` (mode 0600, replaced atomically); ``database`` is
    the URL they were created in, without its password."""
    lines = [
        f"# PSC 119 demo accounts, created by `flask --app wsgi seed demo` at {created_at:%Y-%m-%d %H:%M} UTC.",
        _DATABASE_LINE + database,
        "# Demo only. A new password: .venv/bin/flask --app wsgi user set-password USERNAME",
        *format_accounts(accounts),
    ]
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".demo-accounts-")  # created with mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _read(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().splitlines()
    except FileNotFoundError:
        return None


def _database_of(lines):
    return next((l[len(_DATABASE_LINE):] for l in lines if l.startswith(_DATABASE_LINE)), None)


def accounts_notice(path, *, database):
    """What the development server prints at the end of its start-up: the accounts in ``path``
    if they were created in ``database``; a line saying so if in another; None without a file."""
    lines = _read(path) if path else None
    if lines is None:
        return None
    recorded = _database_of(lines)
    if recorded != database:
        return [f"Demo accounts: {path} lists the accounts of another database ({recorded}); not shown."]
    table = [l for l in lines if l.strip() and not l.startswith("#")]
    return [f"Demo accounts (from {path}):", *("  " + l for l in table)]


def forget_password(path, *, database, username):
    """After a new password is set, the file no longer shows the old one for ``username``."""
    lines = _read(path) if path else None
    if lines is None or _database_of(lines) != database:
        return False
    changed = False
    for i, line in enumerate(lines):
        fields = line.split()
        if not line.startswith("#") and len(fields) == 4 and fields[0] == username and fields[3] != _CHANGED:
            lines[i] = line[: len(line) - len(fields[3])] + _CHANGED
            changed = True
    if changed:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
    return changed
