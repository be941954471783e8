"""The browser pages and libraries are served, with a policy that lets no typed text run as code."""
import pytest

from conftest import make_config
from dispatch import create_app


@pytest.mark.parametrize("page", ["/console", "/crew", "/map"])
def test_each_page_is_served_with_a_strict_content_security_policy(client, page):
    r = client.get(page)
    assert r.status_code == 200 and r.mimetype == "text/html"
    policy = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "object-src 'none'" in policy
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert b'type="module"' in r.data


def test_the_live_connection_is_allowed_to_this_server_only_old_browsers_included(client):
    policy = client.get("/console", headers={"Host": "cad.psc119.example:8443"}).headers["Content-Security-Policy"]
    assert "connect-src 'self' ws://cad.psc119.example:8443 wss://cad.psc119.example:8443;" in policy
    # a forged Host header cannot write into the policy
    policy = client.get("/console", headers={"Host": "evil; script-src *"}).headers["Content-Security-Policy"]
    assert "connect-src 'self';" in policy and "script-src *" not in policy


def test_the_root_goes_to_the_console(client):
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/console")


@pytest.mark.parametrize("path, kind", [("/vendor/leaflet/leaflet.css", "text/css"),
                                        ("/vendor/socket.io/socket.io.esm.min.js", "text/javascript")])
def test_browser_libraries_come_from_node_modules(client, path, kind):
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == kind


@pytest.mark.parametrize("path", ["/vendor/left-pad/index.js", "/vendor/leaflet/../package.json",
                                  "/vendor/leaflet/%2e%2e/%2e%2e/package.json", "/vendor/leaflet/nothing.js"])
def test_nothing_else_of_the_disk_is_served(client, path):
    assert client.get(path).status_code == 404


def test_map_layers_are_the_zones_rivers_and_bridges_and_no_tiles_by_default(world):
    r = world.get("crew_a", "/api/map/layers")
    assert r.status_code == 200
    body = r.get_json()
    kinds = [f["properties"]["kind"] for f in body["zones"]["features"]]
    assert kinds.count("kecamatan") == 6 and kinds.count("kelurahan") == 29
    rivers = {f["properties"]["name"]: f["properties"]["kind"] for f in body["rivers"]["features"]}
    assert rivers == {"Sungai Kapuas Kecil": "river", "Sungai Landak": "river",
                      "Jembatan Kapuas I": "bridge", "Jembatan Landak": "bridge"}
    assert body["tiles"] is None


def test_a_configured_tile_server_is_offered_and_allowed_for_images(database_url):
    app = create_app(make_config(database_url, MAP_TILE_URL="https://{s}.tiles.example.id/{z}/{x}/{y}.png",
                                 MAP_TILE_ATTRIBUTION="© contributors"))
    try:
        policy = app.test_client().get("/map").headers["Content-Security-Policy"]
        assert "img-src 'self' data: https://*.tiles.example.id" in policy
    finally:
        app.extensions["psc_hub"].stop()
        app.extensions["psc_fixes"].stop()
