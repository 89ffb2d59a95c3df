"""``manage.py route_point LON LAT [--crs gcj02] [--accuracy 15] [--within 150825]``: where a point goes.

For checking boundaries by hand after an import: prints the code it is routed to, how, and why.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from grassroots.areas.routing import Crs, RoutingError, route_point


class Command(BaseCommand):
    help = "Route a point (longitude first) to its grid or inbox and say how it was decided."

    def add_arguments(self, parser):
        parser.add_argument("lon", help="longitude, decimal degrees")
        parser.add_argument("lat", help="latitude, decimal degrees")
        parser.add_argument("--crs", default=Crs.WGS84.value, choices=Crs.values)
        parser.add_argument("--accuracy", default=None, help="metres")
        parser.add_argument("--within", default=None, help="only grids and inboxes under this area code")

    def handle(self, *args, lon, lat, crs, accuracy, within, **options):
        try:
            result = route_point(lon, lat, crs=crs, accuracy_m=accuracy, within=within)
        except RoutingError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(f"{result.area_code}\t{result.method.value}\t{result.explain()}")
        self.stdout.write(f"WGS-84: {result.lon:.7f}, {result.lat:.7f}")
