"""The system's vocabulary: every code used across it, with its Indonesian and English labels.

The bottom of the package: models, schemas and the core import it; it imports nothing of
the project. The state machines (which moves between these statuses are legal) are in
``core/statemachine.py``.
"""

ROLES = ("operator", "crew", "supervisor", "admin")

CATEGORIES = {
    "traffic_accident": {"id": "Kecelakaan lalu lintas", "en": "Traffic accident"},
    "trauma": {"id": "Trauma / cedera", "en": "Trauma / injury"},
    "cardiac": {"id": "Jantung", "en": "Cardiac"},
    "breathing": {"id": "Gangguan napas", "en": "Breathing problem"},
    "stroke": {"id": "Stroke", "en": "Stroke"},
    "unconscious": {"id": "Tidak sadar", "en": "Unconscious"},
    "maternity": {"id": "Persalinan / kebidanan", "en": "Maternity"},
    "burn": {"id": "Luka bakar", "en": "Burn"},
    "poisoning": {"id": "Keracunan", "en": "Poisoning"},
    "other": {"id": "Lainnya", "en": "Other"},
}

PRIORITIES = {
    "P1": {"id": "Merah", "en": "Red", "colour": "red"},
    "P2": {"id": "Kuning", "en": "Yellow", "colour": "yellow"},
    "P3": {"id": "Hijau", "en": "Green", "colour": "green"},
}
# The most urgent first: P1 0, P2 1, P3 2.
PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}

# What a call turned out to be: an emergency (it opens an incident), a prank, a silent line, a
# request for information, a repeat of an open incident, or dropped (the line went dead before
# the caller could say anything useful). Silent and dropped calls are called back (core.callers).
DISPOSITIONS = ("emergency", "prank", "silent", "info", "duplicate", "dropped")
# Flags a caller's history (and every new call of that number) can carry: repeated prank or silent
# calls, a soft block, a dropped or silent call of the number still waiting to be called back.
CALLER_FLAGS = ("repeat_prank", "blocked", "awaiting_callback")

# Dropped and silent calls are called back (core/callbacks.py); each attempt has an outcome, and the
# call leaves the queue once someone was reached or the number was wrong.
CALLBACK_DISPOSITIONS = ("dropped", "silent")
CALLBACK_OUTCOMES = ("no_answer", "reached_no_emergency", "reached_emergency", "wrong_number")
CALLBACK_DONE = ("reached_no_emergency", "reached_emergency", "wrong_number")
CALLBACK_OUTCOME_LABELS = {
    "no_answer": {"id": "Tidak diangkat", "en": "No answer"},
    "reached_no_emergency": {"id": "Tersambung, bukan darurat", "en": "Reached, no emergency"},
    "reached_emergency": {"id": "Tersambung, darurat", "en": "Reached, an emergency"},
    "wrong_number": {"id": "Salah nomor", "en": "Wrong number"},
}

CAPABILITIES = ("ALS", "BLS")

HOSPITAL_STATUSES = ("open", "diverting", "closed")

# Where a patient can be taken (and a unit stationed): a hospital, or a puskesmas (community health
# centre), which core.destinations suggests only for minor (P3) cases with no special need.
FACILITY_KINDS = ("hospital", "puskesmas")
FACILITY_KIND_LABELS = {
    "hospital": {"id": "Rumah sakit", "en": "Hospital"},
    "puskesmas": {"id": "Puskesmas", "en": "Community health centre (puskesmas)"},
}

# Categories that can be one event told differently by two callers ("ditabrak motor" and "luka
# parah"): a possible duplicate of another category of its group scores a little less than one of
# the same category, one of another group less again; "other" goes with anything (core/duplicates.py).
CATEGORY_GROUPS = {
    "injury": ("traffic_accident", "trauma", "burn"),
    "illness": ("cardiac", "breathing", "stroke", "unconscious", "poisoning"),
    "maternity": ("maternity",),
}

# Why an open incident is suggested as the one a call is about (core/duplicates.py), with the
# words the console shows.
DUPLICATE_REASONS = {
    "near": {"id": "dekat", "en": "close by"},
    "recent": {"id": "baru saja", "en": "recent"},
    "same_caller": {"id": "nomor yang sama", "en": "same number"},
    "same_place": {"id": "tempat yang sama disebut", "en": "same place named"},
    "same_category": {"id": "jenis sama", "en": "same kind"},
    "related_category": {"id": "jenis serupa", "en": "similar kind"},
}

# P1 calls of these categories want an ALS unit when one is not much slower (core.recommend).
ALS_CATEGORIES = ("cardiac", "breathing", "stroke", "unconscious")

