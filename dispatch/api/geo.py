from flask import current_app

from ..core.errors import InvalidInput
from ..extensions import db
from ..geo.coords import CoordinateError
from ..schemas.geo import CandidateList, GeocodeQuery, MapLayersOut, ReverseOut, ReverseQuery
from .blueprint import Blueprint
from .security import require

blp = Blueprint("geo", __name__, url_prefix="/api", description="Geocoding: places, addresses and coordinates")


def current_geo():
    """The app's geography, with the zones brought up to date with any import."""
    geo = current_app.extensions["psc_geo"]
    geo.refresh_zones(db.session)
    return geo


@blp.route("/geocode", methods=["GET"])
@require("operator", "supervisor", "admin")
@blp.arguments(GeocodeQuery, location="query")
@blp.response(200, CandidateList)
def geocode(query):
    """Ranked candidates for what the caller said (search-as-you-type); coordinates and map links too."""
    geo = current_geo()
    try:
        found = geo.geocoder.candidates(query["q"], typing=query["typing"])
    except CoordinateError as exc:
        raise InvalidInput(str(exc), fields={"q": str(exc)}, details={"message_id": exc.message_id}) from None
    return {"items": found[: query["limit"]]}


@blp.route("/reverse", methods=["GET"])
@require("operator", "supervisor", "admin", "crew")
@blp.arguments(ReverseQuery, location="query")
@blp.response(200, ReverseOut)
def reverse(query):
    """Kelurahan, kecamatan and the nearest known place of a point."""
    return current_geo().geocoder.reverse((query["lat"], query["lon"])).raw


@blp.route("/map/layers", methods=["GET"])
@require("operator", "supervisor", "admin", "crew")
@blp.response(200, MapLayersOut)
def map_layers():
    """What a map of Pontianak draws under the units: the zones in use, rivers and bridges (the
    hospitals, with their beds, come from `GET /api/hospitals`)."""
    geo = current_geo()
    tile_url = current_app.config.get("MAP_TILE_URL")
    return {
        "zones": geo.zones.to_geojson(),
        "rivers": geo.rivers.to_geojson(),
        "tiles": {"url": tile_url, "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or ""}
        if tile_url else None,
    }
