"""Grid boundaries as a GeoJSON FeatureCollection: import (all or nothing, idempotent) and export.

Each feature's ``properties.code`` names a grid (15 digits) or, for a village's or township's own outline,
an area. A feature for a grid that does not exist yet creates it when its village exists (``kind`` is then
required). Optional properties of a grid: ``name``, ``kind`` (community / dedicated / rural, or the Chinese
words), ``sequence``, ``target_households``; absent means "as stored". ``geometry: null`` leaves the stored
boundary as it is.

Every boundary is checked (``geometry.clean``), then the file as a whole against the grids around it:
a grid may not overlap grids of another village and must stay inside its village's outline (the one in
this file, else the stored one); overlaps between grids of one village are warnings. Unchanged boundaries
are not rewritten, and the routing index is rebuilt (``boundaries_changed``) only when one changed.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict

from django.conf import settings
from django.db import connection
from django.db.models import Field
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts import rules
from grassroots.accounts.models import User
from grassroots.accounts.scoping import OutOfScope
from grassroots.accounts.services import audit_record
from grassroots.sheets import ImportFileError, read_upload

from .. import geometry
from ..codes import Level, parent_of
from ..models import Area, AreaKind, AreaName, Grid
from ..validation import ImportReport, grid_kind_from_word
from .area_import import authorise_import, check_then_write, in_reach, out_of_reach_message
from .tree import (
    AreaError,
    boundaries_changed,
    check_code,
    check_name,
    check_rename_date,
    check_sequence,
    check_target_households,
    current_q,
    grid_neighbours,
    is_current,
    record_rename,
)

MAX_BYTES = 50 * 1024 * 1024
MAX_FEATURES = 50_000
GEOJSON_CONTENT_TYPE = "application/geo+json"
# Declared coordinate systems that mean longitude/latitude on WGS-84 or CGCS2000 (metre-level equal).
ACCEPTED_CRS = {
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:ogc::crs84",
    "epsg:4326",
    "urn:ogc:def:crs:epsg::4326",
    "epsg:4490",
    "urn:ogc:def:crs:epsg::4490",
}


def boundaries_max_bytes() -> int:
    """The size limit of a boundaries file (``settings.AREAS_BOUNDARY_IMPORT_MAX_BYTES``, default 50 MB)."""
    return getattr(settings, "AREAS_BOUNDARY_IMPORT_MAX_BYTES", MAX_BYTES)


def parse_collection(data: bytes) -> list:
    """The features of a GeoJSON FeatureCollection, or :class:`ImportFileError` saying what the file is."""
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _(
                "This is a zip file (a zipped shapefile or an Excel workbook?), not GeoJSON. Export the grids "
                "from your GIS as GeoJSON in WGS-84 (EPSG:4326)."
            ),
            code="not_geojson",
        )
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text, so it is no GeoJSON file. Save it as GeoJSON (UTF-8)."),
            code="not_geojson",
        ) from None
    try:
        document = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("The file is not valid JSON: %(problem)s at line %(line)d, column %(column)d.")
            % {"problem": exc.msg, "line": exc.lineno, "column": exc.colno},
            code="not_geojson",
        ) from None
    kind = document.get("type") if isinstance(document, dict) else None
    if kind != "FeatureCollection":
        if kind == "Feature":
            message = _("The file holds a single Feature; wrap it in a FeatureCollection.")
        elif kind in ("Polygon", "MultiPolygon"):
            message = _(
                "The file holds a bare geometry; a FeatureCollection is needed, with the grid code in each "
                "feature's properties.code."
            )
        else:
            message = _('The file is JSON but no GeoJSON FeatureCollection ("type": "FeatureCollection").')
        raise ImportFileError(message, code="not_feature_collection")
    crs = document.get("crs")
    if crs is not None:
        properties = crs.get("properties") if isinstance(crs, dict) else None
        name = str((properties or {}).get("name", "") if isinstance(properties, dict) else "").strip()
        if name.lower() not in ACCEPTED_CRS:
            raise ImportFileError(
                _(
                    "The file declares the coordinate system %(crs)s. Export it again in WGS-84 longitude and "
                    "latitude (EPSG:4326)."
                )
                % {"crs": name or "?"},
                code="wrong_crs",
            )
    features = document.get("features")
    if not isinstance(features, list):
        raise ImportFileError(_("The FeatureCollection has no features list."), code="not_feature_collection")
    if not features:
        raise ImportFileError(_("The FeatureCollection has no features."), code="empty_file")
    if len(features) > MAX_FEATURES:
        raise ImportFileError(
            _("The file has %(n)d features; at most %(max)d are accepted. Split it by township.")
            % {"n": len(features), "max": MAX_FEATURES},
            code="too_many_rows",
        )
    return features


@dataclasses.dataclass
class _Feature:
    index: int
    code: str = ""
    level: int | None = None
    boundary: geometry.Boundary | None = None
    properties: dict = dataclasses.field(default_factory=dict)
    bad: bool = False
    area: Area | None = None
    grid: Grid | None = None
    new_grid: dict | None = None  # kind, name, sequence, target_households of a grid to create
    changes: dict = dataclasses.field(default_factory=dict)

    @property
    def is_grid(self) -> bool:
        return self.level == Level.GRID

    @property
    def boundary_changed(self) -> bool:
        return "boundary" in self.changes


class _BoundaryPlan:
    def __init__(self, *, actor: User, root_code: str | None, report: ImportReport):
        self.actor = actor
        self.root_code = root_code
        self.report = report
        self.today = clock.today()
        self.features: list[_Feature] = []

    def error(self, feature: _Feature, column: str, message) -> None:
        feature.bad = True
        self.report.error(message, row=feature.index, column=column, code=feature.code)

    def warn(self, feature: _Feature, column: str, message) -> None:
        self.report.warn(message, row=feature.index, column=column, code=feature.code)

    # --- each feature on its own ---------------------------------------------------------------------

    def read(self, raw_features: list) -> None:
        seen: dict[str, int] = {}
        for index, raw in enumerate(raw_features):
            feature = _Feature(index=index)
            self.features.append(feature)
            if not isinstance(raw, dict) or raw.get("type") != "Feature":
                self.error(feature, "type", _('Each member of "features" is a Feature object.'))
                continue
            properties = raw.get("properties")
            feature.properties = properties if isinstance(properties, dict) else {}
            code = feature.properties.get("code", feature.properties.get("代码"))
            if isinstance(code, int) and not isinstance(code, bool):
                code = str(code)
            if not isinstance(code, str) or not code.strip():
                self.error(
                    feature,
                    "properties.code",
                    _("The feature has no properties.code naming its grid or area."),
                )
                continue
            feature.code = code.strip()
            try:
                feature.level = check_code(feature.code)
            except AreaError as exc:
                self.error(feature, "properties.code", exc.message)
                continue
            if feature.code in seen:
                self.error(
                    feature,
                    "properties.code",
                    _("Code %(code)s appears in two features (also feature %(other)d); keep one.")
                    % {"code": feature.code, "other": seen[feature.code]},
                )
                feature.level = None  # checked once, at its first feature
                continue
            seen[feature.code] = index
            if not in_reach(self.actor, self.root_code, feature.code):
                self.error(feature, "properties.code", out_of_reach_message(feature.code, self.root_code))
                feature.level = None  # nothing more is said about areas outside the caller's reach
                continue
            if raw.get("geometry") is not None:
                try:
                    feature.boundary = geometry.clean(raw["geometry"])
                except geometry.GeometryError as exc:
                    self.error(feature, "geometry", exc.message)

    def load(self) -> None:
        codes = {f.code for f in self.features if f.level is not None}
        codes |= {parent_of(f.code) for f in self.features if f.is_grid}
        self.areas = {a.code: a for a in Area.objects.filter(code__in=codes).select_related("parent")}
        self.grids = {
            g.area.code: g
            for g in Grid.objects.filter(area__code__in=[c for c in codes if len(c) == 15]).select_related(
                "area"
            )
        }
        ids = [a.pk for a in self.areas.values()]
        self.name_since = dict(
            AreaName.objects.filter(area_id__in=ids, valid_until__isnull=True).values_list(
                "area_id", "valid_from"
            )
        )

    def check_features(self) -> None:
        for feature in self.features:
            if feature.level is None:
                continue
            if feature.is_grid:
                self._check_grid(feature)
            else:
                self._check_outline(feature)

    def _check_outline(self, feature: _Feature) -> None:
        area = self.areas.get(feature.code)
        if area is None:
            self.error(
                feature,
                "properties.code",
                _("Area %(code)s does not exist; import the tree first.") % {"code": feature.code},
            )
            return
        feature.area = area
        if not is_current(area, self.today):
            self.error(feature, "properties.code", _("Area %(code)s is closed.") % {"code": feature.code})
            return
        if feature.boundary is not None and not geometry.same(feature.boundary.geojson, area.boundary):
            feature.changes["boundary"] = True

    def _check_grid(self, feature: _Feature) -> None:
        props = feature.properties
        grid = self.grids.get(feature.code)
        feature.grid = grid
        kind = None
        if "kind" in props and props["kind"] is not None:
            kind = grid_kind_from_word(str(props["kind"]))
            if kind is None:
                self.error(
                    feature,
                    "properties.kind",
                    _("Unknown grid kind %(kind)s; use community, dedicated or rural.")
                    % {"kind": props["kind"]},
                )
        values = {}
        for key, check in (("sequence", check_sequence), ("target_households", check_target_households)):
            if key in props and (props[key] is not None or key == "target_households"):
                try:
                    values[key] = check(props[key])
                except AreaError as exc:
                    self.error(feature, f"properties.{key}", exc.message)
        name = None
        if props.get("name") not in (None, ""):
            try:
                name = check_name(props["name"])
            except AreaError as exc:
                self.error(feature, "properties.name", exc.message)
        if grid is None:
            self._check_new_grid(feature, kind, name, values)
            return
        feature.area = grid.area
        if not is_current(grid.area, self.today):
            self.error(feature, "properties.code", _("Grid %(code)s is closed.") % {"code": feature.code})
            return
        if feature.boundary is not None and not geometry.same(feature.boundary.geojson, grid.boundary):
            feature.changes["boundary"] = True
        if kind is not None and kind != grid.kind:
            feature.changes["kind"] = kind
        for key, value in values.items():
            if getattr(grid, key) != value:
                feature.changes[key] = value
        if name is not None and name != grid.area.name:
            try:
                check_rename_date(
                    name=grid.area.name,
                    since=self.name_since.get(grid.area.pk, grid.area.valid_from),
                    on=self.today,
                )
            except AreaError as exc:
                self.error(feature, "properties.name", exc.message)
            else:
                feature.changes["name"] = name

    def _check_new_grid(self, feature: _Feature, kind, name, values) -> None:
        if feature.code in self.areas:
            self.error(
                feature,
                "properties.code",
                _("Area %(code)s exists but is not set up as a grid.") % {"code": feature.code},
            )
            return
        village = self.areas.get(parent_of(feature.code))
        if village is None or not is_current(village, self.today):
            self.error(
                feature,
                "properties.code",
                _(
                    "Grid %(code)s does not exist, and neither does its village %(village)s; import the tree first."
                )
                % {"code": feature.code, "village": parent_of(feature.code)},
            )
            return
        if kind is None:
            self.error(
                feature,
                "properties.kind",
                _("Grid %(code)s is new: give its kind (community, dedicated or rural).")
                % {"code": feature.code},
            )
            return
        number = int(feature.code[-3:])
        feature.new_grid = {
            "village": village,
            "kind": kind,
            "name": name or str(_("Grid %(n)d") % {"n": number}),
            "sequence": values.get("sequence", number),
            "target_households": values.get("target_households"),
        }
        if feature.boundary is not None:
            feature.changes["boundary"] = True

    # --- the file as a whole ---------------------------------------------------------------------------

    def check_sequences(self) -> None:
        touched = [
            f for f in self.features if f.is_grid and not f.bad and ("sequence" in f.changes or f.new_grid)
        ]
        villages = {parent_of(f.code) for f in touched}
        if not villages:
            return
        final: dict[str, dict[str, int]] = defaultdict(dict)
        for village, code, sequence in (
            Grid.objects.filter(area__parent__code__in=villages)
            .filter(current_q("area__", self.today))
            .values_list("area__parent__code", "area__code", "sequence")
        ):
            final[village][code] = sequence
        for f in touched:
            final[parent_of(f.code)][f.code] = f.changes.get("sequence") or (f.new_grid or {})["sequence"]
        for f in touched:
            village = parent_of(f.code)
            mine = final[village][f.code]
            others = sorted(c for c, s in final[village].items() if s == mine and c != f.code)
            if others:
                self.error(
                    f,
                    "properties.sequence",
                    _("Grid %(other)s of the same village also has number %(n)d; each grid needs its own.")
                    % {"other": others[0], "n": mine},
                )

    def check_placement(self) -> None:
        """Grids against each other and against village outlines, as they will be after the import."""
        usable = [f for f in self.features if f.level is not None and not f.bad and f.boundary is not None]
        in_file = {f.code: f.boundary for f in usable if f.boundary is not None}  # (codes are unique here)
        outlines = {f.code: in_file[f.code].shape for f in usable if not f.is_grid}
        changed_grids = [f for f in usable if f.is_grid and f.boundary_changed]
        changed_villages = {
            f.code for f in usable if f.level == Level.VILLAGE and f.boundary_changed and f.area is not None
        }
        if not changed_grids and not changed_villages:
            return
        file_shapes = {f.code: in_file[f.code].shape for f in usable if f.is_grid}
        region = [in_file[f.code].bounds for f in changed_grids] + [
            outlines[c].bounds for c in changed_villages
        ]
        bounds = (
            min(b[0] for b in region),
            min(b[1] for b in region),
            max(b[2] for b in region),
            max(b[3] for b in region),
        )
        # Grids of this file replace their stored boundaries; a grid whose feature has an error keeps its
        # stored boundary for these checks.
        bad = {f.code for f in self.features if f.bad and f.is_grid}
        neighbours = [n for n in grid_neighbours(bounds, on=self.today) if n.code not in file_shapes]
        stored_village_codes = {n.village_code for n in neighbours}
        neighbours += [
            geometry.Neighbour(code=code, village_code=parent_of(code), shape=shape)
            for code, shape in file_shapes.items()
            if code not in bad
        ]
        placement = geometry.Placement(neighbours)
        villages = {parent_of(f.code) for f in changed_grids} | stored_village_codes
        stored_outlines = dict(
            Area.objects.filter(code__in=villages - set(outlines))
            .exclude(boundary=None)
            .values_list("code", "boundary")
        )
        reported: set[frozenset] = set()
        for f in changed_grids:
            village = parent_of(f.code)
            outline = outlines.get(village) or geometry.to_shape(stored_outlines.get(village))
            errors, warnings = placement.check(
                code=f.code, shape=in_file[f.code].shape, village_code=village, village_boundary=outline
            )
            for finding in errors:
                self.error(f, "geometry", finding.message)
            for finding in warnings:
                pair = frozenset((f.code, finding.other))
                if pair in reported:
                    continue
                reported.add(pair)
                self.warn(f, "geometry", finding.message)
        self._check_outlines_hold(changed_grids, changed_villages, neighbours, file_shapes, outlines)

    def _check_outlines_hold(
        self, changed_grids, changed_villages, neighbours, file_shapes, outlines
    ) -> None:
        """A village outline that changes must still hold the grids of the village that this file leaves
        alone."""
        by_code = {f.code: f for f in self.features if f.code}
        changed_codes = {f.code for f in changed_grids}
        held = [n for n in neighbours if n.village_code in changed_villages]
        seen = {n.code for n in held} | set(file_shapes)
        for code, boundary in (
            Grid.objects.filter(area__parent__code__in=changed_villages)
            .filter(current_q("area__", self.today))
            .exclude(boundary=None)
            .values_list("area__code", "boundary")
        ):
            if code not in seen:
                shape = geometry.to_shape(boundary)
                if shape is not None:
                    held.append(geometry.Neighbour(code=code, village_code=parent_of(code), shape=shape))
        for n in held:
            if n.code not in changed_codes:
                outside = geometry.to_metres(n.shape).difference(
                    geometry.to_metres(outlines[n.village_code], origin_lat=n.shape.centroid.y)
                )
                if geometry.significant(outside):
                    village_feature = by_code[n.village_code]
                    self.error(
                        village_feature,
                        "geometry",
                        _(
                            "Grid %(grid)s would reach %(area).0f m² beyond this new boundary of its village. "
                            "Put the grid's corrected boundary in the same file, or draw the village larger."
                        )
                        % {"grid": n.code, "area": outside.area},
                    )

    def count(self) -> None:
        for f in self.features:
            if f.new_grid is not None:
                self.report.created += 1
            elif f.changes:
                self.report.updated += 1
            else:
                self.report.unchanged += 1

    # --- writing ------------------------------------------------------------------------------------

    def apply(self) -> bool:
        """Write the changes; True when any boundary changed."""
        now = clock.now()
        new = [(f, f.new_grid) for f in self.features if f.new_grid is not None]
        areas = Area.objects.bulk_create(
            [
                Area(
                    code=f.code,
                    name=planned["name"],
                    level=Level.GRID,
                    kind=AreaKind.GRID,
                    parent=planned["village"],
                )
                for f, planned in new
            ]
        )
        AreaName.objects.bulk_create([AreaName(area=a, name=a.name) for a in areas])
        grids = []
        for (f, planned), area in zip(new, areas, strict=True):
            grid = Grid(
                area=area,
                kind=planned["kind"],
                sequence=planned["sequence"],
                target_households=planned["target_households"],
            )
            if f.boundary is not None:
                _set_boundary(grid, f.boundary, now)
            grids.append(grid)
        Grid.objects.bulk_create(grids)
        changed = any(f.boundary is not None for f, _planned in new)
        boundaries: list[tuple[int, geometry.Boundary]] = []
        for f in self.features:
            if f.new_grid is not None or not f.changes:
                continue
            changed |= f.boundary_changed
            if not f.is_grid:
                # a village's or community's only change is its outline
                assert f.area is not None and f.boundary is not None, "a stored area's new outline"
                Area.objects.filter(pk=f.area.pk).update(boundary=f.boundary.geojson, updated_at=now)
                continue
            assert f.grid is not None, "a change to a stored grid"
            fields = {
                key: f.changes[key] for key in ("kind", "sequence", "target_households") if key in f.changes
            }
            if fields:
                Grid.objects.filter(pk=f.grid.pk).update(**fields)
            if f.boundary_changed and f.boundary is not None:
                boundaries.append((f.grid.pk, f.boundary))
            if "name" in f.changes:
                record_rename(f.grid.area, f.changes["name"], self.today)
        _write_boundaries(boundaries, now)
        return changed


def _write_boundaries(boundaries: list[tuple[int, geometry.Boundary]], now) -> None:
    """Store many grid boundaries with one prepared UPDATE (executemany): a city's worth of grids in
    about a second, where the ORM's per-row update or bulk_update takes ten times longer."""
    if not boundaries:
        return
    meta = Grid._meta
    names = ["boundary", "min_lon", "min_lat", "max_lon", "max_lat", "boundary_updated_at"]
    fields = [_stored_field(name) for name in names]
    quote = connection.ops.quote_name
    # Identifiers come from the model's metadata, every value is a parameter.
    statement = "UPDATE {table} SET {assignments} WHERE {key} = %s".format(  # noqa: S608
        table=quote(meta.db_table),
        assignments=", ".join(f"{quote(column)} = %s" for _field, column in fields),
        key=quote(_stored_field(meta.pk.name)[1]),
    )
    rows = []
    for pk, boundary in boundaries:
        values = [boundary.geojson, *boundary.bounds, now]
        rows.append(
            [f.get_db_prep_save(v, connection) for (f, _c), v in zip(fields, values, strict=True)] + [pk]
        )
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)


