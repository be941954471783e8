"""Geography benchmark: geocoding, unit ranking, zone lookup and travel time, in process.

No server and no database: it calls the pure library the way the API does, on this
machine, and compares each result with a simple baseline measured in the same run.

1. Geocoding free text with the shipped gazetteer: ``Geo().geocoder.candidates(text)``
   and ``candidates(text, typing=True)`` (search-as-you-type) over a corpus of 67
   operator inputs (places, everyday spellings, typos, coordinates, map links, text
   that matches nothing, one 500-character description), repeated to 20,000 calls.
   Baseline: ``dispatch.geo.text.tokens(text)`` alone, the normalisation every call pays.
2. Recommendation for one incident: ``rank_units`` over 1,000 and 100,000 random
   available units (half with a fresh GPS fix, a quarter with a stale one, a quarter
   without, a third ALS) for random incident points, with the road graph (the default)
   and the river-aware model on the same units. Baseline: a plain Python loop of
   ``geopy.distance.geodesic`` from every unit, then the 5 nearest (``heapq``). Then one
   route with its path (``travel.way``, what ``GET /api/route`` computes).
3. Zone lookup: ``geo.zones.lookup_many`` for 100,000 random points in one call, with
   the shipped polygons and, when ``../shared/data/pontianak`` exists, the official
   BIG boundaries. Baselines: ``shapely.contains_xy`` on every zone without the
   bounding-box prefilter (measured), and a per-point loop of prepared
   ``polygon.contains(Point)`` on a 2,000-point subsample (extrapolated, and labelled so).
4. Travel time alone: ``geo.travel.to_point`` for 1,000 and 100,000 origins, and the
   parts of ``rank_units`` it is made of, to show where the recommendation time goes.

Every call is timed on its own with ``time.perf_counter_ns`` after a warm-up. The
tables give p50, p99 (nearest rank), mean and max in milliseconds, and throughput.
Targets are printed next to the numbers; nothing passes or fails on speed: the script
exits 0 unless something raised.

    .venv/bin/python bench/geo_bench.py [--quick] [--json bench/results/geo.json] [--seed 119]
"""
import argparse
import heapq
import json
import math
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared/data/pontianak"
sys.path.insert(0, str(ROOT))

# The service area the random units, incidents and points are drawn from.
LAT_RANGE = (-0.09, 0.02)
LON_RANGE = (109.28, 109.38)

LONG_TEXT = (
    "Tolong cepat pak, ada bapak-bapak pingsan di Gg. Mawar 2, masuk dari Jl. Tanjung Raya 2 belok kiri "
    "setelah warung kopi, rumah cat hijau pagar hitam, sebelah bengkel motor, depan toko kelontong, kalau "
    "dari jembatan Kapuas lurus terus sampai lampu merah lalu kanan kira-kira 300 meter, nanti ada anak "
    "muda tunggu di mulut gang pakai baju merah, korban umur 60an sesak napas dan nyeri dada sejak setengah "
    "jam lalu, keluarga panik, mohon ambulans segera ke Kelurahan Tambelan Sampit, Pontianak Timur, RT 03 RW 05"
)[:500]

