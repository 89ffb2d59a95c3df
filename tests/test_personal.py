"""The columns of a phone or ID number (grassroots.personal), and the one hash every app stores for a phone.

A case is linked to the resident whose phone hash equals the reporter's, and a login by phone finds its
account through the hash: the apps that store a phone must all store the same hash for the same number,
however it was typed."""

import pytest

from grassroots import fieldcrypt, personal
from grassroots.accounts.models import Role, RoleGrant
from grassroots.accounts.services import user_create, user_phone_set
from grassroots.areas.models import Area
from grassroots.cases import services as case_services
from grassroots.cases.models import Source
from grassroots.masking import mask_id_number
from grassroots.people import services as people_services
from grassroots.workforce.models import WorkerKind
from grassroots.workforce.services import worker_create
from tests.factories import grid, user_with
from tests.people.factories import household, resident, synthetic_id, writer

GRID = "150825100201001"
DIGITS = "13912340001"
SPELLINGS = [
    "13912340001",
    "139 1234 0001",
    "139-1234-0001",
    "+86 139 1234 0001",
    "0086 13912340001",
    "(139)12340001",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_number_has_the_columns_of_its_digits(spelling):
    digits, digest, masked = personal.phone_columns(spelling)
    assert digits == DIGITS and masked == "139****0001"
    assert digest == personal.phone_hash(spelling) == fieldcrypt.keyed_hash(DIGITS)


def test_no_number_has_no_columns():
    assert (
        personal.phone_columns("")
        == personal.phone_columns(None)
        == personal.phone_columns("-")
        == ("", None, "")
    )


@pytest.mark.parametrize(
    ("digits", "mobile", "landline"),
    [
        ("13912340001", True, False),
        ("04788123456", False, True),
        ("8123456", False, True),
        ("23912340001", False, False),
        ("1391234", False, False),
        ("", False, False),
    ],
)
def test_a_number_is_a_mobile_or_a_landline_or_neither(digits, mobile, landline):
    assert personal.is_mobile(digits) is mobile
    assert personal.is_landline(digits) is landline


def test_an_id_number_is_hashed_apart_from_a_phone_and_masked():
    number = synthetic_id()
    assert personal.id_columns(number) == (personal.id_hash(number), mask_id_number(number))
    assert personal.id_hash(number) != personal.phone_hash(number)


@pytest.mark.django_db
def test_logins_workers_residents_households_places_and_reporters_store_one_hash_for_one_number():
    # given the same mobile number typed in different ways into every place that keeps a phone
    grid(GRID)
    login = user_create(username="wangwu", password=None, phone=SPELLINGS[1])
    created_with = login.phone_hash
    RoleGrant.objects.create(
        user=login, role=Role.RESIDENT, area_id=Area.objects.get(code=GRID).pk, area_code=GRID
    )
    user_phone_set(actor=user_with(Role.ADMINISTRATOR, GRID[:6]), user=login, phone=SPELLINGS[2])
    worker = worker_create(
        actor=None, name="网格员乙", kind=WorkerKind.FULL_TIME, area_code=GRID, phone=SPELLINGS[3]
    )
    hh = household(GRID, phone=SPELLINGS[4])
    person = resident(hh, name="王五", phone=SPELLINGS[5])
    place = people_services.place_create(
        actor=writer(GRID), area_code=GRID, name="幸福超市", kind="shop", contact_phone=SPELLINGS[0]
    )
    case = case_services.case_enter(
        actor=user_with(Role.VILLAGE_STAFF, GRID[:12]),
        source=Source.PHONE,
        category="0206",
        description="路灯不亮",
        area_code=GRID,
        reporter_phone=SPELLINGS[1],
    )
    # then every row holds the digits and the one hash of them
    login.refresh_from_db()
    expected = personal.phone_hash(DIGITS)
    hashes = [created_with, login.phone_hash, worker.phone_hash, hh.phone_hash, person.phone_hash]
    hashes += [place.contact_phone_hash, case.reporter_phone_hash]
    assert hashes == [expected] * 7
    phones = [login.phone, worker.phone, hh.phone, person.phone, place.contact_phone, case.reporter_phone]
    assert phones == [DIGITS] * 6
