"""Reading coordinates that an operator types or pastes, strictly and offline.

:func:`parse_coordinates` accepts, for the whole text (trimmed):

* decimal degrees, latitude first: ``-0.0202, 109.3268``, ``-0.0202 109.3268``,
  ``-0.0202;109.3268``, ``(-0.0202, 109.3268)``, ``lat -0.0202 lon 109.3268``,
  ``lat: -0.0202, lng: 109.3268`` (labels lat/latitude/lintang and
  lon/lng/long/longitude/bujur). Both numbers need a decimal fraction or a degree
  sign, so house numbers, RT/RW and phone numbers never become coordinates.
* Indonesian decimal commas: ``-0,0202 109,3268``, ``-0,0202; 109,3268``, ``-0,0202, 109,3268``.
  The rule: a comma inside a number (a digit on both sides) is its decimal comma, unless it is
  the only comma between two numbers written with decimal points (``-0.0202,109.3268``). A
  comma between the numbers is read as their separator when a space (or a hemisphere
  letter) is next to it; a comma directly between the digits of two decimal-comma numbers
  (``-0,0202,109,3268``, or ``-0.0202,109,3268``) is ambiguous in writing and raises
  :class:`CoordinateError` asking for a space, never a guess.
* degrees with hemisphere letters N/S/E/W, Indonesian LU/LS/BT/BB, the words Lintang
  Utara/Selatan, Bujur Timur/Barat (or utara/selatan/timur/barat alone), and the single
  letters U and T (B for barat only after its number: before a number it may mean bujur),
  any case, before or after each number, as decimal degrees or degrees-minutes(-seconds):
  ``0°01'12.3"S 109°19'36.4"E``, ``S 0° 1' 12" E 109° 19' 36"``, ``0.0202 S, 109.3268 E``,
  ``0°01'12" LS 109°19'36" BT``, ``0,0202 Lintang Selatan 109,3268 Bujur Timur``; ′ ″ and ''
  work as minute and second marks. The letters (or lat/lon labels) say which number is the
  latitude.
* a plus code (Open Location Code, :mod:`.pluscodes`): a full code (``6PFFX89R+M52``) or a
  short one (``X89R+M52``, ``X89R+M52 Pontianak``) recovered relative to ``reference``
  (Pontianak's centre), with ``accuracy_m`` the size of the code's area.
* a map link, also among other words ("lokasi: https://maps.google.com/?q=... pak"):
  Google Maps (in order of preference the ``!3d..!4d..`` place pin, the
  ``q``/``query``/``destination``/``daddr``/``ll``/``center`` parameters, the
  ``/place/<coordinates>`` segment, the ``@lat,lon`` camera centre), OpenStreetMap or
  osm.org (``mlat``/``mlon`` marker, ``lat``/``lon``, ``#map=zoom/lat/lon``) and geo URIs
  (``geo:lat,lon``, ``geo:0,0?q=lat,lon(label)``).

``format`` is "decimal" (signed degrees), "dms" (hemisphere letters or minutes and
seconds), "google_maps", "openstreetmap", "geo_uri" or "plus_code". ``accuracy_m`` is None
except for a plus code (the size of its area, in metres).

Unlike geopy's ``Point`` this never reads the last two numbers of an address, never
negates twice for ``-0.02 S``, never swaps longitude-first input silently and never
accepts exponents, nan or infinity (those texts give None). A minus sign together with
a hemisphere letter, a letter on only one number, two latitude (or two longitude)
letters, degrees-minutes-seconds with neither letters nor a sign (north or south of the
equator is then a guess), minutes or seconds >= 60 and out-of-range numbers raise
:class:`CoordinateError`, as do map links without coordinates and short links
(maps.app.goo.gl, goo.gl, osm.org/go), which need the network to resolve. Texts longer
than ``MAX_LENGTH`` give None; the caller validates length.
"""
import math
import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from .errors import TextRefused
from .pluscodes import PONTIANAK, PlusCodeError, read_plus_code

MAX_LENGTH = 500


class CoordinateError(TextRefused):
    """The text is clearly meant as coordinates but cannot be used. str(e) is a clear
    English message; e.message_id is the Indonesian message."""


