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
