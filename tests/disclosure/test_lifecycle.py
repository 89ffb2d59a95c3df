"""A notice's life is one table (disclosure/lifecycle.py): every step is taken through it and recorded with who
took it and when; a step the table does not list is refused and records nothing."""

import pytest

from grassroots import clock
from grassroots.appendonly import AppendOnlyError
from grassroots.disclosure import lifecycle, services
from grassroots.disclosure.models import NoticeEvent, NoticeKind, NoticeState

from .conftest import ALLOWANCE_ROWS, at


def _draft(town):
    with clock.frozen(at("2026-03-02")):
        return services.notice_create(
            actor=town.staff,
            board=town.board,
            kind=NoticeKind.ALLOWANCE,
            title="3月低保调整",
            rows=ALLOWANCE_ROWS,
        )


def _steps(notice):
    return [
        (e.action, e.old_state, e.new_state, e.actor_id) for e in NoticeEvent.objects.filter(notice=notice)
    ]


def test_each_step_records_who_took_it_from_which_state_to_which(town):
    notice = _draft(town)
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_publish(actor=town.staff, notice=notice)
    rows = [dict(r) for r in ALLOWANCE_ROWS]
    rows[0]["amount"] = "1300.00"
    with clock.frozen(at("2026-03-05")):
        services.notice_correct(actor=town.staff, notice=notice, reason="金额有误", rows=rows)
    with clock.frozen(at("2026-03-12")):
        services.notice_confirm(actor=town.staff, notice=notice)
    with clock.frozen(at("2026-03-13")):
        services.notice_withdraw(actor=town.staff, notice=notice)
    staff = town.staff.pk
    assert _steps(notice) == [
        ("publish", "draft", "published", staff),
        ("correct", "published", "published", staff),
        ("confirm", "published", "confirmed", staff),
        ("withdraw", "confirmed", "withdrawn", staff),
    ]
    notice.refresh_from_db()
    assert notice.state == NoticeState.WITHDRAWN


@pytest.mark.parametrize("state", list(NoticeState))
@pytest.mark.parametrize("action", ["publish", "correct", "confirm", "withdraw"])
def test_the_table_alone_decides_which_step_is_possible(state, action):
    allowed = {
        ("draft", "publish"), ("published", "correct"), ("confirmed", "correct"), ("published", "confirm"),
        ("published", "withdraw"), ("confirmed", "withdraw"),
    }  # fmt: skip
    assert ((state, action) in lifecycle.TRANSITIONS) == ((state, action) in allowed)


def test_a_refused_step_records_nothing_and_says_why(town):
    notice = _draft(town)
    with pytest.raises(services.WrongState, match=str(lifecycle.REFUSED["confirm"])):
        services.notice_confirm(actor=town.staff, notice=notice)
    with pytest.raises(services.WrongState):
        services.notice_correct(actor=town.staff, notice=notice, reason="x", title="新标题")
    assert not NoticeEvent.objects.exists()


def test_steps_are_never_edited(town):
    notice = _draft(town)
    with clock.frozen(at("2026-03-02")):
        services.notice_publish(actor=town.staff, notice=notice)
    event = NoticeEvent.objects.get()
    event.actor_name = "别人"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_the_public_page_shows_the_steps_and_only_staff_see_who_took_them(town, client):
    notice = _draft(town)
    with clock.frozen(at("2026-03-02")):
        services.notice_publish(actor=town.staff, notice=notice)
    page = client.get(f"/disclosure/notices/{notice.pk}/").content.decode()
    assert 'data-action="publish"' in page and str(town.staff) not in page
    client.force_login(town.staff)
    page = client.get(f"/disclosure/notices/{notice.pk}/").content.decode()
    assert 'data-action="publish"' in page and str(town.staff) in page