@dataclass(frozen=True)
class ParsedCoordinates:
    lat: float
    lon: float
    format: str  # "decimal", "dms", "google_maps", "openstreetmap", "geo_uri" or "plus_code"
    accuracy_m: float | None = None  # a plus code: the size of its area; None: as precise as written


def parse_coordinates(text: str, *, reference=PONTIANAK) -> ParsedCoordinates | None:
    """Return coordinates if the whole text (trimmed) is a coordinate expression or
    contains a map link/geo URI or a plus code; None when it is not coordinates (an
    address, a name); raise CoordinateError when it is clearly coordinates but invalid.
    ``reference`` (lat, lon) is where short plus codes are recovered."""
    text = text.strip()
    if not text or len(text) > MAX_LENGTH:
        return None
    return _find_link(text, reference) or _plus_code(text, reference) or _plain(text)


def _plus_code(text, reference):
    try:
        found = read_plus_code(text, reference)
    except PlusCodeError as exc:
        _fail(str(exc), exc.message_id)
    if found is None:
        return None
    return replace(_checked(found.lat, found.lon, "plus_code", positional=False), accuracy_m=found.accuracy_m)


# --- plain text --------------------------------------------------------------------

# Hemisphere letter -> (which coordinate, sign); LU/LS/BT/BB: lintang utara/selatan, bujur timur/barat.
_HEMISPHERES = {"N": ("lat", 1), "LU": ("lat", 1), "S": ("lat", -1), "LS": ("lat", -1),
                "E": ("lon", 1), "BT": ("lon", 1), "W": ("lon", -1), "BB": ("lon", -1)}
# Indonesian words and single letters for them (lintang utara, bujur timur, ...). "B" (barat) only
# after its number: in front of one it may be short for "bujur", a label.
_DIRECTIONS = {"utara": "LU", "selatan": "LS", "timur": "BT", "barat": "BB", "u": "LU", "t": "BT"}
_WORD_PAIRS = {("lintang", "utara"): "LU", ("lintang", "selatan"): "LS",
               ("bujur", "timur"): "BT", ("bujur", "barat"): "BB"}
_LABELS = {"lat": "lat", "latitude": "lat", "lintang": "lat",
           "lon": "lon", "lng": "lon", "long": "lon", "longitude": "lon", "bujur": "lon"}
_NORMALISE = str.maketrans({"′": "'", "‘": "'", "’": "'", "″": '"', "“": '"', "”": '"',
                            "º": "°", "˚": "°", "−": "-", "\u00a0": " "})
# A sign only at the start of a number, not glued to a previous word or number.
_TOKEN = re.compile(r"""\s*(?:
    (?P<num>(?:(?<![\w.,°'"])[+-])?\d+(?:[.,]\d+)?)
  | (?P<word>[A-Za-z]+)
  | (?P<mark>°|''|'|")
  | (?P<punct>[,;:=])
)""", re.X)
_EXPONENT = re.compile(r"\d[eE][+-]?\d")
# L label, H hemisphere letter, A angle, S separator.
_LAYOUT = re.compile(r"(L?)(H*)A(H*)(S?)(L?)(H*)A(H*)")


@dataclass
class _Angle:
    sign: str            # "", "+" or "-"
    parts: list          # degrees[, minutes[, seconds]] as written
    degree_sign: bool
    label: str = ""
    letters: list = field(default_factory=list)


