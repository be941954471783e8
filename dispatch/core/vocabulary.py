"""Codes used across the system, with their Indonesian and English labels."""

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

DISPOSITIONS = ("emergency", "prank", "silent", "info", "duplicate")

CAPABILITIES = ("ALS", "BLS")

HOSPITAL_STATUSES = ("open", "diverting", "closed")