def _stored_field(name: str) -> tuple[Field, str]:
    """A field of Grid stored in a column of its own, and that column."""
    field = Grid._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"Grid.{name} is not stored in a column of its own")
    return field, field.column


def _set_boundary(grid: Grid, boundary: geometry.Boundary, now) -> None:
    grid.boundary = boundary.geojson
    grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat = boundary.bounds
    grid.boundary_updated_at = now


def _check(plan: _BoundaryPlan) -> None:
    plan.load()
    plan.check_features()
    plan.check_sequences()
    plan.check_placement()
    plan.count()
    plan.report.sort()


def boundaries_import(
    *, actor: User, file, root_code: str | None = None, dry_run: bool = False, request=None
) -> ImportReport:
    """Import grid boundaries (and village outlines) from a GeoJSON FeatureCollection; see the module
    docstring. Errors carry the feature's index in ``features`` (from 0) and its code."""
    authorise_import(actor, root_code)
    data = read_upload(file, max_bytes=boundaries_max_bytes())
    features = parse_collection(data)
    report = ImportReport(kind="boundaries", dry_run=dry_run)
    plan = _BoundaryPlan(actor=actor, root_code=root_code, report=report)
    plan.read(features)
    del features

    def write() -> None:
        if plan.apply():
            boundaries_changed()

    return check_then_write(
        report=report,
        check=lambda: _check(plan),
        write=write,
        actor=actor,
        action="areas.boundaries_import",
        root_code=root_code,
        data=data,
        file=file,
        request=request,
        conflict_message=_(
            "Someone changed the same grids while this file was imported. Nothing was saved; import it again."
        ),
    )


