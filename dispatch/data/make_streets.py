"""Build ``dispatch/data/streets.json``, the street index of the geocoder, from the reference data.

    .venv/bin/python -m dispatch.data.make_streets ../shared/data/pontianak

Sources (``../shared/data/pontianak/``, see its README): the city transport office's street lights
(``street_lights.geojson``: each light named after its street) give the streets, their kelurahan
and, through the road graph ``roads.json`` (built from the RBI road lines), their lines; the
gazetteer's roads add the streets the inventory lacks; the lights' panels
(``street_light_panels.geojson``) give landmarks; ``schools.csv`` the primary schools and, from their addresses, gangs ("Jl. Merdeka Gg. Merak");
``puskesmas.csv`` the 23 puskesmas, placed from their addresses by this index (estimated). The
same input gives the same bytes.
"""
import csv
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from ..geo.gazetteer import Gazetteer
from ..geo.streets import StreetIndex
from ..geo.text import compact, tokens
from ..geo.zones import ZoneIndex
from .street_lines import RoadEdges, fill_gaps, lights_line, line_metres, polylines, street_edges
from .street_names import (NOT_STREETS, display_name, landmark_of_panel, light_street, street_aliases,
                           street_key)

HERE = Path(__file__).resolve().parent
OUT = HERE / "streets.json"
SOURCE = ("Street names, kelurahan and landmark panels: Dishub Kota Pontianak street-light inventory (as "
          "published in ihsanhaaa/pju-app); lines: the project's road graph from the RBI road lines (BIG); "
          "schools: ihsanhaaa/WebGIS-Pemetaan-SD; puskesmas: the Dinas Kesehatan's list, positions estimated "
          "from the addresses by this index. Built by dispatch/data/make_streets.py.")
MIN_LIGHTS = 2          # one light alone names no line


def _compact(text):
    return compact(tokens(text))


def _r(x):
    return round(float(x), 6)


def build_streets(folder, road, gazetteer):
    lights = json.loads((folder / "street_lights.geojson").read_text(encoding="utf-8"))["features"]
    groups = defaultdict(list)
    for f in lights:
        raw = light_street(f["properties"]["name"])
        if any(bad in raw.lower() for bad in NOT_STREETS):
            continue
        groups[street_key(raw)].append((raw, f))
    streets = {}
    for key in sorted(groups):
        members = groups[key]
        if len(members) < MIN_LIGHTS or not key:
            continue
        points = [(f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0]) for _, f in members]
        edges = fill_gaps(road, street_edges(road, points))
        # A street the RBI lines miss is drawn through its lights.
        lines = polylines(road, edges) if edges else [lights_line(points)]
        raws = sorted({raw for raw, _ in members})
        name = display_name(key, raws[0])
        streets[key] = {
            "name": name, "aliases": street_aliases(name, [r.title() for r in raws]),
            "kelurahan": sorted({f["properties"].get("kelurahan") for _, f in members} - {None, ""}),
            "kecamatan": sorted({f["properties"].get("kecamatan") for _, f in members} - {None, ""}),
            "lights": len(members), "length_m": round(line_metres(lines)), "lines": lines, "replaces": [],
            "line_from": "road graph" if edges else "street lights",
        }
    # The gazetteer's roads: merged into the street of the same name, or streets of their own.
    for place in gazetteer.places:
        if place.kind != "road":
            continue
        key = street_key(place.name)
        if key in streets:
            # Even a road the gazetteer knows by one point: one street, not two ("Jalan Tanjung Raya II").
            s = streets[key]
            s["replaces"].append(place.name)
            s["aliases"] = street_aliases(s["name"], s["aliases"] + [place.name, *place.aliases])
            continue
        if len(place.points) < 2:
            continue
        edges = fill_gaps(road, street_edges(road, place.points, max_m=60), gap_m=1500)
        lines = polylines(road, edges) if edges else [[[_r(a), _r(b)] for a, b in place.points]]
        streets[key] = {"name": display_name(key, place.name),
                        "aliases": street_aliases(display_name(key, place.name), [place.name, *place.aliases]), "kelurahan": [],
                        "kecamatan": [place.kecamatan] if place.kecamatan else [], "lights": 0,
                        "length_m": round(line_metres(lines)), "lines": lines, "replaces": [place.name],
                        "line_from": "road graph" if edges else "gazetteer points"}
    return [streets[k] for k in sorted(streets)]