def _plain(text):
    text = text.translate(_NORMALISE).strip()
    if text[:1] + text[-1:] in ("()", "[]"):
        text = text[1:-1].strip()
    if _EXPONENT.search(text):
        return None
    elems = _elements(text)
    if elems is None:
        return None
    signature = "".join("A" if isinstance(e, _Angle) else e[0] for e in elems)
    layout = _LAYOUT.fullmatch(signature) if signature.count("A") == 2 else None
    if layout is None:
        return None
    first, second = [e for e in elems if isinstance(e, _Angle)]
    if not all("." in a.parts[0] or "," in a.parts[0] or a.degree_sign for a in (first, second)):
        return None

    def letters(group):
        return [elems[i][1] for i in range(*layout.span(group))]

    first.label = "".join(e[1] for e in elems[slice(*layout.span(1))])
    second.label = "".join(e[1] for e in elems[slice(*layout.span(5))])
    middle_first, middle_second = letters(3), letters(6)
    if not (layout[4] or layout[5]):
        # Nothing says where the first number ends ("S 0.02 E 109.33", "0.02 S 109.33 E"):
        # one letter belongs to the second number when the first already has one in front.
        if len(middle_first) > 2:
            _fail("A number has more than one hemisphere letter",
                  "Satu angka memiliki lebih dari satu huruf arah")
        if len(middle_first) == 2 or layout[2]:
            middle_first, middle_second = middle_first[:-1], middle_first[-1:]
    first.letters = letters(2) + middle_first
    second.letters = middle_second + letters(7)
    separator = layout[4] and elems[layout.start(4)]
    return _interpret(first, second, separator and separator[2])


def _elements(text):
    """Tokens grouped into angles ("A"), hemisphere letters ("H"), labels ("L") and
    separators ("S"); None when something else is in the text."""
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            return None
        # tight: a comma with a digit on both sides ("-0,0202,109,3268"), not a separator one can see.
        tight = m.lastgroup == "punct" and 0 < m.start("punct") and text[m.start("punct") - 1].isdigit() \
            and text[m.end():m.end() + 1].isdigit()
        tokens.append((m.lastgroup, m[m.lastgroup], tight))
        pos = m.end()

    def at(j, kind, values):
        return j < len(tokens) and tokens[j][0] == kind and tokens[j][1] in values

    elems, i = [], 0
    while i < len(tokens):
        kind, value, tight = tokens[i]
        if kind == "num":
            angle = _Angle(value[0] if value[0] in "+-" else "", [value.lstrip("+-")], at(i + 1, "mark", ("°",)))
            i += 2 if angle.degree_sign else 1
            for marks in (("'",), ('"', "''")):
                if not (angle.degree_sign and i + 1 < len(tokens) and tokens[i][0] == "num"
                        and at(i + 1, "mark", marks)):
                    break
                if tokens[i][1][0] in "+-":
                    return None
                angle.parts.append(tokens[i][1])
                i += 2
            elems.append(angle)
            continue
        pair = (value.lower(), tokens[i + 1][1].lower()) if kind == "word" and i + 1 < len(tokens) else None
        if pair in _WORD_PAIRS:
            elems.append(("H", _WORD_PAIRS[pair]))
            i += 1
        elif kind == "word" and value.upper() in _HEMISPHERES:
            elems.append(("H", value.upper()))
        elif kind == "word" and value.lower() in _DIRECTIONS:
            elems.append(("H", _DIRECTIONS[value.lower()]))
        elif kind == "word" and value.lower() == "b" and elems and isinstance(elems[-1], _Angle):
            elems.append(("H", "BB"))
        elif kind == "word" and value.lower() in _LABELS:
            elems.append(("L", value.lower()))
        elif kind == "punct" and value in ",;":
            elems.append(("S", value, tight))
        elif not (kind == "punct" and tokens[i - 1][0] == "word" and elems and elems[-1][0] == "L"):
            return None  # an unknown word, a stray mark, or ':'/'=' not after a label
        i += 1
    return elems