CORPUS = [
    # hospitals and landmarks, as operators type them
    "depan RS Antonius", "RSUD dr. Soedarso", "rs kota", "rsud soedarso", "RS Bhayangkara", "samping RS Untan",
    "RS Jiwa Sungai Bangkong", "Mitra Medika", "RS Kharitas Bakti", "belakang Yarsi", "Anugrah Bunda",
    "RSIA Nabasa", "Tugu Khatulistiwa", "Masjid Mujahidin", "Keraton Kadriah", "Istana Kadariah",
    "dekat jembatan Landak", "jembatan kapuas 1", "Alun Kapuas", "Bundaran Digulis", "Bandara Supadio",
    "Terminal Jeruju", "Pelabuhan Senghie", "Masjid Jami Sultan", "Kampung Beting", "Rumah Radakng",
    # typos
    "RS Antonis", "Sodarso", "Tugu Katulistiwa", "Masjid Mujahiddin", "Keraton Kadria", "jembatan landk",
    # roads, some with their kelurahan
    "Jl. Ahmad Yani, Bansir Laut", "Jln. A. Yani", "Jl. Gst. Situt Mahmud, Siantan Tengah", "Jl. Sultan Hamid II",
    "Jl. Tanjung Raya 2 No. 15", "Jl. KH Wahid Hasyim", "Jl. Khatulistiwa, Batu Layang", "Jl. Hadari Nawawi",
    "jalan budi utomo",
    # kelurahan and kecamatan in everyday spellings
    "Gg. Mawar, Sei Jawi Luar", "Sungai Jawi Dalam", "Pal V", "Parit Tokaya", "Kel. Benua Melayu Darat",
    "Tanjung Hulu", "Siantan Hulu", "Kota Baru", "Ptk Timur", "Kecamatan Pontianak Tenggara", "Tembelan Sampit",
    "Bangka Belitung Laut", "Sei Beliung", "Darat Sekip",
    # coordinates and map links
    "-0.0202, 109.3268", "-0,0202 109,3268", "0°01'12\"S 109°19'36\"E", "0°01'12\" LS 109°19'36\" BT",
    "https://www.google.com/maps/place/X/@-0.0202,109.3267,17z", "https://maps.google.com/?q=-0.0345,109.3412",
    "https://www.openstreetmap.org/?mlat=-0.0202&mlon=109.3268#map=17/-0.0202/109.3268", "geo:-0.0202,109.3268",
    # nothing to match
    "Gg. Mawar 5 / 12", "rumah warna hijau", "RT 03 RW 05",
    # one long description
    LONG_TEXT,
]

FULL = {"geocode_calls": 20_000, "incidents": {1_000: 200, 100_000: 50}, "baseline_incidents": {1_000: 20, 100_000: 3},
        "zone_points": 100_000, "zone_repeats": 20, "zone_baseline_repeats": 5, "loop_sample": 2_000, "api_requests": 500}
QUICK = {"geocode_calls": 2_000, "incidents": {1_000: 50, 100_000: 10}, "baseline_incidents": {1_000: 5, 100_000: 1},
         "zone_points": 100_000, "zone_repeats": 5, "zone_baseline_repeats": 2, "loop_sample": 2_000, "api_requests": 100}


# --- measuring -------------------------------------------------------------------------------

def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summary(samples_ns, items_per_call=1, unit="calls/s"):
    """p50/p99/mean/max in ms and throughput (items per second of measured time)."""
    ms = sorted(s / 1e6 for s in samples_ns)
    total_s = sum(samples_ns) / 1e9
    return {"n": len(ms), "p50_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99),
            "mean_ms": sum(ms) / len(ms), "max_ms": ms[-1],
            "throughput": len(ms) * items_per_call / total_s if total_s else float("inf"), "throughput_unit": unit}


def timed(fn, args_list, warmup=3):
    """Call ``fn(*args)`` for each args tuple, after ``warmup`` unmeasured calls; ns per call."""
    for args in args_list[:warmup]:
        fn(*args)
    samples = []
    for args in args_list:
        start = time.perf_counter_ns()
        fn(*args)
        samples.append(time.perf_counter_ns() - start)
    return samples


def row(case, stats, *, baseline=None, target_ms=None, note=""):
    """One table row: the stats, their ratio to the baseline's p50 and the p99 target."""
    out = {"case": case, **stats, "note": note}
    if baseline is not None:
        out["vs_baseline_p50"] = stats["p50_ms"] / baseline["p50_ms"]
    if target_ms is not None:
        out["target_p99_ms"] = target_ms
        out["target_met"] = stats["p99_ms"] < target_ms
    return out


