"""Build the project's own coarse zone polygons for Kota Pontianak: ``dispatch/data/zones.geojson``.

    .venv/bin/python -m dispatch.data.make_zones /work/shared/data/pontianak

The shipped zones are a coarse derivation, not a copy of official boundaries. The inputs are facts
read from the reference folder (see its README.md):

* the kelurahan centroids, names, Kemendagri codes, kecamatan and areas (``boundaries.geojson``
  properties; the kelurahan and kecamatan polygons themselves are never used for the output);
* the Kapuas Kecil and Landak centrelines (``rivers_bridges.geojson``);
* the city outline: the kota polygon simplified hard (``--tolerance``, default 0.0015 degrees,
  about 170 m, which leaves about 30 vertices).

Method: the two rivers cut the coarse outline into three banks (south-west of the Kapuas; between
the Kapuas and the Landak; north of both). On each bank the kelurahan of that bank get a power
diagram (a Voronoi diagram whose sites carry weights) of their centroids, clipped to the bank, so
no kelurahan crosses a river and the cells tile the outline without gaps or overlaps. Two knobs:

* ``--alpha``: a site's weight is ``alpha * area / pi`` (the squared radius of a disc of the
  kelurahan's published area), so a big kelurahan pushes its borders away from its centroid.
  Above about 0.75 the smallest kelurahan (Benuamelayu Laut) loses its own centroid.
* ``--stretch``: distance along the bank's river (the principal axis of the river vertices on the
  bank) counts ``stretch`` times distance across it, because Pontianak's kelurahan are mostly
  strips running inland from the river along the parit (canals). It is an affine map of the
  plane, so the cells stay straight-edged polygons.

``--alpha 0 --stretch 1`` gives the plain Voronoi diagram. The defaults (0.5, 2) were picked from
a coarse scan of the measured accuracy below; a kecamatan is the union of its kelurahan.

The accuracy is measured (and printed, and written into the file's note) by sampling random points
in the official kota polygon and comparing the kelurahan and kecamatan they fall in with the
official polygons. That comparison is the only use of the official polygons.

Degrees are used as plane coordinates: at the equator a degree of longitude (111.3 km) and one of
latitude (110.6 km) differ by under 1 %, far below the coarseness of the method.
"""
import argparse
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape
from shapely.ops import polygonize, split, unary_union

OUT = Path(__file__).resolve().parent / "zones.geojson"
BANKS = {
    "south-west of the Kapuas": ("Pontianak Barat", "Pontianak Kota", "Pontianak Selatan", "Pontianak Tenggara"),
    "between the Kapuas and the Landak": ("Pontianak Timur",),
    "north of the Kapuas and the Landak": ("Pontianak Utara",),
}
DEFAULT_ALPHA = 0.5
DEFAULT_STRETCH = 2.0
DEFAULT_TOLERANCE = 0.0015  # degrees, about 170 m
DEFAULT_GROW = 0.001   # degrees, about 110 m
EXTEND = 0.015  # degrees (about 1.7 km) the river lines run on past their ends, so they cut the grown outline cleanly
DECIMALS = 5
SOURCE = ("own coarse derivation (make_zones.py): weighted, stretched Voronoi (power) diagram of kelurahan centroids, "
          "cut by the Kapuas and Landak centrelines; facts from BIG/Kemendagri via ../shared/data/pontianak")


# ---------------------------------------------------------------- inputs