def _interpret(first, second, tight_comma):
    angles = (first, second)
    for a in angles:
        if len(a.letters) > 1:
            _fail("A number has more than one hemisphere letter",
                  "Satu angka memiliki lebih dari satu huruf arah")
        if a.letters and a.sign:
            written = a.sign + "".join(p + m for p, m in zip(a.parts, ("°" if a.degree_sign else "", "'", '"')))
            _fail(f"Give either a minus sign or a hemisphere letter, not both ({written} {a.letters[0]})",
                  f"Gunakan tanda minus atau huruf arah, jangan keduanya ({written} {a.letters[0]})")
    if bool(first.letters) != bool(second.letters):
        _fail("Give a hemisphere letter (N/S/E/W or LU/LS/BT/BB) on both numbers or on neither",
              "Beri huruf arah (LU/LS/BT/BB atau N/S/E/W) pada kedua angka atau tidak sama sekali")
    if not first.letters and any(len(a.parts) > 1 for a in angles) and not (first.sign or second.sign):
        # Minutes and seconds come from a phone or a GPS, which always writes N/S: without it a
        # reading south of the equator (most of Pontianak) would land north of it, on another bank.
        _fail("Degrees and minutes need hemisphere letters: add N or S (LU/LS) and E (BT)",
              "Derajat dan menit perlu huruf arah: tambahkan LU atau LS dan BT")
    if tight_comma and any("," in p for a in angles for p in a.parts):
        # "-0,0202,109,3268": the comma is both the decimal mark and the separator, with nothing
        # between the digits to tell which is which.
        _fail("Ambiguous decimal commas: put a space after the comma between the numbers (-0,0202, 109,3268) "
              "or write -0.0202, 109.3268",
              "Koma desimal ambigu: beri spasi sesudah koma pemisah (-0,0202, 109,3268) "
              "atau tulis -0.0202, 109.3268")
    values = [_degrees(a) for a in angles]
    roles = [_role(a) for a in angles]
    if roles[0] and roles[0] == roles[1]:
        if roles[0] == "lat":
            _fail("Both numbers are marked as latitude (N/S/LU/LS); one must be longitude (E/W/BT/BB)",
                  "Kedua angka ditandai sebagai lintang (LU/LS); salah satunya harus bujur (BT/BB)")
        _fail("Both numbers are marked as longitude (E/W/BT/BB); one must be latitude (N/S/LU/LS)",
              "Kedua angka ditandai sebagai bujur (BT/BB); salah satunya harus lintang (LU/LS)")
    if roles[0] == "lon" or roles[1] == "lat":
        values.reverse()
    dms = bool(first.letters) or any(len(a.parts) > 1 for a in angles)
    return _checked(*values, "dms" if dms else "decimal", positional=not any(roles))


def _role(angle):
    letter = _HEMISPHERES[angle.letters[0]][0] if angle.letters else ""
    label = _LABELS.get(angle.label, "")
    if letter and label and letter != label:
        _fail(f"The label '{angle.label}' contradicts the letter {angle.letters[0]}",
              f"Label '{angle.label}' bertentangan dengan huruf {angle.letters[0]}")
    return letter or label


def _degrees(angle):
    if any(not p.isdigit() for p in angle.parts[:-1]):
        _fail("Only the last of degrees, minutes and seconds may have decimals",
              "Hanya bagian terakhir (derajat, menit atau detik) yang boleh berdesimal")
    numbers = [float(p.replace(",", ".")) for p in angle.parts]
    for value, written, en, id_ in zip(numbers[1:], angle.parts[1:], ("Minutes", "Seconds"), ("Menit", "Detik")):
        if value >= 60:
            _fail(f"{en} must be less than 60 (got {written})", f"{id_} harus kurang dari 60 (tertulis {written})")
    value = sum(n / 60 ** k for k, n in enumerate(numbers))
    negative = angle.sign == "-" or (angle.letters and _HEMISPHERES[angle.letters[0]][1] < 0)
    return -value if negative else value


# --- links -------------------------------------------------------------------------

_NUMBER = r"[+-]?\d+(?:\.\d+)?"
_OSM_HOSTS = {"openstreetmap.org", "www.openstreetmap.org", "osm.org", "www.osm.org"}
_GOOGLE_HOST = re.compile(r"(?:www\.|maps\.)?google(?:\.[a-z]{2,3}){1,2}")
_BARE_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#]|$)")


def _find_link(text, reference=PONTIANAK):
    """The first map link or geo URI among the words of the text, read; None if none."""
    for word in text.split():
        word = word.strip("<>[]\"'.,;!?").removeprefix("(")
        while word.endswith(")") and word.count(")") > word.count("("):
            word = word[:-1]
        lower = word.lower()
        if lower.startswith("geo:"):
            return _geo(word)
        if not lower.startswith(("http://", "https://")):
            if not _BARE_HOST.match(lower):
                continue
            word = "https://" + word
        try:
            url = urlsplit(word)
        except ValueError:
            continue
        host = url.hostname or ""
        if host == "goo.gl" or host.endswith(".goo.gl") or (host in _OSM_HOSTS and url.path.startswith("/go/")):
            _fail("Short map links cannot be read offline: open the link and paste the coordinates or the full link",
                  "Tautan peta pendek tidak bisa dibaca tanpa internet: buka tautannya lalu tempel koordinat "
                  "atau tautan lengkapnya")
        if host in _OSM_HOSTS:
            return _openstreetmap(url)
        if _GOOGLE_HOST.fullmatch(host) and (host.startswith("maps.") or re.match(r"/maps(?:/|$)", url.path)):
            return _google(word, url, reference)
    return None


