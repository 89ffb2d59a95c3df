import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.people import idnumber
from grassroots.people.errors import IdNumberError

pytestmark = pytest.mark.django_db(databases=[])

births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))
counties = st.sampled_from(["150825", "150802", "110105", "440524", "650102"])
orders = st.integers(min_value=0, max_value=999)


def test_known_samples_are_valid():
    assert idnumber.parse("11010519491231002X").birth_date == dt.date(1949, 12, 31)
    assert idnumber.parse("11010519491231002X").sex == "female"
    assert idnumber.parse("440524188001010014").sex == "male"
    assert idnumber.parse("440524188001010014").birth_date == dt.date(1880, 1, 1)


def test_lower_case_x_blanks_and_full_width_digits_are_normalised():
    assert idnumber.parse(" 110105 19491231 002x ").number == "11010519491231002X"
    assert idnumber.parse("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"


@given(counties, births, orders)
def test_composed_numbers_parse_back_to_their_parts(county, birth, order):
    number = idnumber.compose(county, birth, order)
    parsed = idnumber.parse(number, today=dt.date(2026, 1, 1))
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.sex == ("male" if order % 2 else "female")
    assert parsed.address_code == county


@given(
    counties, births, orders, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9)
)
def test_any_single_digit_error_is_caught(county, birth, order, position, delta):
    number = idnumber.compose(county, birth, order)
    wrong = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(IdNumberError):
        idnumber.parse(wrong, today=dt.date(2026, 1, 1))


@given(counties, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), orders)
def test_legacy_15_digit_numbers_upgrade_to_the_18_digit_form(county, birth, order):
    legacy = f"{county}{birth:%y%m%d}{order:03d}"
    parsed = idnumber.parse(legacy, today=dt.date(2026, 1, 1))
    assert parsed.upgraded_from_15
    assert parsed.number == idnumber.compose(county, birth, order)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_missing"),
        ("1101051949123100", "id_bad_length"),
        ("11010519491231002Y", "id_bad_characters"),
        ("99010519491231002X", "id_bad_region"),
        ("110105194902300028", "id_bad_birth_date"),
        ("110105194912310021", "id_bad_check_digit"),
        (idnumber.compose("110105", dt.date(2099, 1, 1), 1), "id_bad_birth_date"),
    ],
)
def test_each_broken_rule_has_its_own_code(raw, code):
    with pytest.raises(IdNumberError) as exc:
        idnumber.parse(raw, today=dt.date(2026, 1, 1))
    assert exc.value.code == code


def test_error_messages_never_show_the_whole_number():
    number = "110105194912310021"
    with pytest.raises(IdNumberError) as exc:
        idnumber.parse(number)
    assert number not in str(exc.value)
    assert "110105********0021" in str(exc.value)