# What a destination hospital must offer for each category, besides an emergency room (core.destinations).
CATEGORY_NEEDS = {
    "maternity": "maternity",
    "traffic_accident": "trauma",
    "trauma": "trauma",
    "burn": "trauma",
    "cardiac": "icu",
    "stroke": "icu",
}
CAPABILITY_LABELS = {
    "emergency": {"id": "IGD", "en": "emergency room"},
    "icu": {"id": "ICU", "en": "ICU"},
    "maternity": {"id": "kebidanan", "en": "maternity"},
    "trauma": {"id": "trauma", "en": "trauma"},
}

# Where an incident's location came from (core.locate): given with the call, coordinates or a
# map link in the text, the offline gazetteer, a configured geocoding server, a suggestion the
# operator chose (its name, kind and point sent with the call or correction), set by an
# operator on the map, or not known yet.
LOCATION_SOURCES = ("given", "text_coordinates", "gazetteer", "server", "chosen", "operator", "unknown")

# The kinds of place a geocoding candidate has (dispatch.geo): what an operator's chosen
# suggestion may say it is. "reverse" names a point picked on the map; "server" an answer of
# a configured geocoding server.
LOCATION_KINDS = ("hospital", "puskesmas", "landmark", "school", "bridge", "road", "gang", "kelurahan", "kecamatan",
                  "coordinates", "reverse", "server")

# How precise an incident's point is: a point (coordinates, a map link, an operator's pin), a
# named place, somewhere along a road, the centre of a kelurahan or kecamatan, or not known
# (their labels: LOCATION_PRECISION_LABELS below).
LOCATION_PRECISIONS = ("exact", "place", "road", "kelurahan", "kecamatan", "unknown")
# The precisions whose point only approximates the place: an incident says so beside it
# (location_precision_label), so nobody mistakes a kelurahan's centre for a house.
APPROXIMATE_PRECISIONS = ("road", "kelurahan", "kecamatan")
# The precision of a point found as a place of each kind (a source of coordinates is exact).
PRECISION_OF_KIND = {
    "hospital": "place", "puskesmas": "place", "landmark": "place", "school": "place", "bridge": "place",
    "server": "place",
    "road": "road", "gang": "road", "kelurahan": "kelurahan", "kecamatan": "kecamatan",
    "coordinates": "exact", "reverse": "exact",
}
EXACT_SOURCES = ("given", "text_coordinates", "operator")


def location_precision(source, kind, known):
    """The precision of a location from where it came from and what kind of place it is."""
    if not known:
        return "unknown"
    if source in EXACT_SOURCES:
        return "exact"
    return PRECISION_OF_KIND.get(kind, "place")


# --- Statuses -------------------------------------------------------------------------
UNIT_STATUSES = (
    "available", "dispatched", "en_route", "on_scene",
    "transporting", "at_hospital", "out_of_service",
)
# Statuses in which a unit is working an assignment.
UNIT_BUSY = ("dispatched", "en_route", "on_scene", "transporting", "at_hospital")

# An assignment follows its unit's status while active, then ends cleared or cancelled.
ASSIGNMENT_STATUSES = UNIT_BUSY + ("cleared", "cancelled")

INCIDENT_STATUSES = ("pending", "dispatched", "on_scene", "transporting", "closed", "cancelled", "merged")
INCIDENT_OPEN = ("pending", "dispatched", "on_scene", "transporting")
# Merged: found to be the same event as another incident, which carries on with its calls
# (core/duplicates.py); it can come back only by unlinking its call.
INCIDENT_FINISHED = ("closed", "cancelled", "merged")

# How two incidents are related, in the words of NENA EIDO (MergeInformationType): the incident
# merged into another is "replaced" by it, the survivor is "replacing" it; one taken back out
# of a merge was "split" from it.
INCIDENT_RELATIONS = ("replacing", "replaced", "split")


def reason(code, id_text, en_text):
    """One reason for a recommendation or a suggestion, in both languages."""
    return {"code": code, "id": id_text, "en": en_text}


# --- Labels the pages show (GET /api/vocabulary): served once, never copied into JavaScript ---
UNIT_STATUS_LABELS = {
    "available": {"id": "Siaga", "en": "Available"},
    "dispatched": {"id": "Ditugaskan", "en": "Dispatched"},
    "en_route": {"id": "Menuju lokasi", "en": "En route"},
    "on_scene": {"id": "Di lokasi", "en": "On scene"},
    "transporting": {"id": "Membawa pasien", "en": "Transporting"},
    "at_hospital": {"id": "Di rumah sakit", "en": "At hospital"},
    # "Tidak bertugas" would say off duty; a unit out of service is not operating (repairs, restock).
    "out_of_service": {"id": "Tidak beroperasi", "en": "Out of service"},
}

INCIDENT_STATUS_LABELS = {
    "pending": {"id": "Menunggu unit", "en": "Waiting for a unit"},
    "dispatched": {"id": "Unit ditugaskan", "en": "Unit dispatched"},
    "on_scene": {"id": "Unit di lokasi", "en": "Unit on scene"},
    "transporting": {"id": "Membawa pasien", "en": "Transporting"},
    "closed": {"id": "Ditutup", "en": "Closed"},
    "cancelled": {"id": "Dibatalkan", "en": "Cancelled"},
    "merged": {"id": "Digabung", "en": "Merged"},
}

