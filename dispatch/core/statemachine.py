"""The unit and incident state machines: the one place that says which moves are legal.

The statuses themselves are named in ``dispatch/vocabulary.py``. Both the REST views and the
socket handlers reach these tables through the services in this package; nothing else decides
a transition.
"""
from ..vocabulary import INCIDENT_OPEN
from .errors import InvalidTransition

# --- Unit -------------------------------------------------------------------------------
# from -> {to: how}. "assign" moves happen only through assignment; "cancel" only when
# the assignment is cancelled; "crew" moves are reported by the crew (or an operator or
# supervisor on its behalf); "service" moves only by a supervisor or the crew itself.
UNIT_TRANSITIONS = {
    "available": {"dispatched": "assign", "out_of_service": "service"},
    "dispatched": {"en_route": "crew", "available": "cancel", "out_of_service": "service"},
    "en_route": {"on_scene": "crew", "available": "cancel", "out_of_service": "service"},
    "on_scene": {"transporting": "crew", "available": "crew", "out_of_service": "service"},
    "transporting": {"at_hospital": "crew", "out_of_service": "service"},
    "at_hospital": {"available": "crew", "out_of_service": "service"},
    "out_of_service": {"available": "service"},
}


def unit_move(current, requested):
    """Return how ``current -> requested`` may happen, or raise InvalidTransition."""
    how = UNIT_TRANSITIONS.get(current, {}).get(requested)
    if how is None:
        raise InvalidTransition(
            f"unit cannot go from '{current}' to '{requested}'",
            details={"current": current, "requested": requested},
        )
    return how


# --- Incident ---------------------------------------------------------------------------
INCIDENT_TRANSITIONS = {
    "pending": {"dispatched", "cancelled", "merged"},
    "dispatched": {"pending", "on_scene", "cancelled", "merged"},
    "on_scene": {"transporting", "closed", "cancelled", "merged"},
    "transporting": {"closed", "cancelled", "merged"},
    "closed": {"pending"},       # reopened (core.incidents.reopen_incident), within its window
    "cancelled": {"pending"},
    "merged": {"pending"},       # split back out: its call unlinked (core.links.unlink_call)
}

# The incident phase that a unit's status stands for.
PHASE_OF_UNIT_STATUS = {
    "dispatched": "dispatched",
    "en_route": "dispatched",
    "on_scene": "on_scene",
    "transporting": "transporting",
    "at_hospital": "transporting",
}
PHASE_RANK = {"pending": 0, "dispatched": 1, "on_scene": 2, "transporting": 3}


def incident_move(current, requested):
    if requested not in INCIDENT_TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            f"incident cannot go from '{current}' to '{requested}'",
            details={"current": current, "requested": requested},
        )


def derive_incident_status(current, active_unit_statuses):
    """The status an open incident should have, given its active assignments.

    It follows the most advanced active assignment and never goes back once a unit
    has reached the patient; it returns to ``pending`` when every unit was taken off
    before anyone arrived, so the incident goes back into the queue.
    """
    if current not in INCIDENT_OPEN:
        return current
    phases = [PHASE_OF_UNIT_STATUS[s] for s in active_unit_statuses]
    best = max(phases, key=PHASE_RANK.__getitem__, default="pending")
    if PHASE_RANK[current] >= PHASE_RANK["on_scene"] and PHASE_RANK[best] < PHASE_RANK[current]:
        return current
    return best
