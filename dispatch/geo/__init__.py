"""Pure geography library: geocoder, coordinates, zones, travel time. No database, no Flask."""
