"""Plus codes (Open Location Code) in what an operator types or pastes, decoded by the reference library.

Google Maps shows a place's plus code as a short code and a locality ("X89R+M52 Pontianak",
"X89R+M52, Tengah, Kec. Pontianak Kota") and shares it as a full code ("6PFFX89R+M52",
``https://plus.codes/6PFFX89R+M52``). :func:`read_plus_code` finds one in a text, case-insensitive:

* a full code (8 characters, "+", usually 2 or 3 more) anywhere among the words, like a map link;
* a short code (4 or 6 characters before the "+") anywhere among the words, with or without the
  locality after it. It is recovered relative to ``reference`` (Pontianak's centre by default): a
  short code with 4 characters before the "+" is unique within a 1° square (about 110 km), so any
  locality Google Maps names with it within about 50 km of the city is right, and the locality
  words are not needed (nor read). A short code given relative to a faraway town is recovered near
  Pontianak, i.e. wrong; the service area check says when that point is outside the city.

The point is the centre of the code's area; ``accuracy_m`` is the longer side of that area in
metres (10 characters: about 14 m, 11: about 3 m, 8: about 280 m). Codes that look like a plus
code but cannot be used (not valid, padded or coarser than ``MAX_ACCURACY_M``, or a short code
with 2 characters before the "+", which is only unique within about 5 km) raise
:class:`PlusCodeError` when the text starts with them and they have 4 characters before the "+"
or 2 after it (the text is then clearly meant as a plus code); elsewhere in a text, or as short as
"WC+2", they are left to be read as words. Nothing here guesses a code.
"""
import math
import re
from dataclasses import dataclass

from openlocationcode import openlocationcode as olc

from .distance import METRES_PER_DEGREE
from .errors import TextRefused

# The centre of Kota Pontianak (in Darat Sekip, by the Kapuas): short codes are recovered relative to it.
PONTIANAK = (-0.0263, 109.3425)
# A code whose area is larger than this is too coarse to send an ambulance to ("6PFFX800+": 5.5 km).
MAX_ACCURACY_M = 300
# The 20 characters of the Open Location Code specification (no vowels, no 0, 1 or easily confused letters).
_ALPHABET = frozenset("23456789CFGHJMPQRVWX")
# A word with a "+" inside: up to 8 characters before it, up to 7 after (the longest codes).
_WORD = re.compile(r"(?<![0-9A-Za-z+])([0-9A-Za-z]{2,8})\+([0-9A-Za-z]{0,7})(?![0-9A-Za-z+])")
_LEADING = re.compile(r"[\s(\[<\"'`]*(?:(?:plus\s*codes?|kode\s*plus|pluscode)\s*[:=]?\s*)?", re.I)


class PlusCodeError(TextRefused):
    """A text meant as a plus code that cannot be used; str(e) is English, e.message_id Indonesian."""


@dataclass(frozen=True)
class PlusCode:
    lat: float
    lon: float
    accuracy_m: float
    code: str        # the full code of the point ("6PFFX89R+M52"), recovered for a short one


def looks_like_plus_code(before, after):
    """Letters and digits of the plus code alphabet around the "+" ("0" only as padding before it)."""
    return (all(c in _ALPHABET or c == "0" for c in before.upper())
            and all(c in _ALPHABET for c in after.upper()))


def read_plus_code(text, reference=PONTIANAK):
    """The first usable plus code among the words of ``text``, or None; raise PlusCodeError when the
    text starts with a plus code that cannot be used."""
    if "+" not in text:
        return None
    start = _LEADING.match(text).end()
    for m in _WORD.finditer(text):
        before, after = m[1], m[2]
        if not looks_like_plus_code(before, after):
            continue
        code = f"{before}+{after}".upper()
        try:
            return _decode(code, reference)
        except PlusCodeError:
            # Clearly meant as a plus code: it starts the text and is not just "WC+2" or "22+".
            if m.start() == start and (len(before) >= 4 or len(after) >= 2):
                raise
    return None


def _decode(code, reference):
    if not olc.isValid(code):
        _fail(f"{code} is not a valid plus code: copy it again from Google Maps",
              f"{code} bukan kode plus yang sah: salin lagi dari Google Maps")
    if olc.isShort(code):
        if code.index("+") < 4:
            _fail(f"The plus code {code} is too short to place: give at least 4 characters before the + "
                  "(as Google Maps shows it, e.g. X89R+M52)",
                  f"Kode plus {code} terlalu pendek: tulis sedikitnya 4 karakter sebelum + "
                  "(seperti di Google Maps, mis. X89R+M52)")
        code = olc.recoverNearest(code, *reference)
    elif not olc.isFull(code):
        _fail(f"{code} is not a valid plus code: copy it again from Google Maps",
              f"{code} bukan kode plus yang sah: salin lagi dari Google Maps")
    area = olc.decode(code)
    lat, lon = area.latitudeCenter, area.longitudeCenter
    height = (area.latitudeHi - area.latitudeLo) * METRES_PER_DEGREE
    width = (area.longitudeHi - area.longitudeLo) * METRES_PER_DEGREE * math.cos(math.radians(lat))
    accuracy = max(height, width)
    if accuracy > MAX_ACCURACY_M:
        _fail(f"The plus code {code} covers about {_km(accuracy)}: give the whole code, with the characters "
              "after the +",
              f"Kode plus {code} mencakup sekitar {_km(accuracy).replace('.', ',')}: tulis kode lengkapnya, dengan karakter "
              "sesudah +")
    return PlusCode(lat, lon, max(1, round(accuracy)), code)


def _km(metres):
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{round(metres)} m"


def _fail(message, message_id):
    raise PlusCodeError(message, message_id)
