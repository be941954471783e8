"""Street names for ``make_streets``: one key per street however it is written, its display
name and its everyday spellings, and the landmark names hidden in the light panels' names.

``street_key("LAMPU JL A YANI 12") == street_key("Jl. Jend. Ahmad Yani") == "ahmadyani"``:
the text's own normalisation (:mod:`dispatch.geo.text`: Jl./Jln., Sei, Tj., old spelling),
then titles (Jend., Letjen, Kom., Dr., H., K.H., ...) and the words "Jalan" and "Lampu" go,
the rest is written together (so "Gajahmada" is "Gajah Mada"), and the spellings in
:data:`STREETS` meet at their street.
"""
import re

from ..geo.text import compact, tokens

# Title words and initials a street name may carry or drop ("Jl. Jend. A. Yani", "Jl. Letjen Suprapto").
TITLES = frozenset({
    "jenderal", "jend", "letjen", "letjend", "mayjen", "brigjen", "kolonel", "letkol", "kapten", "komodor",
    "kom", "laksamana", "dokter", "profesor", "ir", "haji", "h", "hj", "kh", "raden", "r", "ra", "re",
    "st", "hr", "hra", "hm", "m", "p", "pangeran",
})
# Words of the inventory that are not part of a street's name.
_OFFICE = frozenset({"lampu", "lampi", "pju", "jalan", "panel", "ke"})

# Display name, then everyday spellings (the name itself, "Jalan ..." and the name without
# "Jl." are matched too). Each spelling's key leads to its street.
STREETS = [
    ("Jl. Ahmad Yani", ["A Yani", "A. Yani", "Jend. Ahmad Yani", "Jenderal Ahmad Yani", "Jend. A. Yani",
                        "Jalan Jenderal Ahmad Yani"]),
    ("Jl. Gajah Mada", ["Gajahmada", "Jl. Gajahmada"]),
    ("Jl. Tanjungpura", ["Tanjung Pura", "Tj. Pura", "Tjpura"]),
    ("Jl. Imam Bonjol", ["Imambonjol"]),
    ("Jl. Adisucipto", ["Adi Sucipto", "Adisutjipto", "Adi Sutjipto"]),
    ("Jl. H. Agus Salim", ["Agus Salim"]),
    ("Jl. Budi Utomo", []),
    ("Jl. Abdul Rahman Saleh", ["Abdurahman Saleh", "Abdul Rachman Saleh", "BLKI", "Jl. BLKI"]),
    ("Jl. Budi Karya", []),
    ("Jl. Husin Hamzah", ["Husein Hamzah"]),
    ("Jl. Karvin", []),
    ("Jl. Hijas", []),
    ("Jl. Ismail Marzuki", []),
    ("Jl. Makam Kesultanan", ["Makamsultanan", "Jl. Makam Kesultanan Pontianak"]),
    ("Jl. Pahlawan", []),
    ("Jl. Palapa", []),
    ("Jl. Pemda", ["Pemda Panel 2", "Pemda Panel Amanah", "Pemda TPA", "Pemda Ujung"]),
    ("Jl. Setia Budi", ["Setiabudi"]),
    ("Jl. Siam", []),
    ("Jl. Dr. Sudarso", ["Jl. dr. Soedarso", "Jalan Dokter Soedarso", "Sudarso"]),
    ("Jl. Sulung Lelanang", []),
    ("Jl. Letjen Suprapto", ["Suprapto", "Letjend Suprapto", "Jl. Letjend. Suprapto"]),
    ("Jl. Trunojoyo", ["Turnojoyo"]),
    ("Jl. Untung Suropati", []),
    ("Jl. Wadok", []),
    ("Jl. Kapten Marsan", []),
    ("Jl. Karya Sosial", []),
    ("Jl. M.T. Haryono", ["MT Haryono", "MT Haryono Belakang", "Mt. Haryono"]),
    ("Jl. Parit H. Husin 1", ["Paris 1", "Parit Haji Husin 1", "Parit H. Husin I", "Parit Haji Husein 1"]),
    ("Jl. Parit H. Husin 2", ["Paris 2", "Parit Haji Husin 2", "Parit H. Husin II", "Parit H. Husein II"]),
    ("Jl. Daya Nasional", ["Daya Nasionalke"]),
    ("Jl. Khatulistiwa", []),
    ("Jl. Panca Bakti", ["Panca Bhakti"]),
    ("Jl. Gusti Situt Mahmud", ["Situt Mahmud", "Gusti Situt Machmud", "Gusti Situ Mahmud", "Gusti Mahmud",
                                "Gst. Situt Mahmud"]),
    ("Jl. S. Parman", ["S Parman", "Siswondo Parman"]),
    ("Jl. Sultan Muhammad", []),
    ("Jl. Tanjung Raya II", ["Tanjung Raya 2", "Tj. Raya II", "Tanjung Raya Depan", "Tanjung Raya Tengah",
                             "Tanjung Raya Belakang", "Tanjungraya 2"]),
    ("Jl. Tanjung Raya I", ["Tanjung Raya 1", "Tj. Raya I"]),
    ("Jl. Ujung Pandang", []),
    ("Jl. W.R. Supratman", ["WR Supratman"]),
    ("Jl. Komodor Yos Sudarso", ["Kom Yos Sudarso", "Komyos Sudarso", "Kom. Yos Sudarso", "Yos Sudarso"]),
    ("Jl. Sultan Abdurrahman", ["Sultan Syarif Abdurrahman", "Slt. Abdurrahman", "Sultan Abdul Rahman"]),
    ("Jl. K.H. Wahid Hasyim", ["KH Wahid Hasyim", "Khw. Hasyim", "KHW Hasyim", "Wahid Hasyim",
                               "Kyai Haji Wahid Hasyim", "K. H. Wahid Hasyim"]),
    ("Jl. H. Rais A. Rahman", ["H.R.A. Rahman", "HRA Rahman", "Rais A. Rahman", "Rais Arahman", "H. Rais",
                               "Rais Abdurahman"]),
    ("Jl. Prof. M. Yamin", ["M Yamin", "Prof. Dr. M. Yamin", "Muhammad Yamin"]),
    ("Jl. Ya M. Sabran", ["YM Sabran", "Yam Sabran", "Ya Muhammad Sabran"]),
    ("Jl. Pangeran Natakusuma", ["P. Natakusuma", "Pangeran Nata Kusuma", "Natakusuma"]),
    ("Jl. H. Abu Naim", ["Haji Abu Naim", "Abu Naim"]),
    ("Jl. Jenderal Urip", ["Jend Urip", "Urip Sumoharjo"]),
    ("Jl. Sungai Raya Dalam", ["Sei Raya Dalam"]),
    ("Jl. Prof. Dr. H. Hadari Nawawi", ["Hadari Nawawi"]),
    ("Jl. Karel Satsuit Tubun", ["K.S. Tubun", "KS Tubun", "Karel Sasuit Tubun"]),
    ("Jl. Alianyang", ["Ali Anyang"]),
    ("Jl. Sutan Syahrir", ["Sutan Sjahrir", "Sultan Syahrir", "Slt Syahrir"]),
    ("Jl. Sultan Hamid II", ["Sultan Hamid 2", "Sultan Hamid", "Hamid II"]),
    ("Jl. Selat Sumba", ["Selat Sumba 1", "Selat Sumba 3"]),
    ("Jl. R.E. Martadinata", ["RE Martadinata"]),
    ("Jl. HOS Cokroaminoto", ["H.O.S. Cokroaminoto", "Cokroaminoto"]),
    ("Jl. Dr. Sutomo", ["Sutomo"]),
]
# Light groups that name no one street: floodlights at squares, a bridge, an office yard, a name
# that joins two streets.
NOT_STREETS = ("highmass", "duplikat", "halaman", "dewi chairil anwar")

