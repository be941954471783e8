"""Where to take the patient: hospitals ranked by road time from the incident.

A hospital is suggested when it is open, has an emergency room, offers what the
category needs (``CATEGORY_NEEDS``: maternity for labour, trauma for accidents and
burns, ICU for cardiac and stroke) and has not reported zero beds; a puskesmas when it
is open and the case is minor (P3) with no special need. The others are
listed apart with the reason they were left out, so the crew is never left
without a choice when every suitable hospital is full.
"""
import numpy as np
from sqlalchemy import select

from ..models import Hospital
from .access import ensure_incident_access
from .clock import utcnow
from .recommend import located_incident
from ..vocabulary import CAPABILITY_LABELS, CATEGORY_NEEDS, reason

BEDS_STALE_S = 6 * 3600
MINOR_PRIORITY = "P3"     # the only priority a puskesmas is suggested for


def rank_hospitals(session, *, actor, geo, incident_id, limit=5):
    """A crew may ask only for its current incident."""
    incident = located_incident(session, incident_id)
    ensure_incident_access(actor, incident)
    now = utcnow()
    hospitals = list(session.scalars(select(Hospital).order_by(Hospital.id)))
    need = CATEGORY_NEEDS.get(incident.category)
    items, excluded = [], []
    if hospitals:
        routes = geo.travel.from_point(incident.lat, incident.lon, np.array([h.lat for h in hospitals]),
                                       np.array([h.lon for h in hospitals]), at=now)
    for i, hospital in enumerate(hospitals):
        refusals = _refusals(hospital, need, incident.priority)
        entry = {"hospital": hospital}
        if refusals:
            excluded.append({**entry, "reasons": refusals})
            continue
        via = routes.via(i)
        reasons = []
        if hospital.kind == "puskesmas":
            reasons.append(reason("puskesmas", "Puskesmas, untuk kasus ringan", "Puskesmas, for a minor case"))
        if hospital.position_estimated:
            reasons.append(reason("position_estimated", "Lokasinya perkiraan dari alamat",
                                  "Its position is estimated from the address"))
        if need:
            label = CAPABILITY_LABELS[need]
            reasons.append(reason(f"has_{need}", f"Punya layanan {label['id']}", f"Has {label['en']}"))
        if hospital.beds_available is None:
            reasons.append(reason("beds_unknown", "Ketersediaan tempat tidur belum dilaporkan",
                              "Beds available not reported"))
        else:
            reasons.append(reason("beds_available", f"{hospital.beds_available} tempat tidur tersedia",
                              f"{hospital.beds_available} beds available"))
            if hospital.beds_reported_at and (now - hospital.beds_reported_at).total_seconds() > BEDS_STALE_S:
                reasons.append(reason("beds_stale", "Laporan tempat tidur lebih dari 6 jam lalu",
                                  "Bed report older than 6 hours"))
        if via:
            names = ", ".join(via)
            reasons.append(reason("crosses_river", f"Menyeberang lewat {names}", f"Crosses {names}"))
        items.append({**entry, "eta_s": round(float(routes.seconds[i])), "distance_m": round(float(routes.metres[i])),
                      "via": list(via), "reasons": reasons})
    items.sort(key=lambda item: (item["eta_s"], item["hospital"].id))
    return {
        "incident_id": incident.id,
        "need": None if need is None else {"code": need, **CAPABILITY_LABELS[need]},
        "estimated_by": routes.estimated_by if hospitals else geo.travel.name,
        "items": items[:limit],
        "excluded": excluded,
    }


def _refusals(hospital, need, priority):
    out = []
    if hospital.status == "closed":
        out.append(reason("closed", "Tutup", "Closed"))
    elif hospital.status == "diverting":
        out.append(reason("diverting", "Sedang mengalihkan pasien (penuh)", "Diverting ambulances"))
    if hospital.kind == "puskesmas":
        if need or priority != MINOR_PRIORITY:
            out.append(reason("puskesmas_minor_only", "Puskesmas hanya untuk kasus ringan (P3) tanpa layanan khusus",
                              "A puskesmas takes only minor (P3) cases with no special need"))
        return out
    if not hospital.has_emergency:
        out.append(reason("no_emergency", "Tidak punya IGD", "No emergency room"))
    if need and not getattr(hospital, f"has_{need}"):
        label = CAPABILITY_LABELS[need]
        out.append(reason(f"no_{need}", f"Tidak punya layanan {label['id']}", f"No {label['en']}"))
    if hospital.beds_available == 0:
        out.append(reason("no_beds", "Tempat tidur penuh", "No beds available"))
    return out

