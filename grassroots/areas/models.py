"""The administrative tree down to the grid.

Every area is one row of :class:`Area`, identified by its code (see ``codes.py``); a grid is an area of
level GRID with one :class:`Grid` row beside it for what only grids have. Rows are never deleted when a
village is merged or renamed: ``valid_until`` closes an area (``successor`` says where it went) and
:class:`AreaName` keeps every name an area has had with its dates, so history still reads correctly.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .codes import Level


class AreaKind(models.TextChoices):
    """What an area is within its level; the code ranges of DESIGN.md section 4 suggest it."""

    PROVINCE = "province", _("province / autonomous region")
    CITY = "city", _("city")
    LEAGUE = "league", _("league")  # 盟
    DISTRICT = "district", _("district")  # 区
    COUNTY = "county", _("county")  # 县
    BANNER = "banner", _("banner")  # 旗
    STREET = "street", _("street")  # 街道 (001–099)
    TOWN = "town", _("town")  # 镇 (100–199)
    TOWNSHIP = "township", _("township")  # 乡 (200–399)
    SUMU = "sumu", _("sumu")  # 苏木
    COMMUNITY = "community", _("community")  # 社区 / 居委会 (001–199)
    VILLAGE = "village", _("village")  # 村 (200–399)
    GACHA = "gacha", _("gacha")  # 嘎查
    GRID = "grid", _("grid")


class AreaQuerySet(models.QuerySet):
    def current(self, on=None):
        """Areas in force on a date (today when omitted)."""
        from grassroots.clock import today

        day = on or today()
        return self.filter(Q(valid_from__lte=day) | Q(valid_from__isnull=True)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=day)
        )

    def under(self, code: str):
        """The area ``code`` and everything below it: one indexed prefix query."""
        return self.filter(code__startswith=code)


class Area(models.Model):
    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Optional boundary of a non-grid area (a village's or township's outline), GeoJSON geometry in WGS-84.
    # Routing falls back to it when a point lies outside every grid.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_until = models.DateField(_("in force until"), null=True, blank=True, help_text=_("exclusive"))
    successor = models.ForeignKey(
        "self",
        verbose_name=pgettext_lazy("area", "merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    is_synthetic = models.BooleanField(
        _("synthetic demo data"), default=False, help_text=_("generated for the demo city; not a real area")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["parent", "code"]),
            models.Index(fields=["level", "code"]),
            # Prefix (LIKE 'x%') scans on PostgreSQL in any collation.
            models.Index(fields=["code"], name="area_code_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gt=models.F("valid_from")),
                name="area_valid_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_grid(self) -> bool:
        return self.level == Level.GRID


class AreaName(models.Model):
    """Every name an area has had, with the dates it was in use (a renamed village keeps its history)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="names", verbose_name=_("area"))
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("in use from"), null=True, blank=True)
    valid_until = models.DateField(_("in use until"), null=True, blank=True)

    class Meta:
        verbose_name = _("area name")
        verbose_name_plural = _("area names")
        ordering = ["area", "valid_from"]


class GridKind(models.TextChoices):
    COMMUNITY = "community", _("community grid")  # 社区网格
    DEDICATED = "dedicated", _("dedicated grid")  # 专属网格: school, hospital, market, park, enterprise
    RURAL = "rural", _("rural / pastoral grid")  # 农牧区网格


class Grid(models.Model):
    """What only a grid has. The grid's code, name and parent (its village or community) are on its Area."""

    # Not stored: overlaps of a new boundary with grids of the same village, set by the services that
    # create or change a grid on the grid they return.
    boundary_warnings: list[str]

    area = models.OneToOneField(
        Area, primary_key=True, on_delete=models.CASCADE, related_name="grid", verbose_name=_("area")
    )
    kind = models.CharField(_("grid kind"), max_length=16, choices=GridKind.choices)
    sequence = models.PositiveSmallIntegerField(_("sequence"), help_text=_("numbered west→east, north→south"))
    # GeoJSON Polygon or MultiPolygon in WGS-84 / CGCS2000 (lon, lat).
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    # Bounding box of the boundary, kept by the service that writes the boundary; used by the map.
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    target_households = models.PositiveIntegerField(_("target household count"), null=True, blank=True)
    village_groups = models.ManyToManyField(
        "VillageGroup", blank=True, related_name="grids", verbose_name=_("village groups covered")
    )
    boundary_updated_at = models.DateTimeField(_("boundary updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["area__code"]

    def __str__(self):
        return str(self.area)


class VillageGroup(models.Model):
    """A village group (村民小组): part of a village, not a level of the code path."""

    village = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="village_groups", verbose_name=_("village")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)

    class Meta:
        verbose_name = _("village group")
        verbose_name_plural = _("village groups")
        ordering = ["village__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="village_group_number_unique")
        ]

    def __str__(self):
        return f"{self.village.name} {self.name}"


class BoundaryVersion(models.Model):
    """A single counter row bumped whenever any boundary changes.

    Each process keeps the version its in-memory spatial index was built from and rebuilds the index when
    the stored version differs, so several worker processes stay correct without a shared cache.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("boundary version")


class AreaImport(models.TextChoices):
    """The areas app's kinds of page import (``imports.ImportRun.kind``; registered from
    ``AreasConfig.ready()``)."""

    TREE = "tree", _("areas and grids (Excel)")
    BOUNDARIES = "boundaries", _("grid boundaries (GeoJSON)")