def build_landmarks(folder):
    panels = json.loads((folder / "street_light_panels.geojson").read_text(encoding="utf-8"))["features"]
    found = {}
    for f in panels:
        known = landmark_of_panel(f["properties"]["name"])
        if known is None or known[0] in found:
            continue
        lon, lat = f["geometry"]["coordinates"][:2]
        found[known[0]] = {"name": known[0], "aliases": known[1], "lat": _r(lat), "lon": _r(lon),
                           "kecamatan": f["properties"].get("kecamatan"), "precision_m": 75,
                           "source": "street-light panel"}
    return [found[k] for k in sorted(found)]


_SD = re.compile(r"^SD\s+NEGERI\s+0*([0-9]+)\s+(.*)$", re.I)


def school_names(raw):
    """"SD NEGERI 03 PONTIANAK KOTA" -> ("SD Negeri 3 Pontianak Kota", ["SDN 3 Pontianak Kota", ...])."""
    m = _SD.match(raw.strip())
    if not m:
        title = " ".join(w if w.isupper() and len(w) <= 3 else w.title() for w in raw.split())
        return title, []
    number, area = int(m.group(1)), m.group(2).title()
    name = f"SD Negeri {number} {area}"
    # "SD Negeri 14" alone names one school in each kecamatan that has a 14th: all of them are offered.
    return name, [f"SDN {number} {area}", f"SD {number} {area}", f"SD Negeri {number:02d} {area}",
                  f"SDN {number:02d} {area}", f"SD Negeri {number}", f"SDN {number}", f"SD {number}"]


