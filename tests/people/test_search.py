import pytest

from grassroots.accounts.models import Role
from grassroots.people.selectors import SearchField, detect_field, search_for
from tests.factories import user_with

from .factories import GRID, OTHER_GRID, household, resident, synthetic_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    hh = household(address="塞上社区团结路12号", phone="04788123456")
    people = {
        "zhang": resident(hh, name="张三丰", id_number=synthetic_id(order=911), phone="13800138000"),
        "li": resident(hh, name="李明华"),
        "ceng": resident(hh, name="曾小明"),
        "mongol": resident(hh, name="乌云其木格"),
    }
    far = household(OTHER_GRID, address="民主村团结路3号")
    people["outside"] = resident(far, name="张三", id_number=synthetic_id(order=912), phone="13900139000")
    return hh, people


def _names(result):
    return [r.name for r in result.residents]


def test_name_substring_finds_the_middle_and_end_of_names(register):
    worker = user_with(Role.GRID_WORKER, GRID)
    assert _names(search_for(user=worker, q="明")) == ["李明华", "曾小明"]
    assert _names(search_for(user=worker, q="三丰")) == ["张三丰"]
    assert _names(search_for(user=worker, q="其木")) == ["乌云其木格"]


def test_exact_and_prefix_matches_come_first(register):
    village = user_with(Role.VILLAGE_STAFF, GRID[:9])
    assert _names(search_for(user=village, q="张三")) == ["张三", "张三丰"]


def test_pinyin_and_initials(register):
    worker = user_with(Role.GRID_WORKER, GRID)
    assert _names(search_for(user=worker, q="zsf")) == ["张三丰"]
    assert _names(search_for(user=worker, q="zhangsan")) == ["张三丰"]
    assert _names(search_for(user=worker, q="ZXM")) == ["曾小明"]
    assert _names(search_for(user=worker, q="wuyun")) == ["乌云其木格"]


def test_exact_id_and_phone_through_the_keyed_hash(register):
    _, people = register
    worker = user_with(Role.GRID_WORKER, GRID)
    result = search_for(user=worker, q=people["zhang"].id_number.lower())
    assert (result.field, _names(result)) == (SearchField.ID_NUMBER, ["张三丰"])
    assert _names(search_for(user=worker, q="138-0013-8000")) == ["张三丰"]
    assert [h.address for h in search_for(user=worker, q="0478-8123456").households] == ["塞上社区团结路12号"]


def test_address_substring(register):
    worker = user_with(Role.GRID_WORKER, GRID)
    result = search_for(user=worker, q="团结路", field=SearchField.ADDRESS)
    assert [h.address for h in result.households] == ["塞上社区团结路12号"]


def test_search_never_crosses_scope(register):
    _, people = register
    worker = user_with(Role.GRID_WORKER, GRID)
    assert "张三" not in _names(search_for(user=worker, q="张三"))
    assert _names(search_for(user=worker, q=people["outside"].id_number)) == []
    assert _names(search_for(user=worker, q="13900139000")) == []
    for role in (Role.RESIDENT, Role.DEPARTMENT_HANDLER):
        outsider = user_with(role, GRID)
        assert _names(search_for(user=outsider, q="明")) == []


def test_an_invalid_id_number_says_why_instead_of_searching(register):
    worker = user_with(Role.GRID_WORKER, GRID)
    result = search_for(user=worker, q="150825198005170000")
    assert result.residents == [] and "150825198005170000" not in result.message and result.message


@pytest.mark.parametrize(
    ("q", "field"),
    [
        ("11010519491231002x", SearchField.ID_NUMBER),
        ("110105491231002", SearchField.ID_NUMBER),
        ("13800138000", SearchField.PHONE),
        ("0478-8123456", SearchField.PHONE),
        ("zsf", SearchField.PINYIN),
        ("张三", SearchField.NAME),
        ("团结路12号", SearchField.ADDRESS),
    ],
)
def test_the_kind_of_query_is_recognised(q, field):
    assert detect_field(q) == field
