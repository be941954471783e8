
from ..core import hospitals
from ..extensions import db
from ..schemas.hospitals import HospitalList, HospitalOut, HospitalPatch
from .security import current_user, require
from .blueprint import Blueprint

blp = Blueprint("hospitals", __name__, url_prefix="/api/hospitals", description="Hospitals")


@blp.route("", methods=["GET"])
@require("operator", "supervisor", "admin", "crew")
@blp.response(200, HospitalList)
def list_hospitals():
    """All hospitals with capabilities, status and beds available."""
    return {"items": hospitals.list_hospitals(db.session)}


@blp.route("/<id:hospital_id>", methods=["PATCH"])
@require("supervisor", "admin")
@blp.arguments(HospitalPatch)
@blp.response(200, HospitalOut)
def patch_hospital(body, hospital_id):
    """Report beds available and whether the hospital takes patients (open, diverting, closed)."""
    return hospitals.update_hospital(db.session, actor=current_user(), hospital_id=hospital_id, changes=body)
