from marshmallow import Schema, fields


class Label(Schema):
    id = fields.String(metadata={"description": "Bahasa Indonesia"})
    en = fields.String(metadata={"description": "English"})


class Term(Label):
    code = fields.String()


def _terms(description):
    return fields.List(fields.Nested(Term), metadata={"description": description})


class PriorityTerm(Term):
    dispatch_target_s = fields.Integer(metadata={"description": "the target from the call to a unit sent"})


class AlertKindTerm(Term):
    timer = fields.String(metadata={"description": "the timer of /api/settings/timers that raises it"})
    urgent_for_p1 = fields.Boolean(metadata={"description": "about a P1 incident, it sounds on the consoles"})


class VocabularyOut(Schema):
    categories = _terms("incident categories, in the order the intake offers them")
    priorities = fields.List(fields.Nested(PriorityTerm), metadata={"description": "P1 (red), P2 (yellow), P3 (green)"})
    dispositions = _terms("what a call was: emergency, prank, silent, info, duplicate, dropped")
    unit_statuses = _terms("a unit's statuses, in the order of a job")
    incident_statuses = _terms("an incident's statuses, open ones first")
    location_precisions = _terms("how precisely an incident's place is known")
    duplicate_reasons = _terms("why an open incident is suggested as the one a call is about")
    callback_outcomes = _terms("what came of calling back a dropped or silent call")
    alert_kinds = fields.List(fields.Nested(AlertKindTerm), metadata={"description": "what an alert is about"})
    alert_states = _terms("open, acknowledged, resolved")
