"""The street index's builder (dispatch/data/make_streets.py): the shipped streets.json is what it makes."""
import json

import pytest

from conftest import REFERENCE_DATA
from dispatch.data import make_streets


def test_the_shipped_index_is_what_the_builder_makes():
    if not (REFERENCE_DATA / "street_lights.geojson").is_file():
        pytest.skip(f"{REFERENCE_DATA} not found: the street index is not rebuilt")
    built = json.loads(json.dumps(make_streets.build(REFERENCE_DATA), ensure_ascii=False))
    assert built == json.loads(make_streets.OUT.read_text(encoding="utf-8"))
    assert built["summary"]["puskesmas"] == 23 and built["summary"]["schools"] >= 160
    assert all(p["estimated"] and p["method"] for p in built["puskesmas"])


def test_school_names_have_their_everyday_forms():
    name, aliases = make_streets.school_names("SD NEGERI 03 PONTIANAK KOTA")
    assert name == "SD Negeri 3 Pontianak Kota" and "SDN 3 Pontianak Kota" in aliases