def load_facts(src):
    """Kota polygon, kelurahan records (facts only), kecamatan codes, river lines."""
    with open(src / "boundaries.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    kota = next(shape(f["geometry"]) for f in features if f["properties"]["kind"] == "kota")
    kecamatan = {f["properties"]["name"]: f["properties"]["code"]
                 for f in features if f["properties"]["kind"] == "kecamatan"}
    kelurahan = []
    for f in features:
        p = f["properties"]
        if p["kind"] == "kelurahan":
            kelurahan.append({"name": p["name"], "code": p["code"], "kecamatan": p["kecamatan"],
                              "point": (p["centroid_lon"], p["centroid_lat"]),
                              "area_km2": p["area_km2_incl_river"]})
    with open(src / "rivers_bridges.geojson", encoding="utf-8") as fh:
        rivers = [f for f in json.load(fh)["features"] if f["properties"]["kind"] == "river"]
    kapuas = next(shape(f["geometry"]) for f in rivers if "Kapuas" in f["properties"]["name"])
    landak = next(shape(f["geometry"]) for f in rivers if "Landak" in f["properties"]["name"])
    if len(kelurahan) != 29 or len(kecamatan) != 6:
        raise SystemExit(f"expected 29 kelurahan and 6 kecamatan, found {len(kelurahan)} and {len(kecamatan)}")
    return kota, kecamatan, kelurahan, kapuas, landak


def extended(line, d=EXTEND):
    """The line with both ends prolonged by ``d`` along their end segments."""
    cs = np.asarray(line.coords)

    def beyond(a, b):  # the point d past b, coming from a
        v = b - a
        return b + v / np.hypot(*v) * d

    return LineString(np.vstack([beyond(cs[1], cs[0]), cs, beyond(cs[-2], cs[-1])]))


# ---------------------------------------------------------------- geometry

def bank_polygons(outline, kapuas, landak, kelurahan):
    """Cut the outline with the rivers; name each piece by the kecamatan centroids it holds."""
    pieces = list(split(outline, extended(kapuas)).geoms)
    pieces = [q for p in pieces for q in split(p, extended(landak)).geoms]
    banks = {}
    for bank, kecs in BANKS.items():
        points = [Point(k["point"]) for k in kelurahan if k["kecamatan"] in kecs]
        mine = [p for p in pieces if any(p.contains(pt) for pt in points)]
        banks[bank] = unary_union(mine)
        missing = [pt for pt in points if not banks[bank].contains(pt)]
        if len(mine) != 1 or missing:
            raise SystemExit(f"bank {bank!r}: {len(mine)} pieces, {len(missing)} centroids outside")
    shared = [p for p in pieces if sum(p.equals(b) for b in banks.values()) > 1]
    if shared:  # a river did not cut: one piece holds the centroids of two banks
        raise SystemExit(f"{len(shared)} piece(s) of the outline hold the kelurahan of two banks")
    left = sum(p.area for p in pieces) - sum(b.area for b in banks.values())
    if abs(left) > 1e-9 * outline.area:  # a piece holding no centroid: the cut was not clean
        raise SystemExit(f"river cut left {left:.3g} square degrees unassigned")
    return banks


def power_cells(region, sites, weights):
    """Power diagram of ``sites`` (with ``weights``) clipped to ``region``, one geometry per site.

    Each cell is the intersection of the half-planes |x-p_i|^2 - w_i <= |x-p_j|^2 - w_j (j != i),
    so the cells are convex before clipping; a cell may come out empty or miss its own site when
    the weights are too uneven (``build`` checks that).
    """
    o = np.asarray(region.centroid.coords[0])
    p = np.asarray(sites) - o  # local origin: keeps the half-plane constants small
    w = np.asarray(weights, dtype=float)
    big = 1.0  # degrees; far larger than the city
    cells = []
    for i in range(len(p)):
        cell = shapely.affinity.translate(region, -o[0], -o[1])
        for j in range(len(p)):
            if i == j:
                continue
            n = p[j] - p[i]
            c = (p[j] @ p[j] - p[i] @ p[i] - w[j] + w[i]) / 2  # the half-plane n.x <= c
            nn = n / np.hypot(*n)
            x0 = nn * c / np.hypot(*n)
            t = np.array([-nn[1], nn[0]])
            cell = cell.intersection(Polygon([x0 + big * t, x0 - big * t, x0 - big * t - big * nn,
                                              x0 + big * t - big * nn]))
        cells.append(shapely.affinity.translate(cell, o[0], o[1]))
    return cells


def power_owner(point, sites, weights):
    """Index of the site of least power distance from ``point``."""
    q = np.asarray(point.coords[0])
    return int(np.argmin(((np.asarray(sites) - q) ** 2).sum(axis=1) - np.asarray(weights)))


def river_direction(bank, rivers):
    """Unit vector along the river bank of ``bank`` (principal axis of the river vertices on it)."""
    pts = np.array([c for r in rivers for c in r.coords if bank.boundary.distance(Point(c)) < 1e-6])
    d = pts - pts.mean(axis=0)
    u = np.linalg.eigh(d.T @ d)[1][:, -1]
    return u if u[0] >= 0 else -u


def affine(geom, m):
    """``geom`` mapped by the 2x2 matrix ``m``."""
    return shapely.affinity.affine_transform(geom, [m[0, 0], m[0, 1], m[1, 0], m[1, 1], 0, 0])


def build(src, alpha=DEFAULT_ALPHA, stretch=DEFAULT_STRETCH, tolerance=DEFAULT_TOLERANCE, grow=DEFAULT_GROW):
    kota, kec_codes, kelurahan, kapuas, landak = load_facts(src)
    # Grown a little before simplifying, so the simplified outline errs outwards: an address just
    # inside the city limit is not flagged as outside the service area because a corner was cut.
    outline = kota.buffer(grow, join_style="mitre").simplify(tolerance) if grow else kota.simplify(tolerance)
    banks = bank_polygons(outline, kapuas, landak, kelurahan)
    deg2_per_km2 = 1 / (111.32 * 110.57)
    lines = [outline.boundary]
    per_bank = {}
    for bank, kecs in BANKS.items():
        members = [k for k in kelurahan if k["kecamatan"] in kecs]
        # Distances along the river count ``stretch`` times: cells become strips running inland.
        u = river_direction(banks[bank], (kapuas, landak))
        m = np.diag([stretch, 1.0]) @ np.array([u, [-u[1], u[0]]])
        sites = np.asarray([k["point"] for k in members]) @ m.T
        weights = [alpha * stretch * k["area_km2"] * deg2_per_km2 / math.pi for k in members]
        per_bank[bank] = (members, sites, weights, m)
        cells = power_cells(affine(banks[bank], m), sites, weights)
        lines += [banks[bank].boundary] + [affine(c.boundary, np.linalg.inv(m)) for c in cells if not c.is_empty]
    # Node all the edges at once on the output grid (10^-5 degree snap rounding), then give every
    # face of the arrangement to its bank and, within the bank, to the site of least power
    # distance: neighbours share identical, already rounded edges, so the cells tile exactly.
    grid = 10 ** -DECIMALS
    faces = list(polygonize(shapely.union_all(lines, grid_size=grid)))
    owned = {k["name"]: [] for k in kelurahan}
    for face in faces:
        inner = face.representative_point()
        bank = min(banks, key=lambda b: banks[b].distance(inner))
        members, sites, weights, m = per_bank[bank]
        owned[members[power_owner(affine(inner, m), sites, weights)]["name"]].append(face)
    cells = {}
    for k in kelurahan:
        cell = shapely.union_all(owned[k["name"]], grid_size=grid)
        if cell.is_empty or not cell.contains(Point(k["point"])):
            raise SystemExit(f"{k['name']}: its cell does not hold its centroid (alpha too large?)")
        cells[k["name"]] = cell
    kec = {name: shapely.union_all([cells[k["name"]] for k in kelurahan if k["kecamatan"] == name],
                                   grid_size=grid)
           for name in kec_codes}
    return {"outline": outline, "banks": banks, "kelurahan": kelurahan, "kec_codes": kec_codes,
            "cells": cells, "kec": kec, "kota": kota, "rivers": (kapuas, landak)}


# ---------------------------------------------------------------- measure

def measure(src, zones, n=20000, seed=119):
    """Share of random points in the official kota whose kelurahan / kecamatan matches ours."""
    with open(src / "boundaries.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    official = [(f["properties"]["name"], f["properties"]["kecamatan"], shapely.make_valid(shape(f["geometry"])))
                for f in features if f["properties"]["kind"] == "kelurahan"]
    kota = shapely.make_valid(zones["kota"])
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = kota.bounds
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < n:
        x, y = rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)
        inside = shapely.contains_xy(kota, x, y)
        xs, ys = np.concatenate([xs, x[inside]]), np.concatenate([ys, y[inside]])
    xs, ys = xs[:n], ys[:n]

    def label(polys, names):
        out = np.full(n, "", dtype=object)
        for name, g in zip(names, polys):
            hit = shapely.contains_xy(g, xs, ys) & (out == "")
            out[hit] = name
        return out

    off_kel = label([g for _, _, g in official], [k for k, _, _ in official])
    kec_of = {k: c for k, c, _ in official}
    off_kec = np.array([kec_of.get(k, "") for k in off_kel], dtype=object)
    our_kel = label(list(zones["cells"].values()), list(zones["cells"]))
    our_kec = label(list(zones["kec"].values()), list(zones["kec"]))
    known = off_kel != ""  # points in a sliver the official kelurahan polygons do not cover
    res = {"n": n, "seed": seed, "unlabelled_official": int((~known).sum()),
           "outside_ours": int((our_kel[known] == "").sum()),
           "kelurahan": float((our_kel[known] == off_kel[known]).mean()),
           "kecamatan": float((our_kec[known] == off_kec[known]).mean())}
    per = {}
    for name in zones["cells"]:
        mask = known & (off_kel == name)
        per[name] = float((our_kel[mask] == name).mean()) if mask.any() else float("nan")
    res["per_kelurahan"] = per
    return res


