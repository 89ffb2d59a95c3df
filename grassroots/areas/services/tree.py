"""Writes to the area tree one object at a time: areas, grids, village groups, names and boundaries.

Every function checks ``accounts.rules.can_manage_area`` itself (administrators inside their scope; 404
outside it, 403 inside it without the role), validates with the same rules as the file imports, and writes
an audit record. Codes are identities: they are never reused or changed. A renamed area keeps its old name
in :class:`AreaName`; a merged or closed area keeps its row with ``valid_until`` (and ``successor``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from grassroots import clock, versioned
from grassroots.accounts import rules
from grassroots.accounts.models import User
from grassroots.accounts.services import audit_record
from grassroots.errors import DomainError

from .. import geometry
from ..codes import CodeError, Level, grid_code, parent_code, validate_code
from ..models import Area, AreaKind, AreaName, BoundaryVersion, Grid, GridKind, VillageGroup
from ..validation import kind_fits_level, kind_level_message

NAME_MAX = 100
TARGET_HOUSEHOLDS_MAX = 100_000


class AreaError(DomainError):
    code = "area_error"


class _Unset:
    def __repr__(self):
        return "UNSET"


UNSET = _Unset()  # "leave this field as it is" in the update functions


def boundaries_changed() -> None:
    """Bump the shared boundary version so that every process rebuilds its spatial index.

    Call it inside the transaction that changes a boundary: the bump commits (or rolls back) with it.
    """
    versioned.bump(BoundaryVersion)


# --- checks shared with the imports ------------------------------------------------------------------


def check_code(code: str, *, level: int | None = None) -> Level:
    try:
        return validate_code(code, level=level)
    except CodeError as exc:
        raise AreaError(exc.message, code="bad_code") from None


def check_name(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise AreaError(_("A name may not contain control characters."), code="bad_name")
    if not cleaned:
        raise AreaError(_("Give the area a name."), code="name_required")
    if len(cleaned) > NAME_MAX:
        raise AreaError(
            _("A name has at most %(max)d characters; this one has %(n)d.")
            % {"max": NAME_MAX, "n": len(cleaned)},
            code="name_too_long",
        )
    return cleaned


def check_kind(kind: str, level: int) -> str:
    if not kind_fits_level(kind, level):
        raise AreaError(kind_level_message(kind, level), code="bad_kind")
    return kind


def check_grid_kind(kind: str) -> str:
    if kind not in GridKind.values:
        raise AreaError(
            _(
                "A grid is a community grid, a dedicated grid or a rural grid (community / dedicated / rural)."
            ),
            code="bad_grid_kind",
        )
    return kind


def check_dates(valid_from: dt.date | None, valid_until: dt.date | None) -> None:
    if valid_from and valid_until and valid_until <= valid_from:
        raise AreaError(
            _("The end date %(until)s must come after the start date %(since)s.")
            % {"until": valid_until, "since": valid_from},
            code="bad_dates",
        )


def check_target_households(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= TARGET_HOUSEHOLDS_MAX:
        raise AreaError(
            _("The target household count is a whole number from 0 to %(max)d.")
            % {"max": TARGET_HOUSEHOLDS_MAX},
            code="bad_target_households",
        )
    return value


def check_sequence(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 999:
        raise AreaError(_("A grid number runs from 1 to 999."), code="bad_sequence")
    return value


def is_current(area: Area, on: dt.date) -> bool:
    return (area.valid_from is None or area.valid_from <= on) and (
        area.valid_until is None or area.valid_until > on
    )


def require_current(area: Area, on: dt.date, *, role) -> None:
    if not is_current(area, on):
        raise AreaError(
            _("%(role)s %(area)s is not in force on %(day)s.") % {"role": role, "area": area, "day": on},
            code="area_not_current",
        )


def current_q(prefix: str = "", on: dt.date | None = None) -> Q:
    """Rows (of Area, or related through ``prefix``) in force on a day."""
    day = on or clock.today()
    return (Q(**{f"{prefix}valid_from__lte": day}) | Q(**{f"{prefix}valid_from__isnull": True})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": day})
    )


def grid_neighbours(bounds: tuple[float, float, float, float], *, on: dt.date | None = None):
    """Current grids whose bounding box meets ``bounds``, as geometry neighbours (one query)."""
    min_lon, min_lat, max_lon, max_lat = bounds
    rows = (
        Grid.objects.filter(current_q("area__", on))
        .filter(min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat)
        .exclude(boundary=None)
        .values_list("area__code", "area__parent__code", "boundary")
    )
    for code, village_code, boundary in rows:
        shape = geometry.to_shape(boundary)
        if shape is not None:
            yield geometry.Neighbour(code=code, village_code=village_code or "", shape=shape)


def check_grid_placement(
    *, code: str, boundary: geometry.Boundary, village: Area, on: dt.date | None = None
) -> list:
    """Refuse a grid boundary that overlaps another village's grids or leaves its village's boundary;
    return the warnings (overlaps with grids of the same village)."""
    placement = geometry.Placement(grid_neighbours(boundary.bounds, on=on))
    errors, warnings = placement.check(
        code=code,
        shape=boundary.shape,
        village_code=village.code,
        village_boundary=geometry.to_shape(village.boundary),
    )
    if errors:
        raise geometry.GeometryError(" ".join(str(e) for e in errors), code="boundary_foreign")
    return warnings


def _clean_boundary(value) -> geometry.Boundary | None:
    return None if value is None else geometry.clean(value)


def close_current_name(area: Area, on: dt.date) -> None:
    if not AreaName.objects.filter(area=area).exists():  # an area created before names were kept
        AreaName.objects.create(area=area, name=area.name, valid_from=area.valid_from, valid_until=on)
    AreaName.objects.filter(area=area, valid_until__isnull=True).update(valid_until=on)


# --- areas ------------------------------------------------------------------------------------------


@transaction.atomic
def area_create(
    *,
    actor: User,
    code: str,
    name: str,
    kind: str,
    valid_from: dt.date | None = None,
    boundary: dict | None = None,
    is_synthetic: bool = False,
    request=None,
) -> Area:
    """Create an area under its parent (which must exist and be in force). Grids: :func:`grid_create`."""
    code = str(code).strip()
    level = check_code(code)
    if level == Level.GRID:
        raise AreaError(
            _("A grid is created in its village, with a kind and a number; use the grid form."),
            code="use_grid_create",
        )
    rules.require(actor, rules.can_manage_area, code)
    name = check_name(name)
    check_kind(kind, level)
    parent = None
    if level > Level.PROVINCE:
        parent = Area.objects.filter(code=parent_code(code)).first()
        if parent is None:
            raise AreaError(
                _("Area %(parent)s, the parent of %(code)s, does not exist; create it first.")
                % {"parent": parent_code(code), "code": code},
                code="parent_missing",
            )
        require_current(parent, valid_from or clock.today(), role=_("The parent area"))
    if Area.objects.filter(code=code).exists():
        raise AreaError(
            _("Code %(code)s is taken; codes are never reused, even after a merge.") % {"code": code},
            code="code_taken",
        )
    shape = _clean_boundary(boundary)
    area = Area.objects.create(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        boundary=shape.geojson if shape else None,
        is_synthetic=is_synthetic,
    )
    AreaName.objects.create(area=area, name=name, valid_from=valid_from)
    if shape:
        boundaries_changed()
    audit_record(actor=actor, action="area.create", target=area, request=request, detail={"name": name})
    return area


@transaction.atomic
def area_update(
    *,
    actor: User,
    area: Area,
    name=UNSET,
    kind=UNSET,
    valid_from=UNSET,
    boundary=UNSET,
    is_synthetic=UNSET,
    request=None,
) -> Area:
    """Correct an area's fields. A new ``name`` here corrects a misspelling of the current name (no
    history); a real renaming is :func:`area_rename`. ``boundary`` is the outline of a non-grid area."""
    rules.require(actor, rules.can_manage_area, area.code)
    area = Area.objects.select_for_update().get(pk=area.pk)
    changed: dict = {}
    if name is not UNSET:
        name = check_name(name)
        if name != area.name:
            changed["name"] = [area.name, name]
            area.name = name
            AreaName.objects.filter(area=area, valid_until__isnull=True).update(name=name)
    if kind is not UNSET and kind != area.kind:
        check_kind(kind, area.level)
        changed["kind"] = [area.kind, kind]
        area.kind = kind
    if valid_from is not UNSET and valid_from != area.valid_from:
        check_dates(valid_from, area.valid_until)
        AreaName.objects.filter(area=area, valid_from=area.valid_from).update(valid_from=valid_from)
        changed["valid_from"] = [str(area.valid_from or ""), str(valid_from or "")]
        area.valid_from = valid_from
    if boundary is not UNSET:
        if area.is_grid:
            raise AreaError(_("A grid's boundary is changed with the grid form."), code="use_grid_update")
        shape = _clean_boundary(boundary)
        new = shape.geojson if shape else None
        if not geometry.same(new, area.boundary):
            changed["boundary"] = True
            area.boundary = new
            boundaries_changed()
    if is_synthetic is not UNSET and bool(is_synthetic) != area.is_synthetic:
        changed["is_synthetic"] = [area.is_synthetic, bool(is_synthetic)]
        area.is_synthetic = bool(is_synthetic)
    if changed:
        area.save()
        audit_record(actor=actor, action="area.update", target=area, request=request, detail=changed)
    return area


@transaction.atomic
def area_rename(*, actor: User, area: Area, new_name: str, on: dt.date, request=None) -> Area:
    """Rename an area from ``on`` (not in the future): the current name closes on that day, the new one
    opens, and :attr:`Area.name` becomes the new name. Pages that show history read :class:`AreaName`."""
    rules.require(actor, rules.can_manage_area, area.code)
    area = Area.objects.select_for_update().get(pk=area.pk)
    new_name = check_name(new_name)
    require_current(area, on, role=_("The area"))
    if new_name == area.name:
        raise AreaError(_("The area is already called %(name)s.") % {"name": new_name}, code="same_name")
    check_rename_date(name=area.name, since=current_name_since(area), on=on)
    old = area.name
    record_rename(area, new_name, on)
    audit_record(
        actor=actor,
        action="area.rename",
        target=area,
        request=request,
        detail={"from": old, "to": new_name, "on": on.isoformat()},
    )
    return area


def current_name_since(area: Area) -> dt.date | None:
    current = AreaName.objects.filter(area=area, valid_until__isnull=True).order_by("-valid_from").first()
    return current.valid_from if current else area.valid_from


def check_rename_date(*, name: str, since: dt.date | None, on: dt.date) -> None:
    if on > clock.today():
        raise AreaError(
            _("A renaming is recorded once it has happened; %(day)s is in the future.") % {"day": on},
            code="rename_in_future",
        )
    if since and on <= since:
        raise AreaError(
            _("The name %(name)s is in use since %(since)s; a renaming must come after that day.")
            % {"name": name, "since": since},
            code="rename_before_name",
        )


def record_rename(area: Area, new_name: str, on: dt.date) -> None:
    """Close the current name on ``on`` and open ``new_name`` (dates already checked)."""
    if not AreaName.objects.filter(area=area, valid_until__isnull=True).exists():
        # an area created before names were kept
        AreaName.objects.create(area=area, name=area.name, valid_from=area.valid_from)
    AreaName.objects.filter(area=area, valid_until__isnull=True).update(valid_until=on)
    AreaName.objects.create(area=area, name=new_name, valid_from=on)
    area.name = new_name
    area.save(update_fields=["name", "updated_at"])


def current_children(area: Area, on: dt.date):
    return Area.objects.filter(parent=area).filter(current_q(on=on))


def _close(*, actor: User, area: Area, into: Area | None, on: dt.date, request, action: str) -> Area:
    rules.require(actor, rules.can_manage_area, area.code)
    area = Area.objects.select_for_update().get(pk=area.pk)
    require_current(area, on, role=_("The area"))
    if area.valid_from and on <= area.valid_from:
        raise AreaError(
            _("Area %(area)s is in force from %(since)s; it can close only after that day.")
            % {"area": area, "since": area.valid_from},
            code="bad_dates",
        )
    children = list(current_children(area, on).values_list("code", flat=True)[:6])
    if children:
        shown = "、".join(children[:5]) + ("…" if len(children) > 5 else "")
        raise AreaError(
            _(
                "%(area)s still has sub-areas in force on %(day)s (%(codes)s). Merge each of them into an "
                "area of the successor, or close them, first; codes never move to another parent."
            )
            % {"area": area, "day": on, "codes": shown},
            code="has_current_children",
        )
    area.valid_until = on
    area.successor = into
    area.save(update_fields=["valid_until", "successor", "updated_at"])
    close_current_name(area, on)
    if area.boundary or (area.is_grid and Grid.objects.filter(area=area).exclude(boundary=None).exists()):
        boundaries_changed()
    detail = {"on": on.isoformat()}
    if into is not None:
        detail["into"] = into.code
    audit_record(actor=actor, action=action, target=area, request=request, detail=detail)
    return area


@transaction.atomic
def area_merge(*, actor: User, area: Area, into: Area, on: dt.date, request=None) -> Area:
    """Merge ``area`` into ``into`` (same level) from ``on``: the area stays, closed, pointing at its
    successor, so history (cases, households, names) still reads correctly.

    Refused while the area has sub-areas in force on ``on``: codes are paths, so children cannot move to
    another parent. Merge (or close) the children first, e.g. each grid of a merged village into a grid of
    the village that absorbs it."""
    rules.require(actor, rules.can_manage_area, into.code)
    if into.pk == area.pk:
        raise AreaError(_("An area cannot merge into itself."), code="merge_into_self")
    if into.level != area.level:
        raise AreaError(
            _("%(area)s can merge only into an area of the same level (a %(level)s).")
            % {"area": area, "level": Level(area.level).label},
            code="merge_level",
        )
    require_current(into, on, role=_("The area merged into"))
    return _close(actor=actor, area=area, into=into, on=on, request=request, action="area.merge")


@transaction.atomic
def area_close(*, actor: User, area: Area, on: dt.date, request=None) -> Area:
    """Close an area from ``on`` without a successor (dissolved). The same rule on children as a merge."""
    return _close(actor=actor, area=area, into=None, on=on, request=request, action="area.close")


# --- grids ------------------------------------------------------------------------------------------


def _village_groups(village: Area, groups: Iterable) -> list[VillageGroup]:
    """Village groups given as objects or numbers; all of them of ``village``."""
    wanted = list(groups or ())
    numbers = [g.number if isinstance(g, VillageGroup) else g for g in wanted]
    found = {g.number: g for g in VillageGroup.objects.filter(village=village, number__in=numbers)}
    foreign = [g for g in wanted if isinstance(g, VillageGroup) and g.village_id != village.pk]
    missing = [n for n in numbers if n not in found]
    if foreign or missing:
        raise AreaError(
            _(
                "%(village)s has no village group numbered %(numbers)s; a grid covers groups of its own village."
            )
            % {
                "village": village,
                "numbers": "、".join(str(n) for n in (missing or [g.number for g in foreign])),
            },
            code="village_group_foreign",
        )
    return [found[n] for n in numbers]


def _check_sequence_free(village: Area, sequence: int, *, exclude_pk=None) -> None:
    taken = Grid.objects.filter(area__parent=village, sequence=sequence).filter(current_q("area__"))
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise AreaError(
            _("Another grid of %(village)s already has number %(n)d; renumber that one first.")
            % {"village": village, "n": sequence},
            code="sequence_taken",
        )


def next_grid_number(village: Area) -> int:
    """The next free code number in a village; numbers of closed grids are never reused."""
    last = Area.objects.filter(parent=village, level=Level.GRID).aggregate(m=Max("code"))["m"]
    return int(last[-3:]) + 1 if last else 1


def _apply_boundary(grid: Grid, boundary: geometry.Boundary | None) -> None:
    grid.boundary = boundary.geojson if boundary else None
    bounds = boundary.bounds if boundary else (None, None, None, None)
    grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat = bounds
    grid.boundary_updated_at = clock.now()


@transaction.atomic
def grid_create(
    *,
    actor: User,
    village: Area,
    kind: str,
    name: str = "",
    number: int | None = None,
    sequence: int | None = None,
    boundary: dict | None = None,
    target_households: int | None = None,
    village_groups: Iterable = (),
    valid_from: dt.date | None = None,
    is_synthetic: bool = False,
    request=None,
) -> Grid:
    """Create a grid in a village or community. Its code is the village code + ``number`` (the next free
    one when omitted); ``sequence`` (the display order, west→east, north→south) defaults to the number.

    A boundary that overlaps grids of another village, or leaves the village's own boundary, is refused;
    overlaps with grids of the same village are allowed: the returned grid lists them in
    ``boundary_warnings`` for the page or API to show."""
    if village.level != Level.VILLAGE:
        raise AreaError(_("A grid belongs to a village or community."), code="grid_parent_level")
    rules.require(actor, rules.can_manage_area, village.code)
    village = Area.objects.select_for_update().get(pk=village.pk)
    require_current(village, valid_from or clock.today(), role=_("The village"))
    number = check_sequence(number) if number is not None else next_grid_number(village)
    code = grid_code(village.code, number)
    rules.require(actor, rules.can_manage_area, code)
    if Area.objects.filter(code=code).exists():
        raise AreaError(
            _("Code %(code)s is taken; codes are never reused, even after a merge.") % {"code": code},
            code="code_taken",
        )
    sequence = check_sequence(sequence if sequence is not None else number)
    _check_sequence_free(village, sequence)
    check_grid_kind(kind)
    target_households = check_target_households(target_households)
    name = check_name(name or _("Grid %(n)d") % {"n": number})
    groups = _village_groups(village, village_groups)
    shape = _clean_boundary(boundary)
    warnings = (
        check_grid_placement(code=code, boundary=shape, village=village, on=valid_from) if shape else []
    )
    area = Area.objects.create(
        code=code,
        name=name,
        level=Level.GRID,
        kind=AreaKind.GRID,
        parent=village,
        valid_from=valid_from,
        is_synthetic=is_synthetic,
    )
    AreaName.objects.create(area=area, name=name, valid_from=valid_from)
    grid = Grid(area=area, kind=kind, sequence=sequence, target_households=target_households)
    if shape:
        _apply_boundary(grid, shape)
    grid.save()
    grid.village_groups.set(groups)
    grid.boundary_warnings = [str(w) for w in warnings]
    if shape:
        boundaries_changed()
    audit_record(
        actor=actor,
        action="grid.create",
        target=area,
        request=request,
        detail={"kind": kind, "boundary": bool(shape)},
    )
    return grid


@transaction.atomic
def grid_update(
    *,
    actor: User,
    grid: Grid,
    kind=UNSET,
    name=UNSET,
    sequence=UNSET,
    boundary=UNSET,
    target_households=UNSET,
    village_groups=UNSET,
    request=None,
) -> Grid:
    """Change what a grid has. ``boundary=None`` removes the outline; an unchanged boundary is not
    rewritten (and the routing index is not rebuilt). ``name`` corrects the current name. The returned
    grid's ``boundary_warnings`` lists overlaps of a new boundary with grids of the same village."""
    area = grid.area
    rules.require(actor, rules.can_manage_area, area.code)
    grid = Grid.objects.select_for_update(of=("self",)).select_related("area", "area__parent").get(pk=grid.pk)
    area, village = grid.area, grid.area.parent
    assert village is not None, "a grid always lies in a village or community"
    require_current(area, clock.today(), role=_("The grid"))
    changed: dict = {}
    warnings: list = []
    if kind is not UNSET and kind != grid.kind:
        check_grid_kind(kind)
        changed["kind"] = [grid.kind, kind]
        grid.kind = kind
    if sequence is not UNSET and sequence != grid.sequence:
        check_sequence(sequence)
        _check_sequence_free(village, sequence, exclude_pk=grid.pk)
        changed["sequence"] = [grid.sequence, sequence]
        grid.sequence = sequence
    if target_households is not UNSET and target_households != grid.target_households:
        check_target_households(target_households)
        changed["target_households"] = [grid.target_households, target_households]
        grid.target_households = target_households
    if boundary is not UNSET:
        shape = _clean_boundary(boundary)
        new = shape.geojson if shape else None
        if not geometry.same(new, grid.boundary):
            if shape:
                warnings = check_grid_placement(code=area.code, boundary=shape, village=village)
            _apply_boundary(grid, shape)
            changed["boundary"] = True
    if changed:
        grid.save()
        if "boundary" in changed:
            boundaries_changed()
    if village_groups is not UNSET:
        groups = _village_groups(village, village_groups)
        before = sorted(grid.village_groups.values_list("number", flat=True))
        after = sorted(g.number for g in groups)
        if before != after:
            grid.village_groups.set(groups)
            changed["village_groups"] = [before, after]
    if name is not UNSET:
        name = check_name(name)
        if name != area.name:
            changed["name"] = [area.name, name]
            area.name = name
            area.save(update_fields=["name", "updated_at"])
            AreaName.objects.filter(area=area, valid_until__isnull=True).update(name=name)
    if changed:
        audit_record(actor=actor, action="grid.update", target=area, request=request, detail=changed)
    grid.boundary_warnings = [str(w) for w in warnings]
    return grid


