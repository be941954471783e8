"""The project's gazetteer of Pontianak and how address text is matched against it.

Places (kecamatan, kelurahan, hospitals, puskesmas, landmarks, bridges, roads) come
from ``dispatch/data/gazetteer.json``, each with its everyday names. Every name is
indexed by its *compact key*: the normalised tokens (see :mod:`.text`) written
together, so "Sungai Jawi Dalam", "Sei Jawi Dalam" and "Sungaijawi Dalam" are one
key. A query is cut into runs of up to six tokens; each run is looked up exactly,
then (for runs not already explained, or that extend an exact match: "Sungai Jawi
Dalm") within a small edit distance for typos, and, when typing is still going on,
as the prefix of a key. A match inside a longer match ("Sungai Jawi" inside "Sungai
Jawi Luar", or inside the typo "Sungai Jawi Dalm") gives way to the longer one.
"""
import bisect
import json
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .text import MARKERS, analyse, compact, tokens

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "gazetteer.json"
KINDS = ("kecamatan", "kelurahan", "hospital", "puskesmas", "landmark", "school", "bridge", "road", "gang")
# How much a match on each kind pins the location down.
SPECIFICITY = {"hospital": 3, "puskesmas": 3, "landmark": 3, "school": 3, "bridge": 3, "gang": 2, "road": 2,
               "kelurahan": 1, "kecamatan": 0}
MAX_RUN = 6
MAX_TOKENS = 120   # more than a 500-character text holds
MIN_KEY = 3


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    lat: float
    lon: float
    aliases: tuple = ()
    kecamatan: str | None = None
    precision_m: float = 500.0
    source: str | None = None
    points: tuple = ()   # roads: known points along them, (lat, lon)
    lines: tuple = ()    # roads: their lines, each a tuple of (lat, lon) in order (() when not known)
    street: str | None = None   # gangs: the street the gang leaves from, as its address names it


@dataclass
class Match:
    place: Place
    start: int
    end: int
    how: str             # "exact", "typo" or "prefix"
    distance: int = 0
    text: str = ""

    @property
    def span(self):
        return self.end - self.start


@dataclass
class Analysis:
    tokens: list
    relations: list
    matches: list = field(default_factory=list)

    def unexplained(self):
        covered = set()
        for m in self.matches:
            covered.update(range(m.start, m.end))
        return [t for i, t in enumerate(self.tokens) if i not in covered and t not in MARKERS]


