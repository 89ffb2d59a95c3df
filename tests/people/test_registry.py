import datetime as dt

import pytest
from django.db import connection

from grassroots import clock
from grassroots.accounts.models import AuditLog, Role
from grassroots.errors import NotPermitted
from grassroots.people import services
from grassroots.people.codes import Attention, KeyGroup, Relation
from grassroots.people.errors import DuplicateResident, IdNumberError, PeopleError
from grassroots.people.models import GridMove, Household, KeyGroupLabel, NameSuffix, Resident, ResidentStatus
from tests.factories import grid, user_with

from .factories import GRID, GRID_2, OTHER_GRID, household, resident, synthetic_id, writer

pytestmark = pytest.mark.django_db


def _raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_id_and_phone_are_encrypted_at_rest_with_hash_and_mask_beside_them():
    # given a resident with an ID and a phone number
    number = synthetic_id(dt.date(1950, 3, 4), order=913)
    person = resident(name="王秀英", id_number=number, phone="138 0013 8000")
    # then the database holds neither in clear
    raw_id = _raw("people_resident", "id_number", person.pk)
    raw_phone = _raw("people_resident", "phone", person.pk)
    assert number not in raw_id and "13800138000" not in raw_phone
    assert raw_id.startswith("gAAAA")
    # and the model reads them back, derives birth and sex, and keeps masks for lists
    person = Resident.objects.get(pk=person.pk)
    assert person.id_number == number
    assert person.birth_date == dt.date(1950, 3, 4)
    assert person.sex == "male"
    assert person.id_masked == number[:6] + "********" + number[-4:]
    assert person.phone_masked == "138****8000"
    assert len(person.id_hash) == 64 and number not in person.id_hash


def test_a_legacy_15_digit_number_is_stored_in_its_18_digit_form():
    person = resident(id_number="150825500101913")
    assert Resident.objects.get(pk=person.pk).id_number == "150825195001019134"[:17] + person.id_number[-1]
    assert len(person.id_number) == 18


def test_a_bad_id_number_is_refused_and_nothing_is_written():
    hh = household()
    valid = synthetic_id()
    wrong = valid[:-1] + ("1" if valid[-1] != "1" else "2")
    with pytest.raises(IdNumberError):
        resident(hh, id_number=wrong)
    assert Resident.objects.count() == 0


def test_the_same_id_number_cannot_be_registered_twice():
    number = synthetic_id()
    first = resident(id_number=number)
    with pytest.raises(DuplicateResident) as exc:
        resident(household(GRID_2), id_number=number.lower())
    assert exc.value.detail == {"resident_id": first.pk}
    assert Resident.objects.count() == 1


def test_a_duplicate_outside_scope_is_refused_without_saying_who_it_is():
    number = synthetic_id()
    resident(household(OTHER_GRID), name="李四", id_number=number)
    grid_worker = user_with(Role.GRID_WORKER, GRID)
    grid(GRID)
    hh = household(GRID)
    with pytest.raises(DuplicateResident) as exc:
        services.resident_create(actor=grid_worker, household=hh, name="李四", id_number=number)
    assert "李四" not in str(exc.value) and exc.value.detail is None


def test_name_writes_pinyin_initials_and_suffixes():
    person = resident(name="曾小明")
    assert (person.name_pinyin, person.name_initials) == ("zengxiaoming", "zxm")
    assert set(NameSuffix.objects.filter(resident=person).values_list("suffix", flat=True)) == {
        "曾小明",
        "小明",
        "明",
    }
    services.resident_update(actor=writer(), resident=person, name="曾大明")
    assert set(NameSuffix.objects.filter(resident=person).values_list("suffix", flat=True)) == {
        "曾大明",
        "大明",
        "明",
    }


def test_the_head_is_kept_on_the_household_and_there_is_one():
    hh = household()
    head = resident(hh, name="户主甲", relation=Relation.HEAD)
    assert Household.objects.get(pk=hh.pk).head_id == head.pk
    with pytest.raises(PeopleError) as exc:
        resident(hh, name="户主乙", relation=Relation.HEAD)
    assert exc.value.code == "head_taken"


def test_household_number_is_unique_within_its_grid():
    household(number="A-1")
    household(GRID_2, number="A-1")
    with pytest.raises(PeopleError) as exc:
        household(number="A-1")
    assert exc.value.code == "household_number_taken"


def test_a_household_belongs_to_a_grid_not_a_village():
    grid(GRID)
    with pytest.raises(PeopleError) as exc:
        services.household_create(actor=writer(), grid_code=GRID[:12], address="x路1号")
    assert exc.value.code == "not_a_grid"


def test_a_key_group_label_sets_a_visit_schedule_from_the_attention_level():
    # given a household with an elderly member living alone, closely followed
    hh = household()
    person = resident(hh)
    today = clock.today()
    services.label_set(
        actor=writer(), resident=person, kind=KeyGroup.ELDERLY_ALONE, attention=Attention.CLOSE
    )
    hh.refresh_from_db()
    # then the household is due a visit now, every 7 days
    assert (hh.visit_interval_days, hh.next_visit_due) == (7, today)
    # when a visit is recorded, the next one is due a week later
    services.visit_record(actor=writer(), household=hh, visited_on=today, found="身体尚可")
    hh.refresh_from_db()
    assert hh.next_visit_due == today + dt.timedelta(days=7)
    # and when the label goes, so does the schedule
    services.label_remove(actor=writer(), resident=person, kind=KeyGroup.ELDERLY_ALONE)
    hh.refresh_from_db()
    assert hh.next_visit_due is None


