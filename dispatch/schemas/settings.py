from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..vocabulary import PRIORITIES, TIMER_RANGE_S
from .common import Flag


def _timer(description):
    return fields.Integer(strict=True, validate=validate.Range(*TIMER_RANGE_S), metadata={
        "description": f"{description}; seconds, {TIMER_RANGE_S[0]} to {TIMER_RANGE_S[1]}"})


WaitingTimers = Schema.from_dict({p: _timer(f"a {p} incident waiting for a unit") for p in PRIORITIES},
                                 name="WaitingTimers")
AutoDispatch = Schema.from_dict({
    p: Flag(metadata={"description": f"send the offered unit to a {p} incident by itself"})
    for p in PRIORITIES}, name="AutoDispatch")


class Timers(Schema):
    waiting_s = fields.Nested(WaitingTimers, metadata={"description": "per priority"})
    acceptance_s = _timer("an assignment the crew has not accepted")
    turnout_s = _timer("a unit sent that has not left (not en route)")
    on_scene_s = _timer("a unit on scene")
    at_hospital_s = _timer("a unit at the hospital (the hand-over delay)")
    position_fix_s = _timer("a unit on a job with no position fix")
    callback_s = _timer("a dropped or silent call nobody has called back")
    hospital_beds_s = _timer("a hospital's beds not updated")


class _Stored(Schema):
    version = fields.Integer(metadata={"description": "bumped on every change; 0: never changed"})
    updated_at = fields.DateTime(allow_none=True)
    updated_by_id = fields.Integer(allow_none=True)


class TimersOut(_Stored):
    timers = fields.Nested(Timers)
    defaults = fields.Nested(Timers)


def _something(data, what):
    if not {k for k in data if k != "version"}:
        raise ValidationError(f"nothing to change: give {what}")


class TimersIn(Timers):
    """Any of the timers (the others stay as they are); at least one."""
    JSON_SCHEMA = {"anyOf": [{"required": [name]} for name in (
        "waiting_s", "acceptance_s", "turnout_s", "on_scene_s", "at_hospital_s", "position_fix_s", "callback_s",
        "hospital_beds_s")]}
    version = fields.Integer(strict=True, validate=validate.Range(0, 2**31 - 1), metadata={
        "description": "the version read: refused (409) if the timers changed since"})

    @validates_schema
    def _one_at_least(self, data, **kwargs):
        _something(data, "at least one timer")


class DispatchSettings(Schema):
    auto_dispatch = fields.Nested(AutoDispatch)


class DispatchSettingsOut(_Stored, DispatchSettings):
    defaults = fields.Nested(DispatchSettings)


class DispatchSettingsIn(DispatchSettings):
    JSON_SCHEMA = {"required": ["auto_dispatch"]}
    version = fields.Integer(strict=True, validate=validate.Range(0, 2**31 - 1))

    @validates_schema
    def _one_at_least(self, data, **kwargs):
        _something(data, "auto_dispatch")
