import pytest

from grassroots import personal
from grassroots.areas.models import GridKind
from grassroots.demo.people import PeopleStep
from grassroots.demo.steps import SCALES, DemoContext
from grassroots.people import idnumber
from grassroots.people.models import Household, NameSuffix, Place, Resident
from grassroots.people.selectors import search_for
from tests.factories import grid, user_with

pytestmark = pytest.mark.django_db


def test_the_demo_register_is_valid_synthetic_and_searchable():
    grid("150825100001001", kind=GridKind.COMMUNITY)
    grid("150825100201001", kind=GridKind.RURAL)
    ctx = DemoContext(SCALES["small"], 7)
    counts = PeopleStep().run(ctx)
    assert counts["households"] == Household.objects.count() > 10
    assert counts["residents"] == Resident.objects.count()
    rural = Household.objects.filter(area_code="150825100201001").count()
    assert 5 <= rural <= 15
    for r in Resident.objects.all():
        parsed = idnumber.parse(r.id_number)
        assert r.is_synthetic and parsed.address_code == "150825" and int(r.id_number[14:17]) >= 900
        assert (r.birth_date, r.sex, r.id_hash) == (
            parsed.birth_date,
            parsed.sex,
            personal.id_hash(r.id_number),
        )
        assert r.id_masked == r.id_number[:6] + "********" + r.id_number[-4:]
    assert Household.objects.filter(head__isnull=True).count() == 0
    assert NameSuffix.objects.count() >= Resident.objects.count()
    person = Resident.objects.first()
    worker = user_with("grid_worker", person.area_code)
    assert person in search_for(user=worker, q=person.name).residents
    assert person in search_for(user=worker, q=person.id_number).residents
    # and --reset removes it all
    PeopleStep().reset(ctx)
    assert not Resident.objects.exists() and not Household.objects.exists() and not Place.objects.exists()


def test_demo_id_numbers_never_run_out_when_many_share_a_birth_day():
    """At city scale thousands of children share one clamped birth day; 50 order codes fit a day and sex."""
    import datetime as dt
    import random

    from grassroots.demo.people import _Ids

    ids = _Ids(random.Random(1))
    day = dt.date(2026, 5, 1)
    made = [ids.make("150825", day, True) for _n in range(120)]

    numbers = [number for number, _birth in made]
    assert len(set(numbers)) == 120
    assert [birth for _number, birth in made[:50]] == [day] * 50
    assert {birth for _number, birth in made[50:100]} == {day - dt.timedelta(days=1)}
    for number, birth in made:
        parsed = idnumber.parse(number)
        assert parsed.birth_date == birth and parsed.sex == "male" and int(number[14:17]) >= 900
