"""The Django admin is scoped like every other page (issue 12, item 9).

Households, residents, key-group labels, visits, services, imports, cases and notifications were listed in the
admin city-wide to any staff user holding Django's model permissions, and a superuser could delete a resident
without an audit record. Every admin page now has ``accounts.admin.ScopedAdmin`` (rows through
``accounts.scoping.scoped``; another area's row is a 404; a delete is audited first), or, for the libraries'
models and rows that lie in no area, is for superusers only.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from grassroots import clock
from grassroots.accounts.admin import ScopedAdmin, SuperusersOnly
from grassroots.accounts.models import AuditLog, Role
from grassroots.cases.models import Case, Category, Source
from grassroots.notifications.models import Notification
from grassroots.people.codes import KeyGroup
from grassroots.people.models import (
    Household,
    ImportStatus,
    KeyGroupLabel,
    ProxyService,
    RegisterImport,
    Resident,
    Visit,
)
from tests import world as shared_world
from tests.factories import UserFactory, user_with
from tests.people.factories import household, resident, synthetic_id

pytestmark = pytest.mark.django_db

COUNTY, OTHER_COUNTY = shared_world.COUNTY, shared_world.OTHER_COUNTY
GRID = shared_world.G1
OTHER_GRID = shared_world.OTHER_COUNTY_GRID


def rows_in(grid_code: str, county: str) -> dict[type, object]:
    """One row of each kind the admin lists, in ``grid_code``."""
    home = household(grid_code, address=f"{grid_code} 幸福路8号")
    person = resident(home, name=f"住户{grid_code[-4:]}", id_number=synthetic_id(county=county))
    case = Case.objects.create(
        source=Source.MOBILE_WEB,
        category=Category.objects.get(code="0101"),
        description="垃圾",
        origin_code=grid_code,
        area_code=grid_code,
        level=6,
        reported_at=timezone.now(),
    )
    return {
        Household: home,
        Resident: person,
        KeyGroupLabel: KeyGroupLabel.objects.create(
            resident=person, area_code=grid_code, kind=KeyGroup.ELDERLY_ALONE
        ),
        Visit: Visit.objects.create(
            household=home, area_code=grid_code, visited_on=clock.today(), visitor_name="网格员", found="好"
        ),
        ProxyService: ProxyService.objects.create(resident=person, area_code=grid_code, item="代办社保"),
        RegisterImport: RegisterImport.objects.create(
            area_code=grid_code, file_name=f"{grid_code}.xlsx", status=ImportStatus.DONE
        ),
        Case: case,
        Notification: Notification.objects.create(
            recipient=UserFactory(), title="已受理", area_code=grid_code
        ),
    }


@pytest.fixture
def world():
    shared_world.seed_case_reference()
    return rows_in(GRID, COUNTY), rows_in(OTHER_GRID, OTHER_COUNTY)


def staff_with_every_model_permission(**grant):
    """A staff login holding every model permission Django has (view, add, change, delete of each model)."""
    user = (
        user_with(Role.ADMINISTRATOR, grant["code"], is_staff=True) if grant else UserFactory(is_staff=True)
    )
    user.user_permissions.set(Permission.objects.all())
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(obj, view="change") -> str:
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/{view}/"


def changelist(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


MODELS = [Household, Resident, KeyGroupLabel, Visit, ProxyService, RegisterImport, Case, Notification]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_a_county_administrator_sees_their_county_only(world, model):
    inside, outside = world[0][model], world[1][model]
    client = client_for(staff_with_every_model_permission(code=COUNTY))
    listing = client.get(changelist(model))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert url(inside) in body and url(outside) not in body
    assert client.get(url(inside)).status_code == 200
    for view in ("change", "delete", "history"):
        assert client.get(url(outside, view)).status_code == 404, view


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_model_permissions_without_an_administrator_role_open_nothing(world, model):
    client = client_for(staff_with_every_model_permission())
    assert client.get(changelist(model)).status_code == 403
    assert client.get(url(world[0][model])).status_code in (403, 404)


def test_every_admin_page_is_scoped_or_for_superusers_only():
    unscoped = []
    for model, model_admin in admin.site._registry.items():
        ours = model.__module__.startswith("grassroots.")
        if ours and not isinstance(model_admin, ScopedAdmin):
            unscoped.append(model._meta.label)
        if not ours and not isinstance(model_admin, SuperusersOnly):
            unscoped.append(model._meta.label)
    assert unscoped == [], "give these a ScopedAdmin (accounts/admin.py) or do not register them"


def test_rows_in_no_area_and_library_tables_are_for_superusers_only(world):
    client = client_for(staff_with_every_model_permission(code=COUNTY))
    nowhere = [
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SuperusersOnly) or getattr(model_admin, "scope_field", "") is None
    ]
    assert {m._meta.label for m in nowhere} >= {"auth.Group", "axes.AccessAttempt", "cases.Category"}
    for model in nowhere:
        assert client.get(changelist(model)).status_code == 403, model._meta.label
    superuser = client_for(UserFactory(is_staff=True, is_superuser=True))
    for model in nowhere:
        assert superuser.get(changelist(model)).status_code == 200, model._meta.label


def test_deleting_a_resident_in_the_admin_is_audited(world):
    # residents without proxy services (a service keeps its resident: PROTECT)
    inside = resident(world[0][Household], name="甲", id_number=synthetic_id(county=COUNTY))
    outside = resident(world[1][Household], name="乙", id_number=synthetic_id(county=OTHER_COUNTY))
    administrator = client_for(staff_with_every_model_permission(code=COUNTY))
    # another county's resident does not exist for the county administrator: nothing changes
    assert administrator.post(url(outside, "delete"), {"post": "yes"}).status_code == 404
    assert Resident.objects.filter(pk=outside.pk).exists()
    assert not AuditLog.objects.filter(action="admin.delete").exists()

    superuser = UserFactory(is_staff=True, is_superuser=True)
    response = client_for(superuser).post(url(outside, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Resident.objects.filter(pk=outside.pk).exists()
    record = AuditLog.objects.get(action="admin.delete")
    assert (record.actor, record.target_type, record.target_id) == (
        superuser,
        "people.resident",
        str(outside.pk),
    )
    assert record.area_code == OTHER_GRID

    # a bulk delete from the list writes one record per row
    client_for(superuser).post(
        changelist(Resident), {"action": "delete_selected", "_selected_action": [inside.pk], "post": "yes"}
    )
    assert not Resident.objects.filter(pk=inside.pk).exists()
    assert AuditLog.objects.filter(action="admin.delete", target_id=str(inside.pk)).count() == 1
