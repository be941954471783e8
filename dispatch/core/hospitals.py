"""Hospitals: the list, and bed and status reports."""
from sqlalchemy import select

from ..models import Hospital
from ..database import writes
from . import events
from .clock import utcnow
from .lifecycle import get_or_404
from .payloads import hospital_data


def list_hospitals(session):
    return list(session.scalars(select(Hospital).order_by(Hospital.name)))


@writes
def update_hospital(session, *, actor, hospital_id, changes):
    hospital = get_or_404(session, Hospital, hospital_id, "hospital")
    now = utcnow()
    diff = {}
    for field in ("beds_available", "status"):
        if field in changes and getattr(hospital, field) != changes[field]:
            diff[field] = {"from": getattr(hospital, field), "to": changes[field]}
            setattr(hospital, field, changes[field])
    if "beds_available" in changes:
        # A report of the same number still tells us it is current.
        hospital.beds_reported_at = now
    hospital.updated_at = now
    session.flush()
    events.record(session, "hospital.updated", actor=actor,
                  data={"changes": diff, "hospital": hospital_data(hospital)})
    session.commit()
    return hospital