# Light panels that stand at a landmark: the panel's name (cleaned) -> the landmark and its spellings.
# Panels named after a street, a numbered stretch or a side ("samping tol") name no landmark.
PANEL_LANDMARKS = {
    "telkom a yani": ("Kantor Telkom A. Yani", ["Telkom A Yani", "Kantor Telkom Ahmad Yani"]),
    "a yani kantor pajak": ("Kantor Pajak A. Yani", ["Kantor Pajak", "Kantor Pajak Ahmad Yani"]),
    "tvri": ("TVRI Kalimantan Barat", ["TVRI", "TVRI Kalbar", "Kantor TVRI"]),
    "terminal batulayang": ("Terminal Batu Layang", ["Terminal Batulayang"]),
    "makam kesultanan pontianak": ("Makam Kesultanan Pontianak", ["Makam Kesultanan", "Makam Batu Layang"]),
    "pu batulayang": ("Kantor PU Batu Layang", ["PU Batulayang"]),
    "bundaran daya nasional": ("Bundaran Daya Nasional", ["Simpang Daya Nasional"]),
    "blki kantor pengujian": ("BLKI Pontianak", ["Balai Latihan Kerja", "Kantor BLKI"]),
    "gerbang polda": ("Polda Kalimantan Barat", ["Polda Kalbar", "Polda", "Gerbang Polda", "Mapolda Kalbar"]),
    "panin bank": ("Bank Panin Gajah Mada", ["Panin Bank", "Bank Panin"]),
    "flamboyan": ("Pasar Flamboyan", ["Flamboyan", "Pasar Flamboyan Pontianak"]),
    "hotel neo": ("Hotel Neo Gajah Mada", ["Hotel Neo"]),
    "kfc": ("KFC Gajah Mada", ["KFC Gajahmada"]),
    "pekong sulung lelanang": ("Pekong Sulung Lelanang", ["Kelenteng Sulung Lelanang"]),
    "smk 3": ("SMK Negeri 3 Pontianak", ["SMK 3", "SMKN 3", "SMK Negeri 3"]),
    "highmess simpang pajak": ("Simpang Pajak", ["Bundaran Simpang Pajak"]),
    "simpang pajak jl slt syahrir": ("Simpang Pajak", []),
    "gudang beton": ("Gudang Beton", []),
    "simpang 4 siantan": ("Simpang Empat Siantan", ["Simpang 4 Siantan", "Perempatan Siantan"]),
    "pasar siantan": ("Pasar Siantan", []),
    "pasar siantan 1": ("Pasar Siantan", []),
    "tj pura hotel orient": ("Hotel Orient", ["Hotel Orient Tanjungpura"]),
    "tj pura hotel muslim": ("Hotel Muslim", ["Hotel Muslim Tanjungpura"]),
    "apotik cemara": ("Apotik Cemara", ["Apotek Cemara"]),
    "bundaran smp 1": ("Bundaran SMP 1", ["SMP Negeri 1 Pontianak", "SMPN 1 Pontianak", "SMP 1 Pontianak"]),
    "pkb siantan": ("Kantor PKB Siantan", ["PKB Siantan", "Samsat Siantan"]),
    "bintamo": ("Bintamo", []),
}


