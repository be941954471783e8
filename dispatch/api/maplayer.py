from flask import Response, request

from ..core.maplayer import road_layer
from ..extensions import db
from ..schemas.maplayer import RoadLayerOut
from .blueprint import Blueprint
from .geo import current_geo
from .security import require

blp = Blueprint("maplayer", __name__, url_prefix="/api", description="The street layer of the maps")

CACHE = "private, max-age=3600, must-revalidate"   # a browser keeps it; a changed layer has a new ETag


@blp.route("/map/roads", methods=["GET"])
@require("operator", "supervisor", "admin", "crew")
@blp.response(200, RoadLayerOut, headers={"ETag": {"schema": {"type": "string"}},
                                          "Cache-Control": {"schema": {"type": "string"}}})
@blp.alt_response(304, schema=None, description="not modified: the ETag sent in If-None-Match is current")
def road_layer_view():
    """The streets a map draws when no tile server is configured: the roads by class, the street
    names, the kecamatan and kelurahan names, the bridges, the hospitals and puskesmas
    (gzip when the client accepts it; cache it by its ETag)."""
    raw, packed, etag = road_layer(db.session, current_geo())
    headers = {"ETag": etag, "Cache-Control": CACHE, "Vary": "Accept-Encoding"}
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers=headers)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(packed, mimetype="application/json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(raw, mimetype="application/json", headers=headers)
