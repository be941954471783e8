"""Normalising Indonesian address text: the many ways a call-taker writes one address must become one
spelling, words saying *where relative to* a place must come out apart, and house numbers, RT and RW
must not get in the way of the place."""
import pytest

from dispatch.geo.text import analyse, compact, relation, tokens

# Each pair must normalise to the same tokens.
SAME = [
    # case, punctuation, spacing
    ("JALAN MERDEKA", "jalan merdeka"),
    ("Jl.Merdeka", "Jalan Merdeka"),
    ("Jalan  Merdeka,,, ", "Jalan Merdeka"),
    ("Kératon", "Keraton"),
    # street and area markers
    ("Jl. Merdeka", "Jalan Merdeka"),
    ("Jln. Merdeka", "Jalan Merdeka"),
    ("Jln Merdeka", "Jalan Merdeka"),
    ("Gg. Mawar", "Gang Mawar"),
    ("Kel. Tengah", "Kelurahan Tengah"),
    ("Kec. Pontianak Kota", "Kecamatan Pontianak Kota"),
    ("Komp. Bali Agung", "Kompleks Bali Agung"),
    # Sei / Sungai
    ("Sei Jawi", "Sungai Jawi"),
    ("Sei. Jawi", "Sungai Jawi"),
    ("Sg. Jawi", "Sungai Jawi"),
    # hospitals
    ("RS Antonius", "Rumah Sakit Antonius"),
    ("RSU Antonius", "RS Antonius"),
    ("RSUD Soedarso", "RS Soedarso"),
    ("RS. Antonius", "RS Antonius"),
    ("Rumah Sakit Umum Daerah Soedarso", "RS Soedarso"),
    ("Rumah Sakit Umum Antonius", "RS Antonius"),
    ("RSUD dr. Soedarso", "RS Dokter Soedarso"),
    ("Mesjid Raya", "Masjid Raya"),
    # old spelling
    ("Soedarso", "Sudarso"),
    ("Medika Djaya", "Medika Jaya"),
    ("Tjempaka", "Cempaka"),
    ("Sutan Sjahrir", "Sutan Syahrir"),
    ("Tandjoeng Hoeloe", "Tanjung Hulu"),
    # roman numerals and number words
    ("Pal V", "Pal 5"),
    ("Pal Lima", "Pal 5"),
    ("Pal 05", "Pal 5"),
    ("Jl. Sultan Hamid II", "Jl. Sultan Hamid 2"),
    ("Jalan Sultan Hamid dua", "Jl. Sultan Hamid 2"),
    ("Jembatan Kapuas I", "Jembatan Kapuas Satu"),
    # Tj. = Tanjung
    ("Tj. Hulu", "Tanjung Hulu"),
    ("Tj Raya II", "Tanjung Raya 2"),
    # house numbers, RT and RW go
    ("Jl. Merdeka No. 12", "Jl. Merdeka"),
    ("Jl. Merdeka No.12A", "Jl. Merdeka"),
    ("Jl. Merdeka Nomor 7", "Jl. Merdeka"),
    ("Jl. Merdeka RT.03/RW.01", "Jl. Merdeka"),
    ("Jl. Merdeka RT 003 RW 005", "Jl. Merdeka"),
    ("Jl. Merdeka RT03/RW05", "Jl. Merdeka"),
    ("Jl. A. Yani Km. 5", "Jl. A. Yani"),
    # words that carry nothing
    ("tolong di Gg. Mawar pak", "Gg. Mawar"),
    # what chats and SMS write
    ("jln. a yani", "Jalan A Yani"),
    ("jl a yani", "Jalan A Yani"),
    ("gg mawar", "Gang Mawar"),
    ("msjd raya mujahidin", "Masjid Raya Mujahidin"),
    ("msjid jami", "Masjid Jami"),
    ("mesjd jami", "Masjid Jami"),
    ("R.S. Antonius", "Rumah Sakit Antonius"),
    ("R.S.U.D. Soedarso", "RSUD Soedarso"),
    ("rsu antonius", "Rumah Sakit Umum Antonius"),
    ("rsud soedarso", "Rumah Sakit Umum Daerah Soedarso"),
    ("psr flamboyan", "Pasar Flamboyan"),
    ("jmbtn kapuas", "Jembatan Kapuas"),
    ("sui jawi", "Sungai Jawi"),
    ("sungei jawi", "Sungai Jawi"),
    ("Sei Raya Dalam", "Sungai Raya Dalam"),
    ("Sui Raya Dalam", "Sungai Raya Dalam"),
    ("dpn msjd raya", "depan Masjid Raya"),
    ("dkt rsud soedarso", "dekat Rumah Sakit Umum Daerah Soedarso"),
    ("gg mawar sblh sd", "Gang Mawar sebelah SD"),
    ("blkg rs antonius", "belakang RS Antonius"),
]


@pytest.mark.parametrize("written, same_as", SAME)
def test_spellings_of_one_address_normalise_alike(written, same_as):
    assert tokens(written) == tokens(same_as)
    assert tokens(written), "the address must not vanish"


