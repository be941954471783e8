"""The OpenAPI document is generated from the same schemas that validate requests."""


def test_openapi_document_is_public_and_complete(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path, method in [("/api/health", "get"), ("/api/auth/login", "post"), ("/api/auth/logout", "post"),
                         ("/api/calls", "post"), ("/api/incidents", "get"), ("/api/incidents/{incident_id}", "get"),
                         ("/api/incidents/{incident_id}", "patch"), ("/api/incidents/{incident_id}/assign", "post"),
                         ("/api/incidents/{incident_id}/cancel", "post"), ("/api/incidents/{incident_id}/close", "post"),
                         ("/api/units", "get"), ("/api/units", "post"), ("/api/units/{unit_id}", "get"),
                         ("/api/units/{unit_id}/status", "post"), ("/api/units/{unit_id}/location", "post"),
                         ("/api/hospitals", "get"), ("/api/hospitals/{hospital_id}", "patch"), ("/api/events", "get")]:
        assert method in paths.get(path, {}), (path, method)
    call_in = spec["components"]["schemas"]["CallIn"]
    assert "caller_phone" in call_in["required"]
    assert call_in["properties"]["lat"]["minimum"] == -90
    assert "emergency" in call_in["properties"]["disposition"]["enum"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert paths["/api/health"]["get"]["security"] == []


def test_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200 and r.get_json() == {"status": "ok", "database": "ok"}


def test_the_document_describes_the_location_words_the_close_and_the_reopen(client):
    spec = client.get("/api/openapi.json").get_json()
    schemas, paths = spec["components"]["schemas"], spec["paths"]
    incident = schemas["IncidentOut"]["properties"]
    for name in ("location_text", "location_relation", "location_precision", "location_precision_label",
                 "location_name", "location_kind", "location_source"):
        assert name in incident, name
    assert incident["location_precision"]["enum"] == ["exact", "place", "road", "kelurahan", "kecamatan", "unknown"]
    assert "chosen" in incident["location_source"]["enum"]
    assert incident["address_text"]["deprecated"] is True
    for body in ("CallIn", "IncidentPatch"):
        assert {"location_name", "location_kind"} <= set(schemas[body]["properties"]), body
    assert "location_text" in schemas["IncidentPatch"]["properties"]
    assert schemas["CloseIn"]["properties"]["release_units"]["type"] == "boolean"
    reopen = paths["/api/incidents/{incident_id}/reopen"]["post"]
    assert "reason" in schemas["ReopenIn"]["required"] and "409" in reopen["responses"]
    assert "409" in paths["/api/incidents/{incident_id}/close"]["post"]["responses"]
    current = schemas["CurrentAssignmentOut"]["properties"]
    assert {"incident_reference", "accepted_at", "unacknowledged_at"} <= set(current)