DISPOSITION_LABELS = {
    "emergency": {"id": "Gawat darurat", "en": "Emergency"},
    "prank": {"id": "Iseng", "en": "Prank"},
    # A line open but nobody speaking: "Diam" alone read as an order to be quiet.
    "silent": {"id": "Tanpa suara", "en": "Silent (no voice)"},
    "info": {"id": "Minta info", "en": "Information only"},
    "duplicate": {"id": "Panggilan ulang", "en": "Repeat call"},
    # The line went dead before the caller could say what happened: to be called back.
    "dropped": {"id": "Terputus", "en": "Dropped (line cut)"},
}

# The target from a call to a unit sent, by priority, in seconds: the console colours a waiting
# call's age past it (and past twice it).
DISPATCH_TARGETS_S = {"P1": 60, "P2": 180, "P3": 600}

# How precisely an incident's place is known (the contract of issue 11): the pages say when a
# point is only approximate, so nobody mistakes a kelurahan's centre for a house.
LOCATION_PRECISION_LABELS = {
    "exact": {"id": "titik tepat", "en": "exact point"},
    "place": {"id": "tempat bernama", "en": "named place"},
    "road": {"id": "perkiraan: di sepanjang jalan", "en": "approximate: along the road"},
    "kelurahan": {"id": "perkiraan: tengah kelurahan", "en": "approximate: centre of the kelurahan"},
    "kecamatan": {"id": "perkiraan: tengah kecamatan", "en": "approximate: centre of the kecamatan"},
    "unknown": {"id": "lokasi belum diketahui", "en": "location not known"},
}

# --- Timers and alerts (core/alerts.py, core/settings.py) -----------------------------------------
# The limits past which an alert is raised, in seconds, as a centre starts (a supervisor changes
# them: PUT /api/settings/timers): a call waiting for a unit (per priority: the dispatch targets
# above), an assignment not accepted, a unit sent that has not left, on scene, at the hospital
# door (the hand-over delay), a unit on a job with no position fix, a dropped or silent call not
# yet called back, hospital beds not updated.
TIMER_DEFAULTS = {
    "waiting_s": dict(DISPATCH_TARGETS_S),
    "acceptance_s": 60,
    "turnout_s": 120,
    "on_scene_s": 1800,
    "at_hospital_s": 1200,
    "position_fix_s": 300,
    "callback_s": 120,
    "hospital_beds_s": 12 * 3600,
}
# Any timer: at least 10 seconds, at most a day.
TIMER_RANGE_S = (10, 86400)

# What an alert is about, the timer that raises it, and its words.
ALERT_KINDS = {
    "incident_waiting": {"timer": "waiting_s", "id": "Menunggu ambulans", "en": "Waiting for a unit"},
    "assignment_unaccepted": {"timer": "acceptance_s", "id": "Tugas belum diterima kru",
                              "en": "Assignment not accepted"},
    "unit_not_moving": {"timer": "turnout_s", "id": "Unit belum berangkat", "en": "Unit has not left"},
    "on_scene_long": {"timer": "on_scene_s", "id": "Terlalu lama di lokasi", "en": "Long on scene"},
    "at_hospital_long": {"timer": "at_hospital_s", "id": "Tertahan di rumah sakit (serah terima)",
                         "en": "Held at the hospital (hand-over)"},
    "position_missing": {"timer": "position_fix_s", "id": "Posisi unit tidak diperbarui",
                         "en": "No position fix from the unit"},
    "callback_overdue": {"timer": "callback_s", "id": "Belum ditelepon balik", "en": "Not called back"},
    "hospital_beds_stale": {"timer": "hospital_beds_s", "id": "Data tempat tidur belum diperbarui",
                            "en": "Bed count not updated"},
}
# open: raised, nobody has acknowledged it; acknowledged: someone has (it stays until its cause
# ends); resolved: its cause ended (the unit left, the call was called back, ...).
ALERT_STATES = ("open", "acknowledged", "resolved")
ALERT_STATE_LABELS = {
    "open": {"id": "Terbuka", "en": "Open"},
    "acknowledged": {"id": "Sudah ditanggapi", "en": "Acknowledged"},
    "resolved": {"id": "Selesai", "en": "Resolved"},
}
# Alerts that sound on the consoles: about a P1 incident waiting, not accepted or not moving.
URGENT_ALERT_KINDS = ("incident_waiting", "assignment_unaccepted", "unit_not_moving")

# Auto-dispatch (core/offers.py): per priority, whether a unit that becomes available is sent to the
# incident it is offered without a dispatcher (a supervisor switches it on; off as a centre starts).
AUTO_DISPATCH_DEFAULTS = {p: False for p in PRIORITIES}