class Gazetteer:
    def __init__(self, places):
        self.places = list(places)
        self._exact = {}
        for place in self.places:
            for alias in (place.name,) + tuple(place.aliases):
                toks = tokens(alias)
                keys = {compact(toks)}
                if len(toks) > 1 and toks[0] in MARKERS and place.kind != "gang":
                    # "Kelurahan Tengah" is also "Tengah"; but "Gg. Merak" only with its "Gg." (the
                    # city has a gang for every flower and bird: "merak" alone is not that lane).
                    keys.add(compact(toks[1:]))
                for key in keys:
                    if len(key) >= MIN_KEY:
                        bucket = self._exact.setdefault(key, [])
                        if place not in bucket:
                            bucket.append(place)
        self._keys = sorted(self._exact)
        self._around_cache = {}
        # Keys by length, for the typo search: a key more than two letters longer or shorter
        # than the text cannot be within two edits of it.
        by_length = {}
        for key in self._keys:
            by_length.setdefault(len(key), []).append(key)
        self._near_length = {
            (length, allowed): [k for d in range(-allowed, allowed + 1) for k in by_length.get(length + d, ())]
            for length in range(1, max(by_length) + 3) for allowed in (1, 2)
        }

    @classmethod
    def load(cls, path=SHIPPED):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        places = []
        for p in data["places"]:
            points = tuple((float(pt[0]), float(pt[1])) for pt in p.get("points", ()))
            places.append(Place(name=p["name"], kind=p["kind"], lat=float(p["lat"]), lon=float(p["lon"]),
                                aliases=tuple(p.get("aliases", ())), kecamatan=p.get("kecamatan"),
                                precision_m=float(p.get("precision_m", 500)), source=p.get("source"),
                                points=points, lines=(points,) if len(points) > 1 else ()))
        return cls(places)

    def by_name(self, name):
        return next((p for p in self.places if p.name == name), None)

    def analyse(self, text, *, typing=False):
        toks, relations = analyse(text)
        result = Analysis(toks[:MAX_TOKENS], relations)
        toks = result.tokens
        n = len(toks)
        found = []
        for i in range(n):
            for j in range(i + 1, min(n, i + MAX_RUN) + 1):
                key = compact(toks[i:j])
                for place in self._exact.get(key, ()):
                    found.append(Match(place, i, j, "exact", 0, " ".join(toks[i:j])))
        found = _longest(found)
        covered = {k for m in found for k in range(m.start, m.end)}
        typos = []
        for i in range(n):
            for j in range(i + 1, min(n, i + MAX_RUN) + 1):
                if covered.intersection(range(i, j)) or all(t in MARKERS for t in toks[i:j]):
                    continue
                key = compact(toks[i:j])
                # Edits allowed by the letters of the name itself: "jalan" or "gang" in front
                # must not buy a short name a second edit ("Jl. Nilam" is not Jalan Siam).
                name = compact([t for t in toks[i:j] if t not in MARKERS])
                if len(name) < 5 or name.isdigit():
                    continue
                allowed = 1 if len(name) < 9 else 2
                choices = self._near_length.get((len(key), allowed))
                if not choices:
                    continue
                hit = process.extractOne(key, choices, scorer=Levenshtein.distance, score_cutoff=allowed,
                                         processor=None)
                if hit is not None and _digits(hit[0]) == _digits(key):
                    # Numbers are never a typo: "Kapuas 2" is not Jembatan Kapuas I.
                    for place in self._exact[hit[0]]:
                        typos.append(Match(place, i, j, "typo", int(hit[1]), " ".join(toks[i:j])))
        typos += self._extended(toks, found, covered)
        # A longer typo match outranks the exact match inside it ("Siantn Tengah" is not kelurahan Tengah).
        found = _longest(found + _longest(typos))
        if typing and n:
            found += self._prefixes(toks, covered)
        result.matches = found
        return result

    def _extended(self, toks, exact, covered):
        """Typos in the words next to an exact match that together name a longer place: "Sungai Jawi
        Dalm" is Sungaijawi Dalam, "Siantn Tengah" is Siantan Tengah. The exact part must stay as it is
        and the rest be a near spelling (one edit, two from nine letters) of at least four letters."""
        out = []
        n = len(toks)
        for m in exact:
            inner = compact(toks[m.start:m.end])
            runs = [(m.start, j) for j in range(m.end + 1, min(n, m.start + MAX_RUN) + 1)]
            runs += [(i, m.end) for i in range(max(0, m.end - MAX_RUN), m.start)]
            for i, j in runs:
                rest_toks = toks[i:m.start] if i < m.start else toks[m.end:j]
                rest_span = range(i, m.start) if i < m.start else range(m.end, j)
                if covered.intersection(rest_span) or all(t in MARKERS for t in rest_toks):
                    continue
                rest = compact(rest_toks)
                if len(rest) < MIN_KEY or rest.isdigit():
                    continue
                for key, key_rest in self._around(inner, before=i < m.start):
                    allowed = 1 if len(key_rest) < 9 else 2
                    distance = Levenshtein.distance(rest, key_rest, score_cutoff=allowed)
                    if 0 < distance <= allowed and _digits(rest) == _digits(key_rest):
                        for place in self._exact[key]:
                            if place is not m.place:
                                out.append(Match(place, i, j, "typo", distance, " ".join(toks[i:j])))
        return out

    def _around(self, inner, *, before):
        """The keys that are ``inner`` with four letters or more before it (``before``) or after it, each
        with those letters; worked out once per ``inner`` (the keys never change)."""
        cache = self._around_cache
        hit = cache.get((inner, before))
        if hit is None:
            if before:
                hit = [(k, k[:-len(inner)]) for k in self._keys if k.endswith(inner) and len(k) - len(inner) >= 4]
            else:
                hit = [(k, k[len(inner):]) for k in self._keys if k.startswith(inner) and len(k) - len(inner) >= 4]
            cache[(inner, before)] = hit
        return hit

    def _prefixes(self, toks, covered):
        """Places whose key starts with the text still being typed (the last tokens)."""
        n = len(toks)
        out, seen = [], set()
        for i in range(max(0, n - MAX_RUN), n):
            key = compact(toks[i:])
            if len(key) < MIN_KEY:
                continue
            k = bisect.bisect_left(self._keys, key)
            while k < len(self._keys) and self._keys[k].startswith(key) and len(seen) < 12:
                if self._keys[k] != key:
                    for place in self._exact[self._keys[k]]:
                        if place.name not in seen:
                            seen.add(place.name)
                            # distance: how many letters are still to come.
                            out.append(Match(place, i, n, "prefix", len(self._keys[k]) - len(key),
                                             " ".join(toks[i:])))
                k += 1
        # "Tugu Kha" offers Tugu Khatulistiwa, not what "Kha" alone starts (RS Kharitas Bhakti).
        return _longest(out)


