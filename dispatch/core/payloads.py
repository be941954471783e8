"""What an event says about a row: the one place that turns incidents, units, assignments,
calls, hospitals and users into the ``data`` of the event log.

A payload is the row as the API shows it (the output schemas of ``dispatch/schemas``,
which know nothing of the core), so a console that applies an event holds what a REST
read would have given it.
"""
from ..schemas.alerts import AlertOut
from ..schemas.auth import UserOut
from ..schemas.calls import CallOut
from ..schemas.hospitals import HospitalOut
from ..schemas.incidents import AssignmentOut, IncidentOut
from ..schemas.units import UnitOut

_incident_out = IncidentOut()
_unit_out = UnitOut()
_assignment_out = AssignmentOut()
_call_out = CallOut()
_hospital_out = HospitalOut()
_user_out = UserOut()
_alert_out = AlertOut()


def incident_data(incident):
    return _incident_out.dump(incident)


def unit_data(unit):
    return _unit_out.dump(unit)


def assignment_data(assignment):
    return _assignment_out.dump(assignment)


def call_data(call):
    return _call_out.dump(call)


def hospital_data(hospital):
    return _hospital_out.dump(hospital)


def user_data(user):
    return _user_out.dump(user)


def alert_data(alert):
    return _alert_out.dump(alert)
