"""Build ``dispatch/data/streets.json``, the street index of the geocoder, from the reference data.

    .venv/bin/python -m dispatch.data.make_streets ../shared/data/pontianak

Sources (``../shared/data/pontianak/``, see its README): the city transport office's street lights
(``street_lights.geojson``: each light named after its street) give the streets, their kelurahan
and, through the road graph ``roads.json`` (built from the RBI road lines), their lines; the
gazetteer's roads add the streets the inventory lacks; the lights' panels
(``street_light_panels.geojson``) give landmarks; ``schools.csv`` the primary schools;
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
from .street_lines import RoadEdges, fill_gaps, line_metres, polylines, street_edges
from .street_names import (NOT_STREETS, display_name, landmark_of_panel, light_street, street_aliases,
                           street_key)

HERE = Path(__file__).resolve().parent
OUT = HERE / "streets.json"
SOURCE = ("Street names, kelurahan and landmark panels: Dishub Kota Pontianak street-light inventory (as "
          "published in ihsanhaaa/pju-app); lines: the project's road graph from the RBI road lines (BIG); "
          "schools: ihsanhaaa/WebGIS-Pemetaan-SD; puskesmas: the Dinas Kesehatan's list, positions estimated "
          "from the addresses by this index. Built by dispatch/data/make_streets.py.")
MIN_LIGHTS = 3          # fewer lights name no street we can draw


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
        if not edges:
            continue
        lines = polylines(road, edges)
        raws = sorted({raw for raw, _ in members})
        name = display_name(key, raws[0])
        streets[key] = {
            "name": name, "aliases": street_aliases(name, [r.title() for r in raws]),
            "kelurahan": sorted({f["properties"].get("kelurahan") for _, f in members} - {None, ""}),
            "kecamatan": sorted({f["properties"].get("kecamatan") for _, f in members} - {None, ""}),
            "lights": len(members), "length_m": round(line_metres(lines)), "lines": lines, "replaces": [],
        }
    # The gazetteer's roads: merged into the street of the same name, or streets of their own.
    for place in gazetteer.places:
        if place.kind != "road" or len(place.points) < 2:
            continue
        key = street_key(place.name)
        if key in streets:
            s = streets[key]
            s["replaces"].append(place.name)
            s["aliases"] = street_aliases(s["name"], s["aliases"] + [place.name, *place.aliases])
            continue
        edges = fill_gaps(road, street_edges(road, place.points, max_m=60), gap_m=1500)
        lines = polylines(road, edges) if edges else [[[_r(a), _r(b)] for a, b in place.points]]
        streets[key] = {"name": place.name, "aliases": list(place.aliases), "kelurahan": [],
                        "kecamatan": [place.kecamatan] if place.kecamatan else [], "lights": 0,
                        "length_m": round(line_metres(lines)), "lines": lines, "replaces": [place.name]}
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
    return name, [f"SDN {number} {area}", f"SD {number} {area}", f"SD Negeri {number:02d} {area}",
                  f"SDN {number:02d} {area}"]


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


def place_puskesmas(folder, index, zones):
    """Each puskesmas at the point its address gives: the part of its street inside its kelurahan,
    else its street, else its kelurahan's middle; said as the method."""
    by_key = {}
    for street in index.streets:
        for spelling in (street.name, *street.aliases):
            by_key.setdefault(street_key(spelling), street)
    kelurahan = {_compact(z.name): z for z in zones.kelurahan}
    kecamatan = {_compact(z.name): z for z in zones.kecamatan}
    out = []
    with (folder / "puskesmas.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            address = row["alamat"].strip()
            street_text = re.split(r"\s+(No\.?|Rt\.?|Rw\.?|Gg\.?|Komp\.?)\s|,", address, flags=re.I)[0]
            street = by_key.get(street_key(street_text))
            kel = re.search(r"Kel\.?\s+([^,]+)", address, re.I)
            kel_zone = kelurahan.get(_compact(kel.group(1))) if kel else None
            inside = street.within(kel_zone.geometry) if street is not None and kel_zone is not None else None
            if inside is not None:
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


def build(folder):
    folder = Path(folder)
    road = RoadEdges(json.loads((HERE / "roads.json").read_text(encoding="utf-8")))
    gazetteer = Gazetteer.load()
    data = {"source": SOURCE, "streets": build_streets(folder, road, gazetteer),
            "landmarks": build_landmarks(folder), "schools": build_schools(folder)}
    data["puskesmas"] = place_puskesmas(folder, StreetIndex(data), ZoneIndex.shipped())
    data["summary"] = {k: len(data[k]) for k in ("streets", "landmarks", "schools", "puskesmas")}
    return data


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    data = build(argv[0])
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    s = data["summary"]
    print(f"{OUT.name}: {s['streets']} streets, {s['landmarks']} landmarks, {s['schools']} schools, "
          f"{s['puskesmas']} puskesmas (positions estimated from the addresses)")
    for p in data["puskesmas"]:
        print(f"  {p['name']}: by its {p['method']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
