"""A location text refused by the geography library says why in both languages, whichever part
refused it (coordinates or a plus code)."""
import pytest

from dispatch.geo.coords import parse_coordinates
from dispatch.geo.errors import TextRefused


@pytest.mark.parametrize("text, english, indonesian", [
    ("-0,0263,109,3425", "ambiguous", "koma"),            # decimal commas with no space between the numbers
    ("X89R+M", "not a valid plus code", "bukan kode plus"),
])
def test_a_text_meant_as_a_location_that_cannot_be_used_is_refused_in_both_languages(text, english, indonesian):
    with pytest.raises(TextRefused) as refused:
        parse_coordinates(text)
    assert english in str(refused.value).lower() and indonesian in refused.value.message_id.lower()
