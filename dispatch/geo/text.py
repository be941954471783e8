"""Normalising Indonesian address text before it is matched.

``tokens("Depan RSUD dr. Soedarso, Jln. A. Yani")`` gives
``['depan', 'rs', 'dokter', 'sudarso', 'jalan', 'a', 'yani']``: case, accents and
punctuation go; abbreviations, also those of chats and SMS, become one spelling
(Jl./Jln./Jalan, Gg./Gang, Kel./Kelurahan, Kec., Sei/Sui/Sg./Sungei/Sungai,
RS/R.S./Rumah Sakit/RSU/RSUD, msjd/mesjid/Masjid, psr/Pasar, Tj./Tanjung, ...);
the old spelling (oe, dj, tj) becomes the new one (u, j, c); roman numerals and
number words become digits ("Pal V", "Pal Lima" -> "pal 5"); house numbers and
RT/RW are dropped. Words that say where the caller is relative to a place
(depan, dekat, samping, belakang, seberang, ...) are returned separately by
:func:`analyse`, because they lower the confidence but not the place; :func:`relation`
gives the first one in its one spelling ("dpn" -> "depan").
"""
import re
import unicodedata

# One spelling per abbreviation (single tokens).
_SYNONYMS = {
    "jl": "jalan", "jln": "jalan", "jalan": "jalan", "jl.": "jalan",
    "gg": "gang", "gang": "gang",
    "kel": "kelurahan", "kelurahan": "kelurahan", "kelu": "kelurahan",
    "kec": "kecamatan", "kecamatan": "kecamatan", "kecamtan": "kecamatan",
    # "S." is not Sungai: "Jl. S. Parman" is Siswondo Parman.
    "sei": "sungai", "sui": "sungai", "sungai": "sungai", "sg": "sungai", "sgi": "sungai", "sungei": "sungai",
    "rs": "rs", "rsu": "rs", "rsud": "rs", "rsia": "rs",
    "tj": "tanjung", "tanjung": "tanjung",
    "ptk": "pontianak",
    "jend": "jenderal", "jendral": "jenderal", "jenderal": "jenderal",
    "dr": "dokter", "dokter": "dokter", "prof": "profesor", "profesor": "profesor",
    "slt": "sultan", "sltn": "sultan", "sultan": "sultan",
    "pkm": "puskesmas", "puskesmas": "puskesmas",
    "mesjid": "masjid", "masjid": "masjid", "msjd": "masjid", "msjid": "masjid", "mesjd": "masjid",
    "psr": "pasar", "pasar": "pasar",
    "kraton": "keraton", "keraton": "keraton",
    "jemb": "jembatan", "jembatan": "jembatan", "jbt": "jembatan", "jmbtn": "jembatan",
    "komp": "komplek", "kompleks": "komplek", "komplek": "komplek",
    "perum": "perumahan",
    "kh": "kh", "khw": "kh",
}

# One token that means several: "RSB Jeumpa" is the maternity hospital "RS Bersalin Jeumpa", not "RS Jeumpa".
_EXPANSIONS = {
    "rsb": ("rs", "bersalin"),
}

# Several tokens that mean one (checked longest first), by their first token.
_PHRASES = {}
for _phrase, _one in [
    (("rumah", "sakit", "umum", "daerah"), "rs"),
    (("rumah", "sakit", "umum"), "rs"),
    (("rumah", "sakit"), "rs"),
    (("r", "s", "u", "d"), "rs"),          # "R.S.U.D."
    (("r", "s", "u"), "rs"),
    (("r", "s"), "rs"),
    (("pusat", "kesehatan", "masyarakat"), "puskesmas"),
]:
    _PHRASES.setdefault(_phrase[0], []).append((_phrase, _one))
del _phrase, _one

_NUMBERS = {
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8",
    "ix": "9", "x": "10",
    "satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5", "enam": "6", "tujuh": "7",
    "delapan": "8", "sembilan": "9", "sepuluh": "10",
}

