import pytest

from grassroots.accounts.models import Role, RoleGrant
from grassroots.accounts.scoping import OutOfScope, get_in_scope_or_404, in_scope, scope_codes, scoped
from grassroots.areas.models import Area
from tests.factories import UserFactory, area, user_with

pytestmark = pytest.mark.django_db


def test_scope_is_the_subtree_of_each_grant():
    # given a township staff member of 150825100
    user = user_with(Role.TOWNSHIP_STAFF, "150825100")
    area("150825100001")
    area("150825200001")
    # then the township and its villages are in scope, the neighbour township is not
    assert in_scope(user, "150825100")
    assert in_scope(user, "150825100001")
    assert not in_scope(user, "150825200001")
    assert not in_scope(user, "150825")
    codes = set(scoped(Area.objects.all(), user, field="code").values_list("code", flat=True))
    assert codes == {"150825100", "150825100001"}


def test_the_scope_as_a_range_of_codes_selects_the_same_rows():
    # given grants on two townships, and areas inside, beside and around them
    user = user_with(Role.TOWNSHIP_STAFF, "150825100")
    RoleGrant.objects.create(
        user=user, role=Role.TOWNSHIP_STAFF, area=area("150825200"), area_code="150825200"
    )
    user._grassroots_grants = None
    for code in ("150825100001", "150825101", "150825200001", "150825300001", "150825"):
        area(code)
    # then the ranged scope selects exactly the prefix scope's rows, on either engine
    prefix = set(scoped(Area.objects.all(), user, field="code").values_list("code", flat=True))
    ranged = set(scoped(Area.objects.all(), user, field="code", ranged=True).values_list("code", flat=True))
    assert prefix == {"150825100", "150825100001", "150825200", "150825200001"}
    assert ranged == prefix


def test_overlapping_grants_collapse_to_the_widest():
    user = user_with(Role.LEADER, "1508")
    area("150825100")
    RoleGrant.objects.create(
        user=user, role=Role.LEADER, area=Area.objects.get(code="150825100"), area_code="150825100"
    )
    user._grassroots_grants = None
    assert scope_codes(user) == ["1508"]


def test_role_filter_narrows_scope():
    user = user_with(Role.RESIDENT, "150825100001")
    assert in_scope(user, "150825100001")
    assert not in_scope(user, "150825100001", roles={Role.GRID_WORKER})


def test_user_without_grants_sees_nothing_and_outside_is_404():
    user = UserFactory()
    area("150825100001")
    assert scoped(Area.objects.all(), user, field="code").count() == 0
    with pytest.raises(OutOfScope):
        get_in_scope_or_404(Area.objects.all(), user, field="code", code="150825100001")


def test_anonymous_sees_nothing():
    from django.contrib.auth.models import AnonymousUser

    area("150825100001")
    assert scoped(Area.objects.all(), AnonymousUser(), field="code").count() == 0


def test_inactive_user_loses_scope():
    user = user_with(Role.ADMINISTRATOR, "15")
    user.is_active = False
    assert scope_codes(user) == []