# --- what a match leaves unsaid (used by the geocoder) ----------------------------------------

_SHORT_MARKER = {"gang": "Gg.", "jalan": "Jl.", "komplek": "Komp.", "perumahan": "Perum."}


def short_typo(match):
    """A short word one letter off a street's name ("hijau", Jl. Hijas) is not that street."""
    return match.how == "typo" and match.place.source == "streets.json" and len(match.text.replace(" ", "")) < 7


# Words that end a gang's or street's name the text does not know ("Gg. Mawar 2 masuk dari ...").
_NAME_ENDS = frozenset({"masuk", "dari", "ke", "di", "arah", "belok", "lurus", "sampai", "lalu", "terus", "yang",
                        "dan", "ada", "tolong", "pak", "bu", "itu", "ini", "sini", "sana", "rumah", "no"})


def unknown_named(analysis):
    """What the text names that no place explains, as the caller would write it, else None:
    a gang or street after its marker ("Gg. Mawar", "Jl. Sutoyo"), else the words left over
    ("Kantor Pos" in "Jl. Tanjungpura depan Kantor Pos")."""
    covered = {i for m in analysis.matches if m.how != "prefix" for i in range(m.start, m.end)}
    toks = analysis.tokens
    for i, tok in enumerate(toks):
        if tok in _SHORT_MARKER and i not in covered:
            words = []
            for j in range(i + 1, len(toks)):
                if toks[j] in MARKERS or toks[j] in _NAME_ENDS or j in covered:
                    break
                words.append(toks[j])
                if toks[j].isdigit():
                    break       # "Gg. Mawar 2"
            if words and any(len(w) > 2 for w in words):
                return _SHORT_MARKER[tok] + " " + " ".join(w.title() for w in words[:4])
    left = [t for t in analysis.unexplained() if not t.isdigit()]
    if left and sum(len(t) for t in left) >= 4:
        return " ".join(t.title() for t in left[:4])
    return None


def street_words_in(analysis, street):
    """Whether the words of ``street`` (a street the index may not know: "Jl. Merdeka") are in the text."""
    key = compact([t for t in tokens(street) if t not in MARKERS])
    return len(key) >= MIN_KEY and key in compact(analysis.tokens)


def _digits(key):
    return "".join(c for c in key if c.isdigit())


def _longest(matches):
    """Drop matches that lie strictly inside a longer match of another place."""
    keep = []
    for m in matches:
        inside = any(o is not m and o.start <= m.start and m.end <= o.end and o.span > m.span for o in matches)
        if not inside:
            keep.append(m)
    return keep