# --- printing --------------------------------------------------------------------------------

def fmt_ms(x):
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_rate(x, unit):
    if x >= 1e6:
        return f"{x / 1e6:.1f}M {unit}"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k {unit}"
    return f"{x:,.0f} {unit}" if x >= 100 else f"{x:.2f} {unit}"


def fmt_ratio(r, baseline_label):
    if r is None:
        return ""
    if r == 1:
        return "= baseline"
    if r > 1:
        return f"{r:,.1f}x {baseline_label}"
    return f"{1 / r:,.0f}x faster" if 1 / r >= 10 else f"{1 / r:,.1f}x faster"


def fmt_target(r):
    if "target_p99_ms" not in r:
        return ""
    return f"p99 < {r['target_p99_ms']:g} ms: " + ("met" if r["target_met"] else "MISSED")


def print_table(title, rows, baseline_label="the baseline"):
    """A plain-text table; columns that are empty in every row are left out."""
    headers = ["case", "n", "p50 ms", "p99 ms", "mean ms", "max ms", "throughput", "vs baseline p50", "target"]
    lines = []
    for r in rows:
        est = r.get("estimate")  # one extrapolated figure: only its mean means something
        lines.append([r["case"], "1 est." if est else f"{r['n']:,}", fmt_ms(r["p50_ms"]),
                      "-" if est else fmt_ms(r["p99_ms"]), fmt_ms(r["mean_ms"]), "-" if est else fmt_ms(r["max_ms"]),
                      fmt_rate(r["throughput"], r["throughput_unit"]),
                      "= baseline" if r.get("baseline") else fmt_ratio(r.get("vs_baseline_p50"), baseline_label),
                      fmt_target(r)])
    keep = [i for i in range(len(headers)) if any(line[i] for line in lines)]
    headers = [headers[i] for i in keep]
    lines = [[line[i] for i in keep] for line in lines]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    print(f"\n## {title}\n")
    for cells in [headers, ["-" * w for w in widths]] + lines:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip())
    for r in rows:
        if r.get("note"):
            print(f"  * {r['case'].strip()}: {r['note']}")


def header(args):
    import geopy
    import rapidfuzz
    print("# Geography benchmark (bench/geo_bench.py)" + (" --quick" if args.quick else ""))
    print(f"# {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, python {platform.python_version()} "
          f"({platform.python_implementation()}), {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"# numpy {np.__version__}, shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
          f"geopy {geopy.__version__}, rapidfuzz {rapidfuzz.__version__}; seed {args.seed}")
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
            "numpy": np.__version__, "shapely": shapely.__version__, "geos": shapely.geos_version_string,
            "geopy": geopy.__version__, "rapidfuzz": rapidfuzz.__version__}


# --- 1. geocoding ----------------------------------------------------------------------------

def bench_geocoding(geo, calls):
    from dispatch.geo.text import tokens

    texts = [(CORPUS[i % len(CORPUS)],) for i in range(calls)]
    # Warm-up: the whole corpus once per variant (rapidfuzz, regex and zone caches).
    for text in CORPUS:
        tokens(text), geo.geocoder.candidates(text), geo.geocoder.candidates(text, typing=True)
    base = summary(timed(tokens, texts))
    plain = summary(timed(geo.geocoder.candidates, texts))
    typing = summary(timed(lambda t: geo.geocoder.candidates(t, typing=True), texts))
    places = [(p.lat, p.lon) for p in geo.gazetteer.places]
    zone = summary(timed(geo.zones.lookup, [places[i % len(places)] for i in range(calls)]))
    rows = [row("tokens(text) [baseline: normalisation only]", base) | {"baseline": True},
            row("geocoder.candidates(text)", plain, baseline=base, target_ms=5),
            row("geocoder.candidates(text, typing=True)", typing, baseline=base, target_ms=5),
            row("  zones.lookup(lat, lon), one point", zone, baseline=base,
                note="paid once per candidate returned (coordinates: once), inside candidates()")]
    print_table(f"1. Geocoding free text: {len(CORPUS)} operator inputs, {calls:,} calls each", rows, "tokens()")
    slowest = slowest_inputs(geo)
    print("\n  slowest inputs (median of 25 calls, candidates(text, typing=True)):")
    for text, ms, found in slowest:
        shown = text if len(text) <= 60 else f"{text[:45]}... ({len(text)} chars)"
        print(f"    {ms:6.3f} ms  {shown!r} -> {found}")
    return {"rows": rows, "slowest": [{"text": t, "median_ms": ms, "top": f} for t, ms, f in slowest]}


