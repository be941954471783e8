"""Who may see which event of the log: the rule every live push and every replay applies.

Operators and supervisors see every event. A crew sees its own unit's events and,
while its unit works an incident, that incident's events: nothing else. Which
incident that is follows from the events themselves, in id order, so a replay and the
live stream decide alike (:class:`CrewView`).
"""
from dataclasses import dataclass

DISPATCH_ROLES = ("operator", "supervisor")
LIVE_ROLES = DISPATCH_ROLES + ("crew",)

# Events for the dispatchers' consoles only: a crew never sees them, even about its own unit.
_DISPATCH_ONLY = ("incident.unit_offered", "alert.raised", "alert.acknowledged", "alert.resolved",
                  "settings.changed")

# Events after which a unit is no longer on its incident.
_RELEASED_STATUSES = ("available", "out_of_service")


def rooms_for(user):
    """The Socket.IO rooms a connection joins, from the verified identity only."""
    if user.role == "operator":
        return ["operators"]
    if user.role == "supervisor":
        return ["supervisors"]
    if user.role == "crew" and user.unit_id is not None:
        return [f"unit:{user.unit_id}"]
    return []


@dataclass
class CrewView:
    """What one crew may see: its unit, and the incident the unit is on (``None``: none)."""

    unit_id: int
    incident_id: int | None = None

    def admits(self, event):
        """Whether the crew may see ``event``; moves to or off an incident as the events say."""
        unit_id, incident_id, kind = event.get("unit_id"), event.get("incident_id"), event["type"]
        if kind in _DISPATCH_ONLY:
            return False
        own = unit_id == self.unit_id
        if own and kind in ("incident.assigned", "assignment.moved"):   # moved: its incident merged into another
            self.incident_id = incident_id
            return True
        visible = own or (incident_id is not None and incident_id == self.incident_id)
        if own and kind == "assignment.cancelled":
            self.incident_id = None
        elif own and kind == "unit.status_changed" and event["data"].get("to") in _RELEASED_STATUSES:
            self.incident_id = None
        elif incident_id == self.incident_id and kind in ("incident.cancelled", "incident.closed"):
            self.incident_id = None
        return visible