# --- village groups --------------------------------------------------------------------------------


@transaction.atomic
def village_group_create(
    *, actor: User, village: Area, number: int, name: str = "", is_synthetic: bool = False, request=None
) -> VillageGroup:
    """A village group (村民小组) of a village; numbers are unique within the village."""
    if village.level != Level.VILLAGE:
        raise AreaError(_("A village group belongs to a village or community."), code="group_parent_level")
    rules.require(actor, rules.can_manage_area, village.code)
    require_current(village, clock.today(), role=_("The village"))
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 999:
        raise AreaError(_("A village group number runs from 1 to 999."), code="bad_group_number")
    if VillageGroup.objects.filter(village=village, number=number).exists():
        raise AreaError(
            _("%(village)s already has village group %(n)d.") % {"village": village, "n": number},
            code="group_number_taken",
        )
    group = VillageGroup.objects.create(
        village=village,
        number=number,
        name=check_name(name or _("Group %(n)d") % {"n": number}),
        is_synthetic=is_synthetic,
    )
    audit_record(
        actor=actor,
        action="village_group.create",
        target=group,
        area_code=village.code,
        request=request,
        detail={"number": number, "name": group.name},
    )
    return group


__all__ = [
    "UNSET",
    "AreaError",
    "area_close",
    "area_create",
    "area_merge",
    "area_rename",
    "area_update",
    "boundaries_changed",
    "grid_create",
    "grid_update",
    "village_group_create",
]
