"""The Gazetteer class: which places a text names. Longer names win over the shorter names inside them,
typos are forgiven only as far as they stay unambiguous, search-as-you-type offers what the last words
start, and every name and alias of the shipped data finds its own place."""
import pytest

from dispatch.geo.gazetteer import Gazetteer, Place


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.load()


def named(gazetteer, text, *, typing=False, how=None):
    return {m.place.name for m in gazetteer.analyse(text, typing=typing).matches if how is None or m.how == how}


def test_every_name_and_alias_finds_its_own_place(gazetteer):
    missing = [(p.name, alias) for p in gazetteer.places for alias in (p.name,) + p.aliases
               if p.name not in named(gazetteer, alias, how="exact")]
    assert missing == []


@pytest.mark.parametrize("text, only", [
    ("Sei Jawi Luar", "Sungaijawi Luar"),
    ("Sungai Jawi Dalam", "Sungaijawi Dalam"),
    ("Sungaijawi Dalam", "Sungaijawi Dalam"),
    ("RS Jiwa Sungai Bangkong", "RS Jiwa Daerah Sungai Bangkong / RS Khusus Provinsi Kalbar"),
    ("Terminal RS Soedarso", "Terminal Soedarso"),
    ("Masjid Raya Mujahidin Pontianak", "Masjid Raya Mujahidin"),
    ("Siantan Tengah", "Siantan Tengah"),
    ("Jalan Sungai Raya Dalam", "Jalan Sungai Raya Dalam"),
])
def test_a_longer_name_wins_over_the_names_inside_it(gazetteer, text, only):
    # "Sei Jawi Luar" must not also yield kelurahan Sungaijawi (another kecamatan), nor "Siantan Tengah"
    # the kelurahan Tengah across the river.
    assert named(gazetteer, text) == {only}


def test_two_names_side_by_side_are_both_found(gazetteer):
    analysis = gazetteer.analyse("Gg. Mawar, RS Antonius, Sungai Jawi")
    assert {m.place.name for m in analysis.matches} == {"RSU Santo Antonius", "Sungaijawi"}
    assert analysis.unexplained() == ["mawar"]   # "gang" is a marker, not an unexplained word


@pytest.mark.parametrize("text, place", [
    ("Yarsu", "RSU YARSI PONTIANAK"),            # 5 letters: one edit
    ("Jeumpo", "Rumah Sakit Jeumpa Pontianak"),
    ("RS Antonis", "RSU Santo Antonius"),
    ("Sudarsooo", "RSUD dr. Soedarso"),          # 9 letters: two edits
    ("Masjid Raya Mujahiddin", "Masjid Raya Mujahidin"),
    ("Sungai Jawi Dalm", "Sungaijawi Dalam"),    # typo next to an exact "Sungai Jawi"
    ("Siantn Tengah", "Siantan Tengah"),         # typo next to an exact "Tengah"
])
def test_small_typos_are_forgiven(gazetteer, text, place):
    assert named(gazetteer, text) == {place}
    assert all(m.how == "typo" and m.distance >= 1 for m in gazetteer.analyse(text).matches)


@pytest.mark.parametrize("text", [
    "Siah",            # 4 letters are never matched fuzzily (Siam is a road)
    "Jiwq",
    "Sudarzoo",        # 8 letters: two edits is too many
    "Katulistiwaaa",   # three edits
    "Mawar", "Melati", "Merdeka", "Gang Mawar", "Jl. Kenanga No. 7", "Komplek Green Garden",
    "pasien sesak napas", "tolong cepat",
])
def test_typo_matching_is_bounded(gazetteer, text):
    assert named(gazetteer, text) == set()


@pytest.mark.parametrize("text, place", [
    ("Siam", "Jalan Siam"),      # a short name still matches when spelt exactly
    ("Untan", "Universitas Tanjungpura"),
])
def test_short_names_match_exactly(gazetteer, text, place):
    assert named(gazetteer, text, how="exact") == {place}


@pytest.mark.parametrize("text, place", [
    ("2 RS Soedarso", "RSUD dr. Soedarso"),                     # not Jl. Yos Sudarso
    ("a Universitas Tanjungpura", "Universitas Tanjungpura"),   # not its hospital
    ("Sungai Jawi Gg. Mawar", "Sungaijawi"),
    ("Sei Beting", "Kampung Beting"),
])
def test_a_stray_word_beside_an_exact_name_does_not_turn_it_into_another_place(gazetteer, text, place):
    assert named(gazetteer, text) == {place}


def test_prefix_index_offers_names_being_typed(gazetteer):
    assert "RSU Santo Antonius" in named(gazetteer, "RS Anto", typing=True, how="prefix")
    assert named(gazetteer, "RS Anto") == set()     # not without typing
    assert named(gazetteer, "Sungai Ja", typing=True) == {"Sungaijawi", "Sungaijawi Dalam", "Sungaijawi Luar"}


def test_prefix_of_the_last_words_together_wins_over_the_last_word_alone(gazetteer):
    # "Kha" alone starts RS Kharitas Bhakti, but "Tugu Kha" is the monument being typed.
    assert named(gazetteer, "Tugu Kha", typing=True) == {"Tugu Khatulistiwa"}


def test_prefix_needs_three_letters_and_offers_at_most_twelve(gazetteer):
    assert named(gazetteer, "Su", typing=True) == set()
    offered = named(gazetteer, "Jalan", typing=True)
    assert 1 < len(offered) <= 12
    assert all(gazetteer.by_name(name).kind == "road" for name in offered)


def test_a_complete_name_is_exact_not_a_prefix(gazetteer):
    matches = gazetteer.analyse("RS Antonius", typing=True).matches
    assert [(m.place.name, m.how) for m in matches] == [("RSU Santo Antonius", "exact")]


def test_by_name_finds_official_names_only(gazetteer):
    place = gazetteer.by_name("RSU Santo Antonius")
    assert isinstance(place, Place) and place.kind == "hospital"
    assert (place.lat, place.lon) == pytest.approx((-0.020211, 109.326778), abs=1e-4)
    assert gazetteer.by_name("RS Antonius") is None       # an alias, not a name
    assert gazetteer.by_name("Tidak Ada") is None


def test_relation_words_are_kept_apart(gazetteer):
    analysis = gazetteer.analyse("depan RS Antonius")
    assert analysis.relations == ["depan"]
    assert [m.place.name for m in analysis.matches] == ["RSU Santo Antonius"]


def test_a_gazetteer_of_its_own(tmp_path):
    path = tmp_path / "g.json"
    path.write_text('{"places": [{"name": "Posko Uji", "kind": "landmark", "lat": -0.03, "lon": 109.33,'
                    ' "aliases": ["Posko Test"]}]}', encoding="utf-8")
    gazetteer = Gazetteer.load(path)
    assert named(gazetteer, "dekat posko test") == {"Posko Uji"}
    assert named(gazetteer, "RS Antonius") == set()


def test_very_long_text_is_cut_not_choked_on(gazetteer):
    analysis = gazetteer.analyse("RS Antonius " + "mawar " * 500)
    assert [m.place.name for m in analysis.matches] == ["RSU Santo Antonius"]
