from .. import vocabulary as v
from ..schemas.vocabulary import VocabularyOut
from .blueprint import Blueprint
from .security import require

blp = Blueprint("vocabulary", __name__, url_prefix="/api", description="Codes and their labels")


def _terms(labels, codes=None):
    return [{"code": code, "id": labels[code]["id"], "en": labels[code]["en"]} for code in (codes or labels)]


@blp.route("/vocabulary", methods=["GET"])
@require("operator", "supervisor", "admin", "crew")
@blp.response(200, VocabularyOut)
def vocabulary():
    """The codes of categories, priorities, dispositions, unit and incident statuses and location
    precisions, each with its Indonesian and English label: the pages read their labels here."""
    return {
        "categories": _terms(v.CATEGORIES),
        "priorities": [{**term, "dispatch_target_s": v.DISPATCH_TARGETS_S[term["code"]]}
                       for term in _terms(v.PRIORITIES)],
        "dispositions": _terms(v.DISPOSITION_LABELS, v.DISPOSITIONS),
        "unit_statuses": _terms(v.UNIT_STATUS_LABELS, v.UNIT_STATUSES),
        "incident_statuses": _terms(v.INCIDENT_STATUS_LABELS, v.INCIDENT_STATUSES),
        "location_precisions": _terms(v.LOCATION_PRECISION_LABELS),
        "duplicate_reasons": _terms(v.DUPLICATE_REASONS),
        "callback_outcomes": _terms(v.CALLBACK_OUTCOME_LABELS, v.CALLBACK_OUTCOMES),
        "alert_kinds": [{**term, "timer": v.ALERT_KINDS[term["code"]]["timer"],
                         "urgent_for_p1": term["code"] in v.URGENT_ALERT_KINDS} for term in _terms(v.ALERT_KINDS)],
        "alert_states": _terms(v.ALERT_STATE_LABELS, v.ALERT_STATES),
    }
