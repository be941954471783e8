"""Demo data for a new installation: Pontianak's hospitals, eight ambulances over all
six kecamatan, and one user per role."""
import json
import os
import secrets

from sqlalchemy import func, select

from ..models import Hospital, Unit, User
from ..database import writes
from . import auth, units
from .clock import utcnow
from .errors import Conflict

DATA_FILE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "demo.json")

DEMO_USERS = (
    ("operator", "operator", None),
    ("supervisor", "supervisor", None),
    ("admin", "admin", None),
    ("crew01", "crew", "PSC-01"),
)


def is_empty(session):
    return not any(session.scalar(select(func.count()).select_from(m)) for m in (User, Unit, Hospital))


@writes
def seed_demo(session):
    """Load the demo data; refuses on a database that holds any user, unit or hospital.

    Returns ``[(username, role, password)]`` with freshly generated passwords.
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
    for u in data["units"]:
        units.create_unit(session, actor=None, **u)
    created = []
    for username, role, call_sign in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        auth.create_user(session, actor=None, username=username, role=role, password=password,
                         unit_call_sign=call_sign)
        created.append((username, role, password))
    return created