def _google(link, url, reference):
    pins = re.findall(rf"!3d({_NUMBER})!4d({_NUMBER})", unquote(link))
    if pins:
        return _link_pair(*pins[-1], "google_maps")
    query = parse_qs(url.query)
    texts = [v.removeprefix("loc:") for key in ("q", "query", "destination", "daddr", "ll", "center")
             for v in query.get(key, [])]
    texts += [unquote_plus(m) for m in re.findall(r"/maps/(?:place|search)/([^/@]+)", url.path)]
    for text in texts:
        found = _plain(text)
        if found:
            return replace(found, format="google_maps")
        code = _plus_code(text, reference)   # a place searched by its plus code: ?q=X89R%2BM52
        if code:
            return code
    camera = re.search(rf"@({_NUMBER}),({_NUMBER})", unquote(link))
    return _link_pair(*camera.groups(), "google_maps") if camera else _no_coordinates()


def _openstreetmap(url):
    query = parse_qs(url.query)
    for lat, lon in (("mlat", "mlon"), ("lat", "lon")):
        if lat in query and lon in query:
            found = _link_pair(query[lat][0], query[lon][0], "openstreetmap")
            if found:
                return found
    centre = re.search(rf"(?:^|&)map=\d+(?:\.\d+)?/({_NUMBER})/({_NUMBER})", unquote(url.fragment))
    return _link_pair(*centre.groups(), "openstreetmap") if centre else _no_coordinates()


def _geo(uri):
    path, _, query = uri[4:].partition("?")
    queries = parse_qs(query).get("q", [])
    for q in queries:
        found = _plain(re.sub(r"\(.*", "", q))
        if found:
            return replace(found, format="geo_uri")
    m = re.fullmatch(rf"({_NUMBER}),({_NUMBER})(?:,{_NUMBER})?", unquote(path.split(";")[0]))
    if m is None or (queries and float(m[1]) == float(m[2]) == 0):  # geo:0,0?q=<address>
        _no_coordinates()
    return _link_pair(m[1], m[2], "geo_uri")


def _link_pair(lat, lon, format):
    if not (re.fullmatch(_NUMBER, lat) and re.fullmatch(_NUMBER, lon)):
        return None
    return _checked(float(lat), float(lon), format, positional=True)


def _no_coordinates():
    _fail("This map link has no coordinates: drop a pin, share it and paste the full link, or paste the coordinates",
          "Tautan peta ini tidak memuat koordinat: tandai lokasi (pin), bagikan dan tempel tautan lengkapnya, "
          "atau tempel koordinatnya")


# --- shared ------------------------------------------------------------------------

def _checked(lat, lon, format, positional):
    """Range checks; ``positional`` when only the order says which number is the latitude."""
    if positional and 90 < abs(lat) <= 180 and abs(lon) <= 90:
        _fail(f"Latitude comes first: {_show(lat)} is not a latitude (did you mean {_show(lon)}, {_show(lat)}?)",
              f"Lintang ditulis lebih dulu: {_show(lat)} bukan lintang (maksudnya {_show(lon)}, {_show(lat)}?)")
    if not abs(lat) <= 90:
        _fail(f"Latitude {_show(lat)} is outside -90..90", f"Lintang {_show(lat)} di luar rentang -90..90")
    if not abs(lon) <= 180:
        _fail(f"Longitude {_show(lon)} is outside -180..180", f"Bujur {_show(lon)} di luar rentang -180..180")
    return ParsedCoordinates(lat, lon, format)


def _show(value):
    if not math.isfinite(value):
        return "-∞" if value < 0 else "∞"
    return repr(round(value, 6))


def _fail(message, message_id):
    raise CoordinateError(message, message_id)
