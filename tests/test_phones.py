"""dispatch/phones.py: one number however it is written; what cannot be a number is refused."""
import pytest

from dispatch import phones


@pytest.mark.parametrize("typed", ["0811-573-119", "+62 811 573 119", "62811573119", "0811573119", " 0811 573 119 ",
                                   "+62-811-573-119", "62 811-573-119"])
def test_the_ways_of_writing_one_mobile_number_are_one_number(typed):
    assert phones.normalise(typed) == phones.Phone("+62811573119", "0811-573-119", "mobile")


@pytest.mark.parametrize("typed", ["112", "119", "110", "118", "113"])
def test_short_service_numbers_stay_as_they_are(typed):
    assert phones.normalise(typed) == phones.Phone(typed, typed, "short")


@pytest.mark.parametrize("typed, number, shown", [
    ("(0561) 734119", "+62561734119", "(0561) 734119"),
    ("0561-734119", "+62561734119", "(0561) 734119"),
    ("734119", "+62561734119", "(0561) 734119"),         # a Pontianak landline given without its area code
])
def test_landlines(typed, number, shown):
    assert (phones.normalise(typed).number, phones.normalise(typed).display, phones.normalise(typed).kind) == (
        number, shown, "fixed")


def test_a_foreign_number_keeps_its_country():
    assert phones.normalise("+1 650 253 0000") == phones.Phone("+16502530000", "+1 650-253-0000", "foreign")


@pytest.mark.parametrize("typed, why", [
    ("", "needed"), (None, "needed"), ("call me maybe", "digits"), ("0811", "too short"), ("123", "too short"),
    ("0812-999", "10 to 13 digits"), ("0" * 33, "too many"), ("+62 0", "not a possible"),
    ("0", "too short"), ("1", "too short"), ("(7", "too short"),
])
def test_what_cannot_be_a_phone_number_is_refused_saying_why(typed, why):
    with pytest.raises(phones.NotAPhoneNumber, match=why):
        phones.normalise(typed)


def test_key_and_display():
    assert phones.key("0811-573-119") == "+62811573119" and phones.key("0811") is None
    assert phones.display("+62811573119") == "0811-573-119" and phones.display("0811") == "0811"
