"""The waiting queue: the open incidents no unit is on, the most urgent first (priority, then the
longest wait), each with the available unit that would reach it first, if any.

One read of the available units serves the whole queue; each incident with a location is ranked
over them (core/recommend.py: one shortest-path tree from the incident). The same unit may be the
best for several incidents: the queue says what each would get, the dispatcher decides.
"""
from sqlalchemy import exists, select

from ..models import Assignment, Incident, Unit
from ..vocabulary import INCIDENT_OPEN, PRIORITY_RANK
from .clock import utcnow
from .offers import stands
from .recommend import load_candidates, rank_for


def waiting_queue(session, *, geo, now=None, limit=100):
    """``{"items": [{"incident", "waiting_s", "best", "offer"}], "total", "available_units", "computed_at",
    "estimated_by"}``: ``best`` is ``{"unit", "eta_s", "distance_m", "via"}``, or None when no unit
    is available or the incident's location is unknown; ``offer`` the unit offered to it when it
    came free (core/offers.py), while the offer stands, else None."""
    now = now or utcnow()
    active = exists().where(Assignment.incident_id == Incident.id, Assignment.active.is_(True))
    incidents = list(session.scalars(select(Incident).where(Incident.status.in_(INCIDENT_OPEN), ~active)))
    incidents.sort(key=lambda i: (PRIORITY_RANK[i.priority], i.created_at, i.id))
    total = len(incidents)
    incidents = incidents[:limit]
    candidates = load_candidates(session, now=now)
    picks, estimated_by = {}, None
    if len(candidates):
        for incident in incidents:
            if incident.lat is None:
                continue
            ranked = rank_for(candidates, incident, geo=geo, now=now, limit=1)
            estimated_by = ranked.estimated_by
            if len(ranked):
                picks[incident.id] = ranked[0]
    wanted = {int(candidates.ids[p.index]) for p in picks.values()} | {
        i.offer_unit_id for i in incidents if i.offer_unit_id is not None}
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(wanted)))} if wanted else {}
    items = []
    for incident in incidents:
        pick = picks.get(incident.id)
        best = None if pick is None else {
            "unit": units[int(candidates.ids[pick.index])], "eta_s": round(pick.eta_s),
            "distance_m": round(pick.distance_m), "via": list(pick.via)}
        offered = units.get(incident.offer_unit_id)
        offer = {"unit": offered, "offered_at": incident.offered_at, "eta_s": incident.offer_eta_s} if stands(
            incident, offered, active=False) else None
        items.append({"incident": incident, "waiting_s": max(0, round((now - incident.created_at).total_seconds())),
                      "best": best, "offer": offer})
    return {"items": items, "total": total, "available_units": len(candidates), "computed_at": now,
            "estimated_by": estimated_by}