# Where the caller is relative to the place named: each spelling -> the word it stands for.
RELATION_WORDS = {
    "depan": "depan", "dpn": "depan",
    "dekat": "dekat", "dkt": "dekat", "deket": "dekat",
    "samping": "samping", "smpg": "samping", "sampng": "samping",
    "sebelah": "sebelah", "sblh": "sebelah", "sbelah": "sebelah", "sebelh": "sebelah",
    "belakang": "belakang", "blkg": "belakang", "blk": "belakang", "blakang": "belakang", "belakng": "belakang",
    "seberang": "seberang", "sebrang": "seberang", "sberang": "seberang", "sbrg": "seberang",
    "sekitar": "sekitar", "area": "sekitar", "kawasan": "sekitar",
    "arah": "arah", "menuju": "arah",
    "simpang": "simpang",
    "ujung": "ujung",
}
RELATIONS = frozenset(RELATION_WORDS)

# Words that carry nothing for matching.
_NOISE = frozenset({"di", "ke", "dari", "dan", "yang", "dgn", "dengan", "itu", "ini", "pak", "bu", "ibu",
                    "tolong", "lokasi", "alamat", "posisi"})

# Markers: say what kind of place follows; kept as tokens so aliases that carry them match.
MARKERS = frozenset({"jalan", "gang", "kelurahan", "kecamatan", "komplek", "perumahan"})

# Number-bearing words dropped with the number after them.
_NUMBERED = frozenset({"no", "nomor", "nomer", "rt", "rw", "blok", "km"})
# The same written together with the number: "RT03/RW05", "No12A".
_GLUED_NUMBER = re.compile(r"^(?:no|nomor|nomer|rt|rw|km)[0-9]+[a-z]?$")

# Not "nj" -> "ny": modern "nj" is everywhere (Tanjung, Banjar), and old "ndj" is modern "nj" (Tandjoeng).
_OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("ch", "kh"))
_SPLIT = re.compile(r"[^0-9a-z]+")
_NUMBER = re.compile(r"^[0-9]+[a-z]?$")


def _fold(text):
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def _respell(token):
    for old, new in _OLD_SPELLING:
        if old in token:
            token = token.replace(old, new)
    return token


def analyse(text):
    """``(tokens, relations)``: the normalised tokens to match, and the relation words seen."""
    raw = [t for t in _SPLIT.split(_fold(text)) if t]
    out, relations = [], []
    i = 0
    while i < len(raw):
        tok = raw[i]
        phrase = next(((p, rep) for p, rep in _PHRASES.get(tok, ()) if tuple(raw[i:i + len(p)]) == p), None)
        if phrase:
            out.append(phrase[1])
            i += len(phrase[0])
            continue
        i += 1
        if tok in RELATIONS:
            relations.append(tok)
            continue
        if tok in _NOISE or _GLUED_NUMBER.match(tok):
            continue
        if tok in _NUMBERED:
            # "No. 12", "RT 03", "Km 5": drop the word and its number.
            if i < len(raw) and _NUMBER.match(raw[i]):
                i += 1
            continue
        if tok in _EXPANSIONS:
            out.extend(_EXPANSIONS[tok])
        elif tok in _SYNONYMS:
            out.append(_SYNONYMS[tok])
        elif out and tok in _NUMBERS:
            out.append(_NUMBERS[tok])
        elif tok.isdigit():
            out.append(str(int(tok)) if len(tok) < 6 else tok)
        else:
            out.append(_respell(tok))
    return out, relations


def relation(text):
    """The first relation word of ``text``, in its one spelling ("dpn RS Antonius" -> "depan"), or None."""
    if not text:
        return None
    found = analyse(text)[1]
    return RELATION_WORDS[found[0]] if found else None


def tokens(text):
    return analyse(text)[0]


def compact(toks):
    """The key two spellings share when one writes words together: "Sungai Jawi" == "Sungaijawi"."""
    return "".join(toks)