# Each pair must stay apart.
DIFFERENT = [
    ("Sungai Jawi", "Sungai Jawi Luar"),
    ("Pal 5", "Pal 6"),
    ("RS Jeumpa", "RSB Jeumpa"),          # RSB = Rumah Sakit Bersalin, the maternity hospital
    ("Jl. Sultan Hamid I", "Jl. Sultan Hamid II"),
    ("Bansir Laut", "Bansir Darat"),
    ("Jl. S. Parman", "Jl. Sungai Parman"),  # "S." is Siswondo, not Sungai
]


@pytest.mark.parametrize("one, other", DIFFERENT)
def test_different_places_stay_different(one, other):
    assert compact(tokens(one)) != compact(tokens(other))


def test_initials_are_not_taken_for_abbreviations():
    assert tokens("Jl. W.R. Supratman") == ["jalan", "w", "r", "supratman"]      # R. alone is not RS
    assert tokens("Jl. S. Parman") == ["jalan", "s", "parman"]                    # S. alone is not Sungai


def test_documented_example():
    toks, relations = analyse("Depan RSUD dr. Soedarso, Jln. A. Yani")
    assert toks == ["rs", "dokter", "sudarso", "jalan", "a", "yani"]
    assert relations == ["depan"]


def test_rsb_is_the_maternity_hospital():
    assert tokens("RSB Jeumpa") == tokens("RS Bersalin Jeumpa") == tokens("Rumah Sakit Bersalin Jeumpa")


@pytest.mark.parametrize("word", ["depan", "dekat", "samping", "belakang", "seberang", "sebelah", "DEPAN", "Dkt"])
def test_relation_words_come_out_apart_and_leave_the_place(word):
    toks, relations = analyse(f"{word} RS Antonius")
    assert toks == tokens("RS Antonius")
    assert [r.casefold() for r in relations] == [word.casefold()]


def test_relation_word_after_the_place_and_with_di():
    assert analyse("di depan RS Antonius") == (["rs", "antonius"], ["depan"])
    assert analyse("RS Antonius, samping parkiran") == (["rs", "antonius", "parkiran"], ["samping"])


def test_no_relation_words_gives_an_empty_list():
    assert analyse("RS Antonius") == (["rs", "antonius"], [])


@pytest.mark.parametrize("text, word", [
    ("depan RS Antonius", "depan"),
    ("dpn RS Antonius", "depan"),
    ("Dkt Masjid Mujahidin", "dekat"),
    ("deket pasar Flamboyan", "dekat"),
    ("di blkg Kantor Gubernur", "belakang"),
    ("sebrang Jembatan Kapuas I", "seberang"),
    ("sblh Puskesmas Alianyang", "sebelah"),
    ("smpg RS Antonius", "samping"),
    ("sbrg Jembatan Kapuas I", "seberang"),
    ("jln a yani dkt rsud soedarso", "dekat"),
    ("gg mawar blkg msjd", "belakang"),
    ("RS Antonius, samping parkiran", "samping"),
    ("depan gang, dekat masjid", "depan"),     # the first one said
])
def test_relation_is_the_first_relation_word_in_its_one_spelling(text, word):
    assert relation(text) == word


@pytest.mark.parametrize("text", ["Gg. Mawar Sei Jawi Luar", "RS Antonius", "", None, "-0.03, 109.33"])
def test_no_relation_word_gives_none(text):
    assert relation(text) is None


@pytest.mark.parametrize("glued, apart", [
    ("Sungaijawi", "Sungai Jawi"),
    ("Sungaijawi", "Sei Jawi"),
    ("Sungaijawi Dalam", "Sei Jawi Dalam"),
    ("Parittokaya", "Parit Tokaya"),
    ("Benuamelayu Laut", "Benua Melayu Laut"),
    ("Batulayang", "Batu Layang"),
    ("Tanjunghulu", "Tanjung Hulu"),
    ("Tanjungpura", "Tanjung Pura"),      # "nj" is modern spelling, not old "nj" = "ny"
    ("Banjarserasan", "Banjar Serasan"),
])
def test_compact_key_is_the_same_whether_written_together_or_apart(glued, apart):
    assert compact(tokens(glued)) == compact(tokens(apart))


def test_numbers_that_name_a_place_are_kept():
    # "Pal 5" is a kelurahan and "Parit H. Husin 1" a road: bare numbers are not house numbers.
    assert tokens("Pal 5") == ["pal", "5"]
    assert tokens("Jl. Parit H. Husin 1")[-1] == "1"


def test_a_number_word_alone_is_a_word():
    # "Lima" at the start is not a number after a name (Pal Lima), so it stays a word.
    assert tokens("Lima") == ["lima"]


def test_only_an_rt_rw_line_leaves_nothing():
    assert analyse("RT 03 RW 05") == ([], [])
    assert analyse("RT.003/RW.005 No. 12") == ([], [])


@pytest.mark.parametrize("garbage", ["", "   ", "\x00\x01\x02", "\ud800", "!!!???...", "\u200b\u200b", "🚑🚑"])
def test_text_without_letters_or_digits_gives_no_tokens(garbage):
    assert analyse(garbage) == ([], [])


def test_broken_characters_do_not_hide_the_place():
    assert tokens("\ud800RS\x00Antonius\ufeff") == ["rs", "antonius"]
    assert tokens("ＲＳ　Ａｎｔｏｎｉｕｓ") == ["rs", "antonius"]   # full-width letters and space