# ---------------------------------------------------------------- output

def rounded(geom):
    def ring(r):
        return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in r.coords]

    def poly(p):
        return [ring(p.exterior)] + [ring(i) for i in p.interiors]

    if isinstance(geom, Polygon):
        return {"type": "Polygon", "coordinates": poly(geom)}
    if isinstance(geom, MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [poly(p) for p in geom.geoms]}
    raise SystemExit(f"unexpected geometry {geom.geom_type}")


def feature_collection(zones, accuracy, alpha, stretch, tolerance):
    note = (
        "Coarse zones, made by the project (dispatch/data/make_zones.py), NOT official boundaries. "
        f"City outline = the BIG 2020 kota polygon simplified to {tolerance} degrees (about 170 m); "
        "the Kapuas Kecil and Landak centrelines (about 100-200 m off mid-channel) cut it into three banks; "
        "on each bank the kelurahan get a power diagram of their centroids (cahyadsn/wilayah_boundaries), "
        f"weighted by their published areas (alpha {alpha}) with distance along the river counted {stretch:g} "
        "times distance across it; kecamatan = union of their kelurahan. "
        "Names and codes: Kemendagri (Kepmendagri 2025). "
    )
    if accuracy:
        note += (f"Measured on {accuracy['n']} random points in the official kota polygon: "
                 f"{accuracy['kelurahan']:.0%} get the official kelurahan, {accuracy['kecamatan']:.0%} "
                 "the official kecamatan; borders can be several hundred metres off. ")
    note += "Replace with official boundaries with: flask --app wsgi zones import FILE.geojson"
    features = []
    for k in zones["kelurahan"]:
        features.append({"type": "Feature",
                         "properties": {"name": k["name"], "kind": "kelurahan", "code": k["code"],
                                        "kecamatan": k["kecamatan"], "source": "own coarse derivation"},
                         "geometry": rounded(zones["cells"][k["name"]])})
    for name, code in sorted(zones["kec_codes"].items(), key=lambda kv: kv[1]):
        features.append({"type": "Feature",
                         "properties": {"name": name, "kind": "kecamatan", "code": code,
                                        "source": "own coarse derivation (union of its kelurahan)"},
                         "geometry": rounded(zones["kec"][name])})
    return {"type": "FeatureCollection", "name": "Kota Pontianak coarse zones (kelurahan, kecamatan)",
            "note": note, "source": SOURCE, "features": features}


