"""Every event type and the shape of its ``data``: the one registry that ``events.record()`` checks
and that integrators read as JSON Schema (``GET /api/events/schema``; docs/EVENTS.md is tested
against it).

Each type lists its keys: those always present and those some events of the type carry (marked
optional), each with its kind. A kind is a JSON type, or the name of an object of the REST API
(``incident`` is an IncidentOut of ``/api/openapi.json``, as the REST API shows it), so an event's
snapshot of a row has the same shape as the row read over REST.
"""

# The objects events carry, by the component of the OpenAPI document that describes them.
OBJECTS = {"incident": "IncidentOut", "unit": "UnitOut", "assignment": "AssignmentOut", "call": "CallOut",
           "hospital": "HospitalOut", "user": "UserOut", "alert": "AlertOut", "attempt": "AttemptOut", "block": "BlockOut"}
# JSON kinds; "?" after one: it may be null.
_JSON = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict, "array": list}

_INCIDENT = {"incident": "incident"}

# type -> {key: kind}; a key written "key?" is optional (some events of the type have it).
EVENT_DATA = {
    "call.received": {"call": "call"},
    "call.linked": {"call": "call", "from_incident_id": "integer?", "incident": "incident",
                    "merged_incident_id?": "integer?"},
    "call.callback_recorded": {"call": "call", "attempt": "attempt", "done": "boolean"},
    "call.unlinked": {"call": "call", "from_incident_id": "integer", "incident": "incident"},
    "caller.blocked": {"phone": "string", "block": "block"},
    "caller.unblocked": {"phone": "string", "block": "block", "replaced": "boolean"},
    "incident.created": _INCIDENT,
    "incident.updated": {"changes": "object", **_INCIDENT},
    "incident.assigned": {"assignment": "assignment", "unit": "unit", **_INCIDENT, "rule?": "string"},
    "incident.unit_offered": {"unit": "unit", "eta_s": "number?", "distance_m": "number?", "via": "array",
                              "waiting_s": "number", **_INCIDENT},
    "incident.status_changed": {"from": "string", "to": "string", **_INCIDENT},
    "incident.cancelled": {"reason": "string?", "from?": "string", **_INCIDENT},
    "incident.closed": {"outcome": "string?", "from?": "string", "automatic?": "boolean", "hospital_id?": "integer?",
                        "released_units?": "array", "entered_late?": "boolean", **_INCIDENT},
    "incident.reopened": {"reason": "string", "from": "string", **_INCIDENT},
    "incident.merged": {"from": "string", "reason": "string?", "relation": "string", "changes": "object",
                        **_INCIDENT, "into": "incident"},
    "incident.split": {"relation": "string", "from_incident_id": "integer", **_INCIDENT},
    "assignment.cancelled": {"reason": "string?", "assignment": "assignment", **_INCIDENT},
    "assignment.moved": {"assignment": "assignment", "unit": "unit", "from_incident_id": "integer", **_INCIDENT},
    "assignment.accepted": {"assignment": "assignment"},
    "assignment.entered_late": {"assignment": "assignment", "unit": "unit", **_INCIDENT},
    "assignment.unacknowledged": {"assignment": "assignment", "timeout_s": "number", "waited_s": "number"},
    "unit.created": {"unit": "unit"},
    "unit.status_changed": {"from": "string", "to": "string", "unit": "unit", "assignment_id": "integer?",
                            "assignment?": "assignment"},
    "unit.presence_changed": {"reason": "string", "unit": "unit"},
    "hospital.created": {"hospital": "hospital"},
    "hospital.updated": {"changes": "object", "hospital": "hospital"},
    "user.created": {"user": "user"},
    "auth.throttled": {"username": "string", "address": "string?", "scope": "string", "retry_after_s": "number"},
    "auth.throttle_cleared": {"username": "string"},
    "alert.raised": {"alert": "alert"},
    "alert.acknowledged": {"alert": "alert"},
    "alert.resolved": {"alert": "alert"},
    "settings.changed": {"key": "string", "value": "object", "changes": "object", "version": "integer"},
    "zones.imported": {"source": "string", "kecamatan": "integer", "kelurahan": "integer"},
}


def _keys(spec):
    """{key: (kind, required, nullable)} of one type's spec."""
    out = {}
    for key, kind in spec.items():
        required = not key.endswith("?")
        nullable = kind.endswith("?")
        out[key.rstrip("?")] = (kind.rstrip("?"), required, nullable)
    return out


KEYS = {t: _keys(spec) for t, spec in EVENT_DATA.items()}
# The keys every event of a type has (what a reader can rely on).
REQUIRED = {t: tuple(k for k, (_, required, _) in keys.items() if required) for t, keys in KEYS.items()}


def problems(type, data):
    """What is wrong with ``data`` for an event of ``type`` (empty: nothing). Checked shallowly, on
    each record: the keys (none missing, none unknown) and the JSON kind of each value."""
    keys = KEYS.get(type)
    if keys is None:
        return [f"unknown event type {type!r}"]
    found = [f"lacks {k!r}" for k in REQUIRED[type] if k not in data]
    for key, value in data.items():
        if key not in keys:
            found.append(f"has {key!r}, which its schema does not list")
            continue
        kind, _, nullable = keys[key]
        if value is None:
            if not nullable:
                found.append(f"{key!r} is null")
            continue
        expected = dict if kind in OBJECTS else _JSON[kind]
        if not isinstance(value, expected) or (kind == "integer" and isinstance(value, bool)):
            found.append(f"{key!r} is not {'an object' if kind in OBJECTS else kind}")
    return found


def json_schema(type, *, openapi="/api/openapi.json"):
    """The JSON Schema (2020-12) of one type's ``data``; objects refer to the OpenAPI document."""
    properties = {}
    for key, (kind, _, nullable) in KEYS[type].items():
        schema = ({"$ref": f"{openapi}#/components/schemas/{OBJECTS[kind]}"} if kind in OBJECTS
                  else {"type": kind})
        if nullable:
            schema = {"anyOf": [schema, {"type": "null"}]}
        properties[key] = schema
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": type, "type": "object",
            "required": list(REQUIRED[type]), "properties": properties, "additionalProperties": False}


def json_schemas(**kw):
    return {t: json_schema(t, **kw) for t in EVENT_DATA}