def street_key(text):
    """The key shared by every spelling of one street (see the module's docstring)."""
    if re.match(r"\s*(lampu|lampi)\b", text, flags=re.I):
        text = light_street(text)           # a light's running number is not part of its street
    key = _base_key(text)
    return _ALIAS_KEYS.get(key, key)


def light_street(name):
    """The street part of a light's name: "LAMPU JL GAJAHMADA KE 12" -> "JL GAJAHMADA"."""
    text = re.sub(r"\s+(KE\s*)?[0-9]+\s*$", "", name.strip(), flags=re.I)
    return re.sub(r"^(lampu|lampi)\s+(pju\s+)?", "", text, flags=re.I)


def display_name(key, raw):
    """The display name of a street with this key: the known one, else "Jl. " and the words as written."""
    known = _DISPLAY.get(key)
    if known:
        return known
    words = [w for w in re.split(r"\s+", raw.strip()) if w]
    if words and words[0].rstrip(".").lower() in ("jl", "jln", "jalan"):
        words = words[1:]
    return "Jl. " + " ".join(w if (w.isupper() and len(w) <= 3) or any(c.isdigit() for c in w)
                             else w[:1].upper() + w[1:].lower() for w in words)


def street_aliases(name, seen=()):
    """Everyday spellings of a street: the known ones, "Jalan ...", and spellings seen in the data."""
    bare = re.sub(r"^Jl\.\s*", "", name)
    out = [f"Jalan {bare}"]
    for display, extra in STREETS:
        if display == name:
            out += extra + [f"Jl. {e}" for e in extra if not e.startswith(("Jl.", "Jalan"))]
    out += list(seen)
    keys, result = {_compact(name)}, []
    for alias in out:
        key = _compact(alias)
        if key and key not in keys:
            keys.add(key)
            result.append(alias)
    return result


def _compact(text):
    return compact(tokens(text))


def landmark_of_panel(name):
    """The landmark a light panel is named after, ``(name, aliases)``, or None."""
    cleaned = clean_panel(name)
    return PANEL_LANDMARKS.get(cleaned)


def clean_panel(name):
    """"PANEL PJU JL HOS COKROAMINOTO GG RAMIN" -> "hos cokroaminoto gg ramin"; "A YANI KANTOR PAJAK 720"
    -> "a yani kantor pajak" (the office's three-digit panel numbers go)."""
    text = re.sub(r"\[[^\]]*\]", " ", name.lower())
    text = re.sub(r"[^0-9a-z ]+", " ", text)
    words = [w for w in text.split() if w not in ("panel", "pju")]
    if words and re.fullmatch(r"[0-9]{3}", words[-1]):
        words = words[:-1]
    if words and words[0] in ("jl", "jln"):
        words = words[1:]
    return " ".join(words)


def _build_keys():
    aliases, display = {}, {}
    for name, extra in STREETS:
        main = _base_key(name)
        display[main] = name
        for alias in extra:
            aliases.setdefault(_base_key(alias), main)
    return aliases, display


def _base_key(text):
    toks = [t for t in tokens(text) if t not in _OFFICE]
    return "".join(t for t in toks if t not in TITLES) or "".join(toks)


_ALIAS_KEYS, _DISPLAY = _build_keys()
