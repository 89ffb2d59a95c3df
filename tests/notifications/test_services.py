"""notify() and muted(): who is told."""

from __future__ import annotations

import pytest

from grassroots.notifications.models import Notification
from grassroots.notifications.services import muted, notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _inbox(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True))


def test_muted_users_hear_nothing_inside_the_block_and_the_others_do():
    quiet, other = UserFactory(), UserFactory()
    with muted(quiet):
        notify(recipients=[quiet, other], title="一")
        with muted(other):  # nested blocks add to the muted
            notify(recipients=[quiet, other], title="二")
        notify(recipients=[other], title="三")
    notify(recipients=[quiet, other], title="四")  # after the block, both hear again
    assert _inbox(quiet) == ["四"]
    assert _inbox(other) == ["一", "三", "四"]


def test_an_error_inside_the_block_does_not_leave_anyone_muted():
    user = UserFactory()
    with pytest.raises(RuntimeError), muted(user):
        raise RuntimeError
    notify(recipients=[user], title="到")
    assert _inbox(user) == ["到"]