def slowest_inputs(geo, top=5, repeats=25):
    out = []
    for text in CORPUS:
        samples = sorted(timed(lambda t: geo.geocoder.candidates(t, typing=True), [(text,)] * repeats, warmup=1))
        found = geo.geocoder.candidates(text, typing=True)
        best = f"{found[0]['name']} ({found[0]['confidence']}, {found[0]['match']})" if found else "nothing"
        out.append((text, samples[len(samples) // 2] / 1e6, best))
    return sorted(out, key=lambda t: -t[1])[:top]


# --- 2. recommendation -----------------------------------------------------------------------

def random_candidates(rng, n):
    """``n`` available units over the service area: fresh, stale or no GPS fix; a third ALS."""
    from dispatch.core.recommend import Candidates

    lat, lon = rng.uniform(*LAT_RANGE, n), rng.uniform(*LON_RANGE, n)
    kind = rng.random(n)
    age = np.full(n, np.nan)                                        # no fix: a quarter
    fresh, stale = kind < 0.5, (kind >= 0.5) & (kind < 0.75)
    age[fresh] = rng.uniform(0, 300, fresh.sum())                   # fresh fix: half
    age[stale] = rng.uniform(601, 6 * 3600, stale.sum())            # stale fix: a quarter
    has_fix = np.isfinite(age)
    return Candidates(
        ids=np.arange(1, n + 1, dtype=np.int64), als=rng.random(n) < 1 / 3,
        fix_lat=np.where(has_fix, lat, np.nan), fix_lon=np.where(has_fix, lon, np.nan), fix_age_s=age,
        station_lat=rng.uniform(*LAT_RANGE, n), station_lon=rng.uniform(*LON_RANGE, n),
        labels=[f"PSC-{i:06d}" for i in range(1, n + 1)],
    )


def random_points(rng, n):
    return rng.uniform(*LAT_RANGE, n), rng.uniform(*LON_RANGE, n)


def as_rows(c):
    """The units as plain Python tuples, as a naive implementation would hold them."""
    return list(zip(c.ids.tolist(), c.fix_lat.tolist(), c.fix_lon.tolist(), c.fix_age_s.tolist(),
                    c.station_lat.tolist(), c.station_lon.tolist()))


def geodesic_nearest(units, lat, lon, max_age_s=600, k=5):
    """Baseline: geopy's geodesic from every unit (its fresh fix, else its station), the k nearest."""
    from geopy.distance import geodesic

    dist = []
    for uid, flat, flon, age, slat, slon in units:
        fresh = flat == flat and age == age and age <= max_age_s     # x == x: not nan
        origin = (flat, flon) if fresh else (slat, slon)
        dist.append((geodesic(origin, (lat, lon)).meters, uid))
    return heapq.nsmallest(k, dist)


def bench_recommendation(geo, river, rng, plan, at):
    """rank_units with the app's model (the road graph) and, in the same run on the same units and
    points, with the river-aware model it falls back to."""
    from dispatch.core.recommend import rank_units

    def ranker(travel):
        def rank(c, lat, lon):
            return rank_units(c, lat, lon, travel=travel, at=at, priority="P1", category="cardiac",
                              max_age_s=600, als_preference_s=120, limit=5)
        return rank

    rank, rank_river = ranker(geo.travel), ranker(river.travel)
    rows, fleets = [], {}
    for n, target in ((1_000, 10), (100_000, 50)):
        c = random_candidates(rng, n)
        lats, lons = random_points(rng, plan["incidents"][n])
        points = [(float(a), float(b)) for a, b in zip(lats, lons)]
        fast = summary(timed(lambda lat, lon: rank(c, lat, lon), points), unit="incidents/s")
        by_river = summary(timed(lambda lat, lon: rank_river(c, lat, lon), points), unit="incidents/s")
        units = as_rows(c)
        slow_points = points[: plan["baseline_incidents"][n]]
        geodesic_nearest(units[:100], *slow_points[0])     # warm-up on a few units: a full call is slow
        slow = summary(timed(lambda lat, lon: geodesic_nearest(units, lat, lon), slow_points, warmup=0),
                       unit="incidents/s")
        rows.append(row(f"geodesic loop + 5 nearest, {n:,} units [baseline]", slow) | {"baseline": True})
        rows.append(row(f"rank_units, river-aware model, {n:,} units", by_river, baseline=slow, target_ms=target))
        rows.append(row(f"rank_units, {geo.travel.name} model, {n:,} units", fast, baseline=slow, target_ms=target))
        fleets[n] = (c, points)
    ways = [(float(a), float(b), float(c_), float(d)) for a, b, c_, d in
            zip(*random_points(rng, 200), *random_points(rng, 200))]
    rows.append(row("travel.route, one pair, river-aware model",
                    summary(timed(lambda *p: river.travel.route(*p, at=at), ways))))
    rows.append(row(f"travel.way, one pair with its path, {geo.travel.name} model",
                    summary(timed(lambda *p: geo.travel.way(*p, at=at), ways)), target_ms=20))
    print_table("2. Recommendation for one incident (P1 cardiac, limit 5), and one route", rows, "the baseline")
    return rows, fleets, rank


# --- 4. travel time (and the rest of rank_units) ---------------------------------------------

def bench_travel(geo, fleets, at, rank):
    """to_point alone, and for 100,000 units the other big parts of rank_units.

    The parts are timed interleaved with rank_units itself (one call of each per
    incident, in turn), so that their shares of its time are not skewed by a change
    of load on the machine between two separate runs.
    """
    from dispatch.core.recommend import origins
    from dispatch.geo.distance import haversine_m

    rows = []
    for n, (c, points) in fleets.items():
        olat, olon, _ = origins(c, 600)
        secs = geo.travel.to_point(olat, olon, *points[0], at=at).seconds
        parts = {
            f"rank_units, {n:,} units [reference]": lambda lat, lon: rank(c, lat, lon),
            f"travel.to_point, {n:,} origins": lambda lat, lon: geo.travel.to_point(olat, olon, lat, lon, at=at),
        }
        if n >= 100_000:
            parts.update({
                f"  rivers.bank_of_many, {n:,} (in to_point)": lambda lat, lon: geo.rivers.bank_of_many(olat, olon),
                f"  np.argpartition, best 5 of {n:,} ETAs (in rank_units)":
                    lambda lat, lon: np.argpartition(secs, 4)[:5],
                f"  np.lexsort of all {n:,} ETAs (what a full sort would cost)":
                    lambda lat, lon: np.lexsort((c.ids, secs)),
                f"  haversine_m, {n:,} (in rank_units when a river reorders)":
                    lambda lat, lon: haversine_m(olat, olon, lat, lon),
            })
        samples = {label: [] for label in parts}
        for lat, lon in points[:3]:                          # warm-up
            for fn in parts.values():
                fn(lat, lon)
        for lat, lon in points:
            for label, fn in parts.items():
                t0 = time.perf_counter_ns()
                fn(lat, lon)
                samples[label].append(time.perf_counter_ns() - t0)
        reference = None
        for label, ns in samples.items():
            stats = summary(ns, items_per_call=n, unit="units/s")
            if reference is None:
                reference = stats
                rows.append(row(label, stats))
                continue
            share = stats["mean_ms"] / reference["mean_ms"]
            rows.append(row(label, stats, note=f"{share:.0%} of rank_units' mean time, {n:,} units")
                        | {"share_of_rank": share})
    print_table(f"4. Travel time alone ({type(geo.travel).__name__}), and the parts of rank_units", rows)
    return rows


# --- 3. zones --------------------------------------------------------------------------------

def contains_every_zone(zones, xs, ys):
    """Baseline: shapely.contains_xy of every zone over every point, no bounding-box prefilter."""
    found = np.full(xs.shape, -1, dtype=np.int32)
    for i, zone in enumerate(zones):
        inside = shapely.contains_xy(zone.geometry, xs, ys)
        found[(found < 0) & inside] = i
    return found


def point_loop(zones, xs, ys):
    """Baseline: one shapely Point per point, first (prepared) zone that contains it."""
    out = []
    for x, y in zip(xs.tolist(), ys.tolist()):
        p = Point(x, y)
        out.append(next((i for i, z in enumerate(zones) if z.geometry.contains(p)), -1))
    return np.array(out, dtype=np.int32)


def bench_zone_index(label, index, lats, lons, plan):
    n = len(lats)
    args = [(lats, lons)] * plan["zone_repeats"]
    fast = summary(timed(index.lookup_many, args, warmup=2), items_per_call=n, unit="points/s")
    kel, kec = index.lookup_many(lats, lons)

    def both_vectorised(la, lo):
        return contains_every_zone(index.kelurahan, lo, la), contains_every_zone(index.kecamatan, lo, la)

    vec = summary(timed(both_vectorised, [(lats, lons)] * plan["zone_baseline_repeats"], warmup=1),
                  items_per_call=n, unit="points/s")
    same_vec = all(np.array_equal(a, b) for a, b in zip(both_vectorised(lats, lons), (kel, kec)))

    k = plan["loop_sample"]
    sample_x, sample_y = lons[:k], lats[:k]
    start = time.perf_counter_ns()
    loop_kel, loop_kec = point_loop(index.kelurahan, sample_x, sample_y), point_loop(index.kecamatan, sample_x, sample_y)
    loop_ns = (time.perf_counter_ns() - start) * n / k
    same_loop = np.array_equal(loop_kel, kel[:k]) and np.array_equal(loop_kec, kec[:k])
    loop = summary([loop_ns], items_per_call=n, unit="points/s")

    rows = [
        row(f"{label}: Point+contains loop [baseline, EXTRAPOLATED]", loop,
            note=f"a Python loop over {k:,} points, timed once and scaled x{n // k} to {n:,} (an estimate, "
                 f"not a {n:,}-point run); same answers as lookup_many: {'yes' if same_loop else 'NO'}")
        | {"baseline": True, "estimate": True},
        row(f"{label}: contains_xy, every zone, no bbox prefilter", vec, baseline=loop,
            note=f"all {n:,} points, measured; same answers as lookup_many: {'yes' if same_vec else 'NO'}"),
        row(f"{label}: zones.lookup_many", fast, baseline=loop, target_ms=100,
            note=f"{vec['p50_ms'] / fast['p50_ms']:.1f}x faster than contains_xy without the prefilter (p50)"),
    ]
    return rows, (kel, kec)


def bench_zones(geo, rng, plan):
    from dispatch.geo.zones import ZoneIndex

    lats, lons = random_points(rng, plan["zone_points"])
    shipped = geo.zones
    rows, shipped_found = bench_zone_index("shipped", shipped, lats, lons, plan)
    extra = {}
    path = SHARED / "boundaries.geojson"
    notes = [f"{len(lats):,} random points over lat {LAT_RANGE}, lon {LON_RANGE}",
             f"shipped: dispatch/data/zones.geojson, {describe(shipped, shipped_found)}"]
    if path.exists():
        start = time.perf_counter_ns()
        official = ZoneIndex.from_geojson(json.loads(path.read_text(encoding="utf-8")), source=str(path))
        build_ms = (time.perf_counter_ns() - start) / 1e6
        more, official_found = bench_zone_index("official", official, lats, lons, plan)
        rows += more
        agree = agreement(shipped, official, shipped_found, official_found)
        notes.append(f"official: {path}, {describe(official, official_found)}; "
                     f"ZoneIndex.from_geojson {build_ms:.0f} ms (one-off)")
        notes.append(f"shipped vs official, same points inside both service areas: kecamatan agree "
                     f"{agree['kecamatan']:.1%}, kelurahan agree {agree['kelurahan']:.1%}; "
                     f"{agree['inside_only_one']:.1%} of all points are inside one service area only")
        extra = {"official_build_ms": build_ms, "agreement": agree}
    else:
        notes.append(f"official boundaries skipped: {SHARED} not found")
    print_table("3. Zone lookup: lookup_many of 100,000 points in one call", rows, "the baseline")
    for note in notes:
        print(f"  * {note}")
    return {"rows": rows, "notes": notes, **extra}


def describe(index, found):
    kel, kec = found
    vertices = sum(len(shapely.get_coordinates(z.geometry)) for z in index.kelurahan + index.kecamatan)
    return (f"{len(index.kelurahan)} kelurahan + {len(index.kecamatan)} kecamatan, {vertices:,} vertices; "
            f"{np.mean(kec >= 0):.1%} of the points in a kecamatan, {np.mean((kec >= 0) & (kel < 0)):.2%} "
            f"in a kecamatan but in no kelurahan")


def agreement(a, b, found_a, found_b):
    kel_a = np.array([a.kelurahan[i].name if i >= 0 else None for i in found_a[0]], dtype=object)
    kel_b = np.array([b.kelurahan[i].name if i >= 0 else None for i in found_b[0]], dtype=object)
    kec_a = np.array([a.kecamatan[i].name if i >= 0 else None for i in found_a[1]], dtype=object)
    kec_b = np.array([b.kecamatan[i].name if i >= 0 else None for i in found_b[1]], dtype=object)
    both = (found_a[1] >= 0) & (found_b[1] >= 0)
    return {"kecamatan": float(np.mean(kec_a[both] == kec_b[both])),
            "kelurahan": float(np.mean(kel_a[both] == kel_b[both])),
            "inside_only_one": float(np.mean((found_a[1] >= 0) != (found_b[1] >= 0)))}


# --- main ------------------------------------------------------------------------------------

# --- 5. through the API -------------------------------------------------------------------------

def bench_api(rng, requests_per_case, units=1_000):
    """The same work through the REST API: a migrated SQLite database in a temporary folder,
    ``units`` available units, the Flask test client in process (no HTTP socket). Baseline:
    ``GET /api/auth/me`` (token check, one query), so the rows show what the geography adds
    to a request, database reads included."""
    import tempfile

    from flask_migrate import upgrade

    from config import TestingConfig
    from dispatch import create_app
    from dispatch.core import auth, units as unit_service
    from dispatch.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        config = type("BenchConfig", (TestingConfig,), {"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"})
        app = create_app(config)
        with app.app_context():
            upgrade()
            session = db.session
            lats, lons = random_points(rng, units)
            for i, (lat, lon) in enumerate(zip(lats.tolist(), lons.tolist())):
                unit_service.create_unit(session, actor=None, call_sign=f"B-{i:04d}",
                                         capability="ALS" if i % 3 == 0 else "BLS",
                                         station_name="bench", lat=lat, lon=lon)
            auth.create_user(session, actor=None, username="bench", role="operator", password="bench-password-119")
        client = app.test_client()
        token = client.post("/api/auth/login", json={"username": "bench", "password": "bench-password-119"}).get_json()
        headers = {"Authorization": f"Bearer {token['token']}"}
        incident = client.post("/api/calls", headers=headers, json={
            "caller_phone": "0811-573-001", "location_text": "depan RS Antonius", "category": "cardiac", "priority": "P1",
        }).get_json()["incident"]["id"]

        def get(url):
            response = client.get(url, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.get_data(as_text=True)[:200]}")

        cases = [
            ("GET /api/auth/me [baseline]", "/api/auth/me", None),
            (f"GET /api/incidents/<id>/recommendations, {units:,} units", f"/api/incidents/{incident}/recommendations",
             None),
            ("GET /api/incidents/<id>/hospitals", f"/api/incidents/{incident}/hospitals", None),
            ("GET /api/geocode?q=depan+RS+Antonius", "/api/geocode?q=depan+RS+Antonius", None),
        ]
        a_lat, a_lon = random_points(rng, requests_per_case)
        b_lat, b_lon = random_points(rng, requests_per_case)
        routes = [(f"/api/route?from_lat={a:.6f}&from_lon={b:.6f}&to_lat={c:.6f}&to_lon={d:.6f}",)
                  for a, b, c, d in zip(a_lat, a_lon, b_lat, b_lon)]
        cases.append(("GET /api/route (random pairs)", routes, 20))
        rows, base = [], None
        for label, url, target in cases:
            urls = url if isinstance(url, list) else [(url,)] * requests_per_case
            stats = summary(timed(get, urls), unit="requests/s")
            r = row(label, stats, baseline=base, target_ms=target)
            if base is None:
                base, r["baseline"] = stats, True
            rows.append(r)
        db.engine.dispose()
    print_table(f"5. Through the API (Flask test client, SQLite, {units:,} available units)", rows, "/api/auth/me")
    print("  * no targets here: the issue's targets are for the geography above; these rows add what a real")
    print("    request costs around it (token check, zone-version query, reading every available unit, JSON)")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (fewer calls and incidents)")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers to this JSON file")
    parser.add_argument("--seed", type=int, default=119, help="seed of the random units and points (default 119)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL

    machine = header(args)
    start = time.perf_counter_ns()
    from dispatch.core.geo import Geo
    import_ms = (time.perf_counter_ns() - start) / 1e6
    start = time.perf_counter_ns()
    geo = Geo()
    build_ms = (time.perf_counter_ns() - start) / 1e6
    print(f"# import dispatch.core.geo {import_ms:.0f} ms, Geo() {build_ms:.0f} ms (one-off: gazetteer, rivers, zones, "
          f"road graph and its lookup grid)")
    river = Geo(road_graph_file="off")

    rng = np.random.default_rng(args.seed)
    at = datetime.now(timezone.utc)
    wall = time.perf_counter()
    geocoding = bench_geocoding(geo, plan["geocode_calls"])
    rank_rows, fleets, rank = bench_recommendation(geo, river, rng, plan, at)
    zones = bench_zones(geo, rng, plan)
    travel_rows = bench_travel(geo, fleets, at, rank)
    api_rows = bench_api(rng, plan["api_requests"])
    print(f"\n# travel model {geo.travel.name}, at {at:%H:%M} UTC (speed and bridge delay depend on the hour); "
          f"total {time.perf_counter() - wall:.0f} s")

    if args.json:
        result = {"benchmark": "geo_bench", "when": datetime.now(timezone.utc).isoformat(), "quick": args.quick,
                  "seed": args.seed, "machine": machine, "plan": {k: v for k, v in plan.items()},
                  "import_ms": import_ms, "geo_build_ms": build_ms, "geocoding": geocoding,
                  "recommendation": rank_rows, "zones": zones, "travel": travel_rows, "api": api_rows}
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        print(f"# numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
