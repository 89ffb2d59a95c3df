"""The integrations' HTTP endpoints: Open311 GeoReport v2 (:mod:`.open311`)."""