def boundaries_export(*, actor: User, root_code: str, request=None) -> dict:
    """The boundaries of the grids and areas in force under ``root_code`` as a FeatureCollection that
    :func:`boundaries_import` reads back unchanged."""
    rules.require(actor, rules.can_manage_area, root_code)
    if not Area.objects.filter(code=root_code).exists():
        raise OutOfScope
    features = []
    outlines = (
        Area.objects.under(root_code)
        .filter(current_q())
        .exclude(level=Level.GRID)
        .exclude(boundary=None)
        .order_by("code")
        .values_list("code", "name", "level", "kind", "boundary")
    )
    for code, name, level, kind, boundary in outlines.iterator(chunk_size=500):
        features.append(
            geometry.as_feature(boundary, {"code": code, "name": name, "level": level, "area_kind": kind})
        )
    grids = (
        Grid.objects.filter(area__code__startswith=root_code)
        .filter(current_q("area__"))
        .exclude(boundary=None)
        .order_by("area__code")
        .values_list("area__code", "area__name", "kind", "sequence", "target_households", "boundary")
    )
    for code, name, kind, sequence, households, boundary in grids.iterator(chunk_size=500):
        features.append(
            geometry.as_feature(
                boundary,
                {
                    "code": code,
                    "name": name,
                    "level": Level.GRID.value,
                    "kind": kind,
                    "sequence": sequence,
                    "target_households": households,
                    "village_code": code[:12],
                },
            )
        )
    audit_record(actor=actor, action="areas.boundaries_export", area_code=root_code, request=request)
    return geometry.feature_collection(features)