def build_schools(folder):
    out, seen = [], set()
    with (folder / "schools.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name, aliases = school_names(row["nama_sekolah"])
            if name in seen or not row["lat"] or not row["lon"]:
                continue
            seen.add(name)
            address = row["alamat"].strip()
            kec = re.search(r"Kec\.?\s+(Pontianak\s+\w+)", address, re.I)
            out.append({"name": name, "aliases": aliases, "address": address, "lat": _r(row["lat"]),
                        "lon": _r(row["lon"]), "kecamatan": kec.group(1).title() if kec else None,
                        "precision_m": 60, "source": "schools.csv"})
    return sorted(out, key=lambda s: s["name"])


# "Jl. Merdeka Gg. Merak", "Gg. Kencana 2 No. 5", "Jl. Wahid Hasyim Gg. Cimahi. Kec. ...": the gang's
# name runs to a number, an RT/RW, a complex, a kelurahan or kecamatan, or the end of the part.
_GANG = re.compile(r"\bG(?:g|ang)\b\.?\s*(?P<name>.+?)(?=\s+(?:No|Nomor|Rt|Rw|Komp|Kompleks|Perum\w*|Kel|Kec)\b"
                   r"|[.,(]|$)", re.I)
_ROMAN = re.compile(r"^[ivx]+$", re.I)
GANG_PRECISION_M = 150     # the school stands somewhere along its gang


def gang_name(words):
    """"DHARMA PUTRA iv" -> "Gg. Dharma Putra IV"."""
    return "Gg. " + " ".join(w.upper() if _ROMAN.match(w) else w if any(c.isdigit() for c in w)
                             else w[:1].upper() + w[1:].lower() for w in words.split())


def gangs_of(address):
    """``[(gang name, street text before it or None)]`` written in an address."""
    out = []
    for m in _GANG.finditer(address):
        words = m.group("name").strip()
        if not re.search(r"[A-Za-z0-9]", words):
            continue
        before = address[:m.start()].strip(" ,.")
        out.append((gang_name(words), before or None))
    return out


def build_gangs(schools, index):
    """The gangs named in the schools' addresses, each at its school (the gang runs past it), with the
    street it leaves from when the address names one."""
    streets = _streets_by_key(index)
    found = {}
    for school in schools:
        for name, street_text in gangs_of(school["address"]):
            street = streets.get(street_key(street_text)) if street_text else None
            street_name = street.name if street is not None else (
                display_name(street_key(street_text), street_text) if street_text else None)
            key = (_compact(name), street_key(street_name) if street_name else "")
            if key in found:
                found[key]["schools"].append(school["name"])
                continue
            found[key] = {"name": name, "aliases": [name.replace("Gg. ", "Gang ", 1)], "street": street_name,
                          "street_indexed": street is not None, "lat": school["lat"], "lon": school["lon"],
                          "kecamatan": school["kecamatan"], "precision_m": GANG_PRECISION_M,
                          "schools": [school["name"]], "source": "schools.csv (a school's address)"}
    return [found[k] for k in sorted(found)]


def _streets_by_key(index):
    by_key = {}
    for street in index.streets:
        for spelling in (street.name, *street.aliases):
            by_key.setdefault(street_key(spelling), street)
    return by_key


def place_puskesmas(folder, index, zones, gazetteer, gangs):
    """Each puskesmas at the point its address gives, by the project's own data: its gang when a
    school's address put it on the map, else the part of its street inside its kelurahan, else its
    street, else its kelurahan's middle (the kelurahan the address names, or the one in the puskesmas's
    own name), else its kecamatan's; said as the method."""
    by_key = _streets_by_key(index)
    gang_at = {(_compact(g["name"]), street_key(g["street"] or "")): g for g in gangs}
    kelurahan = {_compact(z.name): z for z in zones.kelurahan}
    kecamatan = {_compact(z.name): z for z in zones.kecamatan}
    out = []
    with (folder / "puskesmas.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            address = row["alamat"].strip()
            street_text = re.split(r"\s+(No\.?|Rt\.?|Rw\.?|Gg\.?|Komp\.?)\s|,|\(", address, flags=re.I)[0]
            street = by_key.get(street_key(street_text))
            gang = next((gang_at.get((_compact(name), street_key(street.name if street else street_text)))
                         for name, _ in gangs_of(address)), None)
            kel_zone = _kelurahan_named(gazetteer, kelurahan, address) or \
                _kelurahan_named(gazetteer, kelurahan, row["nama"])
            inside = street.within(kel_zone.geometry) if street is not None and kel_zone is not None else None
            if gang is not None:
                lat, lon, method, precision = gang["lat"], gang["lon"], "gang", GANG_PRECISION_M
            elif inside is not None:
                (lat, lon), method, precision = inside, "street in kelurahan", 150
            elif street is not None:
                (lat, lon), method, precision = street.middle(), "street", street.precision_m
            elif kel_zone is not None:
                p = kel_zone.geometry.representative_point()
                lat, lon, method, precision = p.y, p.x, "kelurahan", 800
            else:
                zone = kecamatan[_compact(row["kecamatan"])]
                p = zone.geometry.representative_point()
                lat, lon, method, precision = p.y, p.x, "kecamatan", 2000
            name = re.sub(r"^UPT\s+", "", row["nama"].strip())
            out.append({"name": row["nama"].strip(), "aliases": [name, name.replace("Puskesmas", "PKM")],
                        "address": address, "kecamatan": row["kecamatan"], "phone": row["telp"],
                        "code": row["kode_puskesmas"], "lat": _r(lat), "lon": _r(lon), "estimated": True,
                        "method": method, "precision_m": precision, "source": "puskesmas.csv (estimated)"})
    return sorted(out, key=lambda p: p["name"])


def _kelurahan_named(gazetteer, kelurahan, text):
    """The kelurahan zone a text names exactly ("Kel. Sui Bangkong", "..., Tambelan Sampit"), or None."""
    for m in gazetteer.analyse(text).matches:
        if m.place.kind == "kelurahan" and m.how == "exact":
            zone = kelurahan.get(_compact(m.place.name))
            if zone is not None:
                return zone
    return None


def build(folder):
    folder = Path(folder)
    road = RoadEdges(json.loads((HERE / "roads.json").read_text(encoding="utf-8")))
    gazetteer = Gazetteer.load()
    data = {"source": SOURCE, "streets": build_streets(folder, road, gazetteer),
            "landmarks": build_landmarks(folder), "schools": build_schools(folder)}
    index = StreetIndex(data)
    data["gangs"] = build_gangs(data["schools"], index)
    data["puskesmas"] = place_puskesmas(folder, index, ZoneIndex.shipped(), gazetteer, data["gangs"])
    data["summary"] = {k: len(data[k]) for k in ("streets", "landmarks", "schools", "gangs", "puskesmas")}
    return data


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    data = build(argv[0])
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    s = data["summary"]
    drawn = sum(1 for x in data["streets"] if x["line_from"] == "street lights")
    print(f"{OUT.name}: {s['streets']} streets ({drawn} drawn through their lights: no road line near them), "
          f"{s['landmarks']} landmarks, {s['schools']} schools, {s['gangs']} gangs (from the schools' addresses), "
          f"{s['puskesmas']} puskesmas (positions estimated from the addresses)")
    for p in data["puskesmas"]:
        print(f"  {p['name']}: by its {p['method']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
