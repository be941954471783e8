"""Distances on the Earth's surface, vectorised with numpy."""
import numpy as np

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = 111_320.0  # one degree of latitude, or of longitude at the equator (Pontianak)


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres; scalars or numpy arrays (broadcast)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
