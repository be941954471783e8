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


@pytest.mark.parametrize("address, gangs", [
    ("Jl. K. H. Wahid Hasyim Gg. Cimahi. Kec. Pontianak Kota", [("Gg. Cimahi", "Jl. K. H. Wahid Hasyim")]),
    ("Jl. Merdeka Gg. Merak", [("Gg. Merak", "Jl. Merdeka")]),
    ("Gg. Kencana 2 No. 5, Jl. Alianyang", [("Gg. Kencana 2", None)]),
    ("Jl. Dharma Putra Gg. DHARMA PUTRA iv Rt 03", [("Gg. Dharma Putra IV", "Jl. Dharma Putra")]),
    ("Jl. Fatimah. Kec. Pontianak Kota", []),
])
def test_gangs_are_read_from_an_address(address, gangs):
    assert make_streets.gangs_of(address) == gangs


def test_every_street_of_the_lights_is_a_street_and_the_puskesmas_are_placed_by_their_address():
    shipped = json.loads(make_streets.OUT.read_text(encoding="utf-8"))
    names = {s["name"] for s in shipped["streets"]}
    # streets with two lights, and streets the RBI lines miss (drawn through their lights), are there
    assert {"Jl. Husin Hamzah", "Jl. Trunojoyo", "Jl. Makam Kesultanan", "Jl. Daya Nasional"} <= names
    drawn = {s["name"]: s["line_from"] for s in shipped["streets"]}
    assert drawn["Jl. Trunojoyo"] == "street lights" and drawn["Jl. Ahmad Yani"] == "road graph"
    assert all(s["lines"] and s["length_m"] > 0 for s in shipped["streets"])
    # gangs: each at a school on it, with the street its address names
    suez = next(g for g in shipped["gangs"] if g["name"] == "Gg. Suez")
    assert suez["street"] == "Jl. Gajah Mada" and suez["street_indexed"] and suez["schools"]
    # the puskesmas: all but one placed by a street, a gang or a kelurahan its address names
    methods = {p["name"]: p["method"] for p in shipped["puskesmas"]}
    assert [n for n, m in methods.items() if m == "kecamatan"] == ["UPT Puskesmas Telaga Biru"]
    assert methods["UPT Puskesmas Alianyang"] == "kelurahan"     # "Kel. Sui Bangkong": Sui is Sungai
