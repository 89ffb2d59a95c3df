"""Factories shared by every app's tests: areas (with their ancestors), grids, users with role grants."""

from __future__ import annotations

import factory
from shapely.geometry import box, mapping

from grassroots.accounts.models import Role, RoleGrant, User
from grassroots.areas.codes import CODE_LENGTH, Level, level_of
from grassroots.areas.models import Area, AreaKind, Grid, GridKind

_DEFAULT_KIND = {
    Level.PROVINCE: AreaKind.PROVINCE,
    Level.CITY: AreaKind.CITY,
    Level.COUNTY: AreaKind.BANNER,
    Level.TOWNSHIP: AreaKind.TOWN,
    Level.VILLAGE: AreaKind.VILLAGE,
    Level.GRID: AreaKind.GRID,
}


def area(code: str, name: str | None = None, **fields) -> Area:
    """Get or create the area with ``code`` and every ancestor it needs (the ancestors are looked at only when
    the area itself is missing: one query for an area that exists, not one per level)."""
    existing = Area.objects.filter(code=code).first()
    if existing is not None:
        return existing
    level = level_of(code)
    parent = None
    if level > Level.PROVINCE:
        parent = area(code[: CODE_LENGTH[Level(level - 1)]])
    obj, _ = Area.objects.get_or_create(
        code=code,
        defaults={
            "name": name or f"区划{code}",
            "level": level,
            "kind": fields.pop("kind", _DEFAULT_KIND[level]),
            "parent": parent,
            **fields,
        },
    )
    return obj


def grid(
    code: str, bounds: tuple[float, float, float, float] | None = None, *, kind=GridKind.RURAL, **fields
) -> Grid:
    """A grid area with a rectangular boundary ``(min_lon, min_lat, max_lon, max_lat)``."""
    a = area(code, fields.pop("name", None))
    geometry = mapping(box(*bounds)) if bounds else None
    g, _ = Grid.objects.get_or_create(
        area=a,
        defaults={
            "kind": kind,
            "sequence": int(code[-3:]),
            "boundary": geometry,
            "min_lon": bounds[0] if bounds else None,
            "min_lat": bounds[1] if bounds else None,
            "max_lon": bounds[2] if bounds else None,
            "max_lat": bounds[3] if bounds else None,
            **fields,
        },
    )
    return g


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "Grassroots-pass-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with(role: str, code: str, **fields) -> User:
    """A user holding ``role`` on the area ``code`` (created with its ancestors)."""
    u = UserFactory(**fields)
    a = area(code)
    RoleGrant.objects.create(user=u, role=role, area=a, area_code=a.code)
    return u


__all__ = ["Role", "UserFactory", "area", "grid", "user_with"]
