"""Facilities from the project's data: the 23 puskesmas of the street index (``streets.json``)
become rows of the hospitals table (``kind="puskesmas"``), so a unit can be stationed at one and
a minor case taken to one (:mod:`dispatch.core.destinations`).

Their positions were estimated from their addresses (``position_estimated``), and they have
no emergency room of a hospital's kind (``has_emergency`` false). A puskesmas already in the
table (by name) is left as it is: a supervisor's corrections are never overwritten.
"""
from collections import namedtuple

from sqlalchemy import select

from ..database import writes
from ..geo.streets import StreetIndex
from ..models import Hospital
from . import events
from .clock import utcnow
from .payloads import hospital_data

Loaded = namedtuple("Loaded", "added kept")


def puskesmas_rows(index=None):
    """The puskesmas of the street index as the hospitals table's fields."""
    data = (index or StreetIndex.load()).data
    return [{
        "name": p["name"], "short_name": (p.get("aliases") or [p["name"]])[0][:64],
        "address": f"{p['address']}, Kec. {p['kecamatan']}" if p.get("kecamatan") else p["address"],
        "kind": "puskesmas", "position_estimated": bool(p.get("estimated", True)),
        "lat": float(p["lat"]), "lon": float(p["lon"]),
        "has_emergency": False, "has_icu": False, "has_maternity": False, "has_trauma": False,
    } for p in data.get("puskesmas", ())]


@writes
def load_puskesmas(session, *, actor=None, index=None):
    """Add the puskesmas the table does not hold yet; ``Loaded(added, kept)`` (names)."""
    have = set(session.scalars(select(Hospital.name)))
    now = utcnow()
    added, kept = [], []
    for row in puskesmas_rows(index):
        if row["name"] in have:
            kept.append(row["name"])
            continue
        facility = Hospital(**row, status="open", updated_at=now)
        session.add(facility)
        session.flush()
        events.record(session, "hospital.created", actor=actor, data={"hospital": hospital_data(facility)})
        added.append(row["name"])
    session.commit()
    return Loaded(added, kept)
