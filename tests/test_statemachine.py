"""The state machine tables, every pair: allowed moves pass, every other is refused with
a message naming both states."""
import itertools

import pytest

from dispatch.core.errors import InvalidTransition
from dispatch.core.statemachine import derive_incident_status, incident_move, unit_move
from dispatch.vocabulary import INCIDENT_STATUSES, UNIT_STATUSES

UNIT_ALLOWED = {
    ("available", "dispatched"), ("dispatched", "en_route"), ("en_route", "on_scene"),
    ("on_scene", "transporting"), ("transporting", "at_hospital"), ("at_hospital", "available"),
    ("on_scene", "available"),
    ("dispatched", "available"), ("en_route", "available"),
    ("out_of_service", "available"),
} | {(s, "out_of_service") for s in UNIT_STATUSES if s != "out_of_service"}

INCIDENT_ALLOWED = {
    ("pending", "dispatched"), ("dispatched", "on_scene"), ("on_scene", "transporting"),
    ("transporting", "closed"), ("on_scene", "closed"), ("dispatched", "pending"),
    ("closed", "pending"), ("cancelled", "pending"),      # reopened
    ("merged", "pending"),                                # split back out (its call unlinked)
} | {(s, end) for s in ("pending", "dispatched", "on_scene", "transporting") for end in ("cancelled", "merged")}


@pytest.mark.parametrize("current,requested", sorted(itertools.product(UNIT_STATUSES, repeat=2)))
def test_unit_transition(current, requested):
    if (current, requested) in UNIT_ALLOWED:
        assert unit_move(current, requested) in ("assign", "crew", "cancel", "service")
    else:
        with pytest.raises(InvalidTransition) as err:
            unit_move(current, requested)
        assert f"'{current}'" in err.value.message and f"'{requested}'" in err.value.message


def test_unit_moves_are_classified():
    assert unit_move("available", "dispatched") == "assign"
    assert unit_move("dispatched", "available") == "cancel"
    assert unit_move("en_route", "available") == "cancel"
    assert unit_move("on_scene", "available") == "crew"
    assert unit_move("transporting", "out_of_service") == "service"
    assert unit_move("out_of_service", "available") == "service"


@pytest.mark.parametrize("current,requested", sorted(itertools.product(INCIDENT_STATUSES, repeat=2)))
def test_incident_transition(current, requested):
    if (current, requested) in INCIDENT_ALLOWED:
        incident_move(current, requested)
    else:
        with pytest.raises(InvalidTransition) as err:
            incident_move(current, requested)
        assert f"'{current}'" in err.value.message and f"'{requested}'" in err.value.message


@pytest.mark.parametrize("current,active,expected", [
    ("pending", [], "pending"),
    ("pending", ["dispatched"], "dispatched"),
    ("dispatched", ["en_route"], "dispatched"),
    ("dispatched", ["en_route", "on_scene"], "on_scene"),
    ("on_scene", ["on_scene", "transporting"], "transporting"),
    ("transporting", ["at_hospital"], "transporting"),
    # every unit taken off before arrival: back into the queue
    ("dispatched", [], "pending"),
    # once a unit has reached the patient the incident does not go back
    ("on_scene", [], "on_scene"),
    ("on_scene", ["dispatched"], "on_scene"),
    ("transporting", [], "transporting"),
    ("closed", ["dispatched"], "closed"),
    ("cancelled", [], "cancelled"),
])
def test_incident_status_follows_most_advanced_assignment(current, active, expected):
    assert derive_incident_status(current, active) == expected
