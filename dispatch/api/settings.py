from flask import current_app

from ..core import settings
from ..extensions import db
from ..schemas.settings import DispatchSettingsIn, DispatchSettingsOut, TimersIn, TimersOut
from .blueprint import Blueprint
from .security import current_user, require

blp = Blueprint("settings", __name__, url_prefix="/api/settings", description="The centre's settings")


def _timers_out(doc):
    return {"timers": doc["value"], **doc}


def _dispatch_out(doc):
    return {**doc["value"], **doc}


@blp.route("/timers", methods=["GET"])
@require("operator", "supervisor", "admin")
@blp.response(200, TimersOut)
def get_timers():
    """The limits past which alerts are raised, and their defaults."""
    return _timers_out(settings.read(db.session, "timers", defaults=current_app.config["TIMER_DEFAULTS"]))


@blp.route("/timers", methods=["PUT"])
@require("supervisor")
@blp.arguments(TimersIn)
@blp.response(200, TimersOut)
@blp.alt_response(409, description="conflict: `version` is not the current one (someone changed them meanwhile)")
def put_timers(body):
    """Change any of the timers (the others stay); recorded as `settings.changed`."""
    version = body.pop("version", None)
    return _timers_out(settings.change(db.session, actor=current_user(), key="timers", changes=body,
                                       version=version, defaults=current_app.config["TIMER_DEFAULTS"]))


@blp.route("/dispatch", methods=["GET"])
@require("operator", "supervisor", "admin")
@blp.response(200, DispatchSettingsOut)
def get_dispatch():
    """Auto-dispatch per priority: a unit that comes free is sent by itself to the incident it is
    offered (off as a centre starts)."""
    return _dispatch_out(settings.read(db.session, "dispatch"))


@blp.route("/dispatch", methods=["PUT"])
@require("supervisor")
@blp.arguments(DispatchSettingsIn)
@blp.response(200, DispatchSettingsOut)
@blp.alt_response(409, description="conflict: `version` is not the current one")
def put_dispatch(body):
    """Switch auto-dispatch on or off per priority (supervisors only); recorded as `settings.changed`."""
    version = body.pop("version", None)
    return _dispatch_out(settings.change(db.session, actor=current_user(), key="dispatch", changes=body,
                                         version=version))