def check(fc):
    for f in fc["features"]:
        g = shape(f["geometry"])
        if not g.is_valid:
            raise SystemExit(f"{f['properties']['name']}: invalid geometry after rounding")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m dispatch.data.make_zones", description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path, help="reference folder (../shared/data/pontianak)")
    ap.add_argument("-o", "--out", type=Path, default=OUT, help=f"output file (default {OUT})")
    ap.add_argument("--alpha", type=float, default=DEFAULT_ALPHA,
                    help="weight of the kelurahan areas (0 = plain Voronoi; default %(default)s)")
    ap.add_argument("--stretch", type=float, default=DEFAULT_STRETCH,
                    help="how much more distance along the river counts than across it (default %(default)s)")
    ap.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                    help="simplification of the city outline, degrees (default %(default)s)")
    ap.add_argument("--grow", type=float, default=DEFAULT_GROW,
                    help="grow the outline by this many degrees before simplifying (default %(default)s)")
    ap.add_argument("--no-measure", dest="measure", action="store_false",
                    help="skip the accuracy measurement (it is also written into the note)")
    ap.add_argument("--per-kelurahan", action="store_true", help="print the accuracy of each kelurahan")
    ap.add_argument("--dry-run", action="store_true", help="measure only; do not write the file")
    args = ap.parse_args(argv)
    if not (args.src / "boundaries.geojson").is_file():
        ap.error(f"{args.src}/boundaries.geojson not found")

    zones = build(args.src, alpha=args.alpha, stretch=args.stretch, tolerance=args.tolerance, grow=args.grow)
    print(f"outline: {len(zones['outline'].exterior.coords) - 1} vertices, "
          f"{zones['outline'].area / zones['kota'].area:.3f} of the official kota area")
    accuracy = None
    if args.measure:
        accuracy = measure(args.src, zones)
        print(f"accuracy on {accuracy['n']} random points in the official kota (seed {accuracy['seed']}): "
              f"kelurahan {accuracy['kelurahan']:.1%}, kecamatan {accuracy['kecamatan']:.1%} "
              f"({accuracy['outside_ours']} points outside our outline, counted wrong; "
              f"{accuracy['unlabelled_official']} in no official kelurahan, left out)")
        if args.per_kelurahan:
            for name, share in sorted(accuracy["per_kelurahan"].items(), key=lambda kv: kv[1]):
                print(f"  {share:6.1%}  {name}")
    fc = feature_collection(zones, accuracy, args.alpha, args.stretch, args.tolerance)
    check(fc)
    if args.dry_run:
        return 0
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    text = text.replace('{"type":"Feature"', '\n{"type":"Feature"') + "\n"  # one feature a line: readable diffs
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes, {len(fc['features'])} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