def test_moving_a_household_keeps_history_and_takes_members_along():
    hh = household()
    person = resident(hh)
    services.label_set(actor=writer(), resident=person, kind=KeyGroup.DISABLED, attention=Attention.GENERAL)
    grid(GRID_2)
    services.household_move(actor=writer(), household=hh, to_grid_code=GRID_2, reason="搬迁")
    person.refresh_from_db()
    assert person.area_code == GRID_2
    assert KeyGroupLabel.objects.get(resident=person).area_code == GRID_2
    assert set(NameSuffix.objects.filter(resident=person).values_list("area_code", flat=True)) == {GRID_2}
    move = GridMove.objects.get(household=hh)
    assert (move.from_code, move.to_code, move.reason) == (GRID, GRID_2, "搬迁")


def test_moving_a_person_between_households_keeps_history():
    a, b = household(), household(GRID_2, address="b路2号")
    person = resident(a, relation=Relation.HEAD)
    services.resident_move(actor=writer(), resident=person, to_household=b, reason="分户")
    a.refresh_from_db()
    person.refresh_from_db()
    assert a.head_id is None and person.household_id == b.pk and person.area_code == GRID_2
    move = GridMove.objects.get(resident=person)
    assert (move.from_household_id, move.to_household_id) == (a.pk, b.pk)


def test_a_grid_worker_cannot_move_a_household_into_a_grid_outside_their_scope():
    grid_worker = user_with(Role.GRID_WORKER, GRID)
    hh = household()
    grid(OTHER_GRID)
    with pytest.raises(Exception) as exc:
        services.household_move(actor=grid_worker, household=hh, to_grid_code=OTHER_GRID)
    assert exc.type.__name__ in {"OutOfScope", "NotPermitted"}
    assert Household.objects.get(pk=hh.pk).area_code == GRID
    assert not GridMove.objects.exists()


def test_show_in_full_needs_the_role_and_a_reason_and_is_audited():
    number = synthetic_id()
    person = resident(id_number=number, phone="13900139000")
    worker = user_with(Role.GRID_WORKER, GRID)
    with pytest.raises(PeopleError):
        services.reveal(actor=worker, obj=person, fields=["id_number"], reason="")
    assert not AuditLog.objects.filter(action="people.reveal").exists()
    shown = services.reveal(actor=worker, obj=person, fields=["id_number", "phone"], reason="办理低保复核")
    assert shown == {"id_number": number, "phone": "13900139000"}
    record = AuditLog.objects.get(action="people.reveal")
    assert (record.actor, record.reason, record.target_id) == (worker, "办理低保复核", str(person.pk))
    assert record.detail == {"fields": ["id_number", "phone"]}


@pytest.mark.parametrize("role", [Role.LEADER, Role.COUNTY_STAFF, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_roles_that_only_read_see_masks_only(role):
    person = resident(id_number=synthetic_id())
    reader = user_with(role, GRID[:6])
    with pytest.raises(NotPermitted):
        services.reveal(actor=reader, obj=person, fields=["id_number"], reason="想看一看")
    assert not AuditLog.objects.filter(action="people.reveal").exists()


def test_merging_duplicates_keeps_one_record_and_writes_an_audit_record():
    hh = household()
    staff = user_with(Role.VILLAGE_STAFF, GRID[:12])
    number = synthetic_id(dt.date(1940, 1, 2))
    a = resident(hh, name="赵大", birth_date="1940-01-02", sex="male")
    b = resident(hh, name="赵大", id_number=number, phone="13700137000")
    services.label_set(actor=staff, resident=b, kind=KeyGroup.VETERAN, attention=Attention.FOCUS)
    kept = services.resident_merge(actor=staff, kept=a, merged=b, reason="同一人重复登记")
    b.refresh_from_db()
    assert kept.id_number == number and kept.phone == "13700137000"
    assert b.status == ResidentStatus.MERGED and b.merged_into_id == a.pk and b.id_hash is None
    assert list(kept.labels.values_list("kind", flat=True)) == [KeyGroup.VETERAN]
    record = AuditLog.objects.get(action="people.merge")
    assert record.detail["kept"] == a.pk and record.detail["merged"] == b.pk
    assert number not in str(record.detail)


def test_a_grid_worker_may_not_merge():
    hh = household()
    a, b = resident(hh, name="钱二"), resident(hh, name="钱二")
    with pytest.raises(NotPermitted):
        services.resident_merge(
            actor=user_with(Role.GRID_WORKER, GRID), kept=a, merged=b, reason="重复登记了"
        )
    assert Resident.objects.filter(status=ResidentStatus.MERGED).count() == 0


@pytest.mark.parametrize(
    ("language", "building", "unit", "expected"),
    [
        ("zh-hans", "3", "2", "幸福路1号 3栋 2单元 401"),
        ("en", "3", "2", "幸福路1号 building 3 unit 2 401"),
        ("zh-hans", "3号楼", "东单元", "幸福路1号 3号楼 东单元 401"),  # written out already: kept as written
    ],
)
def test_a_households_full_address_says_building_and_unit_in_the_readers_language(
    language, building, unit, expected
):
    from django.utils import translation

    home = Household(address="幸福路1号", building=building, unit=unit, room="401")
    with translation.override(language):
        assert home.full_address == expected
