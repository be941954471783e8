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
    health = r.get_json()
    assert r.status_code == 200 and health.pop("now")
    assert health == {"status": "ok", "database": "ok", "travel": "graph", "clock_speed": 1.0}


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


def test_every_operation_lists_what_it_answers(client):
    """No catch-all: each operation lists its errors, each with the one error body; 503 (with
    Retry-After) everywhere, 401 (with WWW-Authenticate) wherever a token is needed."""
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    components = spec["components"]
    assert "details" in components["schemas"]["ErrorBody"]["properties"]
    assert "Retry-After" in components["responses"]["DatabaseUnavailable"]["headers"]
    assert "WWW-Authenticate" in components["responses"]["Unauthorized"]["headers"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            assert "default" not in responses, (method, path)
            assert "503" in responses, (method, path)
            if operation.get("security") != []:
                assert responses["401"] == {"$ref": "#/components/responses/Unauthorized"}, (method, path)
            # Not found is for ids; a username or a phone number is a text (a number that is
            # none is a 422; a number never heard of has an empty history).
            if "{" in path and "{username}" not in path and ("{phone}" not in path or method == "delete"):
                assert "404" in responses, (method, path)
            for status, response in responses.items():
                if status[0] in "45" and "$ref" not in response:
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error" if path != "/api/health" else
                        "#/components/schemas/HealthOut"}, (method, path, status)
    paths = spec["paths"]
    assert set(paths["/api/health"]["get"]["responses"]) == {"200", "503"}
    assert "Retry-After" in paths["/api/health"]["get"]["responses"]["503"]["headers"]
    login = paths["/api/auth/login"]["post"]["responses"]
    assert {"401", "429"} <= set(login) and "Retry-After" in login["429"]["headers"]
    throttle = paths["/api/auth/throttle/{username}"]
    assert throttle["parameters"][0]["schema"]["maxLength"] == 64 and "422" in throttle["delete"]["responses"]
    assert {"200", "201", "404", "409"} <= set(paths["/api/calls"]["post"]["responses"])


def test_a_405_names_the_methods_allowed(client):
    r = client.put("/api/units")
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_the_document_says_the_rules_across_fields(world):
    """What the server refuses across fields, the schemas say (JSON Schema 2020-12), and the
    server does refuse it."""
    schemas = world.client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert schemas["HospitalPatch"]["minProperties"] == 1 and schemas["IncidentPatch"]["minProperties"] == 1
    assert schemas["CallIn"]["dependentRequired"] == {"lat": ["lon"], "lon": ["lat"]}
    duplicate_only, linked = schemas["CallIn"]["allOf"][-2:]
    assert duplicate_only["then"]["properties"]["disposition"] == {"const": "duplicate"}
    assert linked["then"]["properties"]["disposition"] == {"enum": ["emergency", "duplicate"]}
    assert schemas["StatusIn"]["then"]["properties"]["status"] == {"const": "transporting"}
    hospital = world.hospital.id
    refused = [
        world.patch("sup", f"/api/hospitals/{hospital}", {}),
        world.post("op", "/api/calls", {"caller_phone": "0811573119", "lat": -0.03}),
        world.post("op", "/api/calls", {"caller_phone": "0811573119", "incident_id": 1}),
        world.post("op", "/api/calls", {"caller_phone": "0811573119", "disposition": "prank", "link_to_incident_id": 1}),
        world.post("op", "/api/calls", {"caller_phone": "0811573119", "client_ref": "a b"}),
        world.post("op", "/api/calls", {"caller_phone": "0811573119", "client_ref": "ab\x1c"}),
        world.post("op", "/api/calls", {"caller_phone": "0811573119\n"}),
        world.status(world.unit_a.id, "out_of_service", hospital_id=hospital),
    ]
    assert [r.status_code for r in refused] == [422] * len(refused), [r.get_json() for r in refused]
    incident = world.new_incident()
    blank = world.post("op", f"/api/incidents/{incident['id']}/cancel", {"reason": "\x1f"})
    assert blank.status_code == 422 and "reason" in blank.get_json()["error"]["fields"]
    # The same rules as patterns that mean the same to Python and to a JSON Schema validator.
    reason = schemas["CancelIn"]["properties"]["reason"]["pattern"]
    assert "\\S" not in reason and "\\x1c-\\x1f" in reason
