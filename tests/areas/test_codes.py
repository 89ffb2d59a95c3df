"""Area codes: shape per level, child extends parent, every segment of the path is real."""

import itertools

import pytest
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from grassroots.areas.codes import (
    CODE_LENGTH,
    PROVINCE_CODES,
    CodeError,
    Level,
    ancestor_codes,
    grid_code,
    level_of,
    local_part,
    parent_code,
    parent_of,
    validate_code,
)


@pytest.fixture(autouse=True, scope="module")
def english_messages():
    """These tests read the English wording (the msgids); tests/test_translations.py checks the Chinese catalogue."""
    with translation.override("en"):
        yield


SEGMENT_WIDTHS = [CODE_LENGTH[Level(lv)] - CODE_LENGTH[Level(lv - 1)] for lv in range(2, 7)]  # 2 2 3 3 3


def _segment(width: int):
    return st.integers(min_value=1, max_value=10**width - 1).map(lambda n: str(n).zfill(width))


@st.composite
def valid_codes(draw, level: Level | None = None):
    depth = draw(st.sampled_from(list(Level))) if level is None else level
    code = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    for width in SEGMENT_WIDTHS[: depth - 1]:
        code += draw(_segment(width))
    return code


@given(valid_codes())
def test_a_well_formed_code_validates_at_the_level_its_length_says(code):
    level = validate_code(code)
    assert CODE_LENGTH[level] == len(code)
    assert validate_code(code, level=level) == level


@given(valid_codes())
def test_every_ancestor_of_a_valid_code_is_valid_and_a_prefix(code):
    ancestors = ancestor_codes(code)
    assert ancestors[-1] == code
    assert [len(a) for a in ancestors] == sorted({len(a) for a in ancestors})
    for higher, lower in itertools.pairwise(ancestors):
        assert lower.startswith(higher)
        assert parent_code(lower) == parent_of(lower) == higher
        assert validate_code(lower, parent=higher) == level_of(lower)
    for a in ancestors:
        validate_code(a)


@given(st.sampled_from([lv for lv in Level if lv > Level.PROVINCE]), st.data())
def test_a_child_must_extend_its_parent(level, data):
    code = data.draw(valid_codes(level))
    parent = parent_code(code)
    other = data.draw(valid_codes(Level(level - 1)).filter(lambda c: c != parent))
    with pytest.raises(CodeError, match="does not extend"):
        validate_code(code, parent=other)


@given(valid_codes(), st.sampled_from(list(Level)))
def test_a_parent_of_the_wrong_level_is_refused(code, parent_level):
    level = level_of(code)
    assume(level > Level.PROVINCE and parent_level < level - 1)
    with pytest.raises(CodeError):
        validate_code(code, parent=code[: CODE_LENGTH[parent_level]])


@given(valid_codes(), st.data())
def test_a_segment_of_zeros_anywhere_in_the_path_is_refused(code, data):
    level = level_of(code)
    assume(level > Level.PROVINCE)
    segment_level = data.draw(st.integers(min_value=Level.CITY, max_value=level))
    start, end = CODE_LENGTH[Level(segment_level - 1)], CODE_LENGTH[Level(segment_level)]
    broken = code[:start] + "0" * (end - start) + code[end:]
    with pytest.raises(CodeError):
        validate_code(broken)


@given(st.text(min_size=1, max_size=20))
def test_anything_that_is_not_ascii_digits_is_refused(text):
    assume(not (text.isascii() and text.isdigit()))
    with pytest.raises(CodeError):
        validate_code(text)


@given(st.integers(min_value=0, max_value=20))
def test_only_the_six_code_lengths_exist(length):
    assume(length not in CODE_LENGTH.values())
    with pytest.raises(CodeError):
        validate_code("1" * length)


@given(valid_codes(), st.sampled_from(list(Level)))
def test_a_code_of_another_level_than_asked_is_refused(code, level):
    assume(level_of(code) != level)
    with pytest.raises(CodeError):
        validate_code(code, level=level)


@given(st.text(alphabet="0123456789", min_size=2, max_size=2))
def test_only_gb_t_2260_provinces_exist(prefix):
    if prefix in PROVINCE_CODES:
        assert validate_code(prefix) == Level.PROVINCE
        assert validate_code(prefix + "01") == Level.CITY
    else:
        with pytest.raises(CodeError):
            validate_code(prefix)
        with pytest.raises(CodeError):
            validate_code(prefix + "01")


@given(valid_codes(Level.VILLAGE), st.integers(min_value=1, max_value=999))
def test_grid_code_is_the_village_code_and_a_three_digit_number(village, number):
    code = grid_code(village, number)
    assert validate_code(code, parent=village) == Level.GRID
    assert local_part(code) == f"{number:03d}"
    assert int(local_part(code)) == number


@given(valid_codes(Level.VILLAGE), st.integers().filter(lambda n: not 1 <= n <= 999))
def test_grid_numbers_outside_1_to_999_are_refused(village, number):
    with pytest.raises(CodeError):
        grid_code(village, number)


def test_examples_from_the_seed_city():
    assert validate_code("150825") == Level.COUNTY  # 乌拉特后旗
    assert validate_code("150825100", parent="150825") == Level.TOWNSHIP
    assert validate_code("150825100001001") == Level.GRID
    with pytest.raises(CodeError, match="digits only"):
        validate_code("１５０８")  # full-width digits
    with pytest.raises(CodeError, match="does not extend"):
        validate_code("150826100", parent="150825")
    with pytest.raises(CodeError, match="may not all be zero"):
        validate_code("150825000")
    with pytest.raises(CodeError, match="may not all be zero"):
        validate_code("150000100001")  # hangs under the non-existent city 1500


def test_a_province_lies_in_no_other_area():
    assert parent_code("15") is None
    with pytest.raises(ValueError, match="no other area"):
        parent_of("15")
