"""Who may do what: village staff in scope act; staff of another village, residents and visitors get 404
(or the login page / 401) and nothing changes."""

import pytest
from django.test import Client

from grassroots import clock
from grassroots.disclosure import services
from grassroots.disclosure.models import Notice, NoticeKind, NoticeState, NoticeVersion, Objection

from .conftest import ALLOWANCE_ROWS, at


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _draft(town):
    return services.notice_create(
        actor=town.staff, board=town.board, kind=NoticeKind.ALLOWANCE, title="低保", rows=ALLOWANCE_ROWS
    )


def _snapshot():
    return (
        list(Notice.objects.order_by("pk").values_list("state", "draft")),
        NoticeVersion.objects.count(),
        list(Objection.objects.values_list("answer", flat=True)),
    )


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("staff", True), ("township", True), ("other_staff", False), ("resident", False), (None, False)],
)
def test_publish_page_matrix(town, who, allowed):
    notice = _draft(town)
    before = _snapshot()
    client = _client(getattr(town, who) if who else None)
    with clock.frozen(at("2026-03-02")):
        response = client.post(f"/disclosure/notices/{notice.pk}/publish/", {"window_days": "7"})
        manage = client.get(f"/disclosure/boards/{town.board.pk}/manage/")
    if allowed:
        assert response.status_code == 302 and manage.status_code == 200
        assert Notice.objects.get().state == NoticeState.PUBLISHED
    else:
        expected = 302 if who is None else 404  # visitors are sent to log in
        assert response.status_code == expected and manage.status_code == expected
        assert _snapshot() == before


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("staff", True), ("township", True), ("other_staff", False), ("resident", False), (None, False)],
)
def test_api_staff_actions_matrix(town, who, allowed):
    notice = _draft(town)
    with clock.frozen(at("2026-03-02")):
        published = services.notice_publish(actor=town.staff, notice=_draft(town))
    with clock.frozen(at("2026-03-03")):
        objection = services.objection_raise(actor=town.resident, notice=published, text="不同意")
    before = _snapshot()
    client = _client(getattr(town, who) if who else None)
    with clock.frozen(at("2026-03-04")):
        responses = [
            client.post(
                f"/api/v1/disclosure/notices/{notice.pk}/publish", {}, content_type="application/json"
            ),
            client.post(
                f"/api/v1/disclosure/objections/{objection.pk}/answer",
                {"answer": "已核查"},
                content_type="application/json",
            ),
            client.post(
                f"/api/v1/disclosure/boards/{town.board.pk}/notices",
                {"kind": "text", "title": "通知", "body": "开会"},
                content_type="application/json",
            ),
            client.get(f"/api/v1/disclosure/notices/{notice.pk}/draft"),
        ]
    codes = [r.status_code for r in responses]
    if allowed:
        assert codes == [200, 200, 201, 200]
    else:
        assert codes == [401 if who is None else 404] * 4
        assert _snapshot() == before


def test_public_pages_need_no_login_and_objecting_needs_one(town):
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_publish(actor=town.staff, notice=_draft(town))
    client = Client()
    with clock.frozen(at("2026-03-03")):
        assert client.get(f"/disclosure/boards/{town.board.pk}/").status_code == 200
        page = client.get(f"/disclosure/notices/{notice.pk}/")
        assert page.status_code == 200 and "chain-ok" in page.content.decode()
        assert client.get(f"/disclosure/notices/{notice.pk}/qr.svg")["Content-Type"] == "image/svg+xml"
        assert client.post(f"/disclosure/notices/{notice.pk}/object/", {"text": "x"}).status_code == 302
        assert (
            client.post(
                f"/api/v1/disclosure/notices/{notice.pk}/objections",
                {"text": "x"},
                content_type="application/json",
            ).status_code
            == 401
        )
    assert not Objection.objects.exists()


def test_resident_objects_through_the_api_and_a_late_one_is_refused(town):
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_publish(actor=town.staff, notice=_draft(town))
    client = _client(town.resident)
    url = f"/api/v1/disclosure/notices/{notice.pk}/objections"
    with clock.frozen(at("2026-03-04")):
        assert client.post(url, {"text": "有异议"}, content_type="application/json").status_code == 201
    with clock.frozen(at("2026-03-12")):
        late = client.post(url, {"text": "晚了"}, content_type="application/json")
    assert late.status_code == 409 and late.json()["code"] == "wrong_state"
    assert Objection.objects.count() == 1


def test_board_list_pins_its_queries(town, django_assert_num_queries):
    client = _client(town.staff)
    client.get("/api/v1/disclosure/boards")  # warm the session
    with django_assert_num_queries(4):
        response = client.get("/api/v1/disclosure/boards")
    assert [b["name"] for b in response.json()] == ["民主村村务公开栏"]


def test_public_board_lists_pin_their_queries(town, django_assert_num_queries):
    # given a board with three published notices, one of them corrected and objected to
    with clock.frozen(at("2026-03-02")):
        notices = [services.notice_publish(actor=town.staff, notice=_draft(town)) for _ in range(3)]
        services.notice_correct(actor=town.staff, notice=notices[0], reason="更正", title="更正标题")
        services.objection_raise(actor=town.resident, notice=notices[1], text="有异议")
    client = Client()
    # then the public page and the API answer in a fixed number of queries, whatever the number of notices
    with clock.frozen(at("2026-03-03")):
        with django_assert_num_queries(3):
            assert client.get(f"/disclosure/boards/{town.board.pk}/").status_code == 200
        with django_assert_num_queries(4):
            response = client.get(f"/api/v1/disclosure/boards/{town.board.pk}/notices")
    assert len(response.json()) == 3 and all(n["chain_ok"] for n in response.json())


@pytest.mark.parametrize(("who", "allowed"), [("staff", True), ("other_staff", False), ("resident", False)])
def test_board_creation_matrix(town, who, allowed):
    from grassroots.disclosure.models import Board

    client = _client(getattr(town, who))
    response = client.post(
        "/disclosure/boards/new/", {"village_code": town.village.code, "village_group": "2"}
    )
    if allowed:
        board = Board.objects.exclude(pk=town.board.pk).get()
        assert response.status_code == 302 and board.village_group == town.groups[1]
        assert board.catalogue.count() == 4
    else:
        assert response.status_code == 404 and Board.objects.count() == 1


def test_an_administrator_manages_the_board_but_staff_answer_objections(town):
    from grassroots.accounts.models import Role
    from grassroots.cases.models import Case, State
    from grassroots.errors import NotPermitted
    from tests.factories import user_with

    admin = user_with(Role.ADMINISTRATOR, town.village.code, username="admin")
    with clock.frozen(at("2026-03-02")):
        notice = services.notice_publish(actor=town.staff, notice=_draft(town))
    with clock.frozen(at("2026-03-03")):
        objection = services.objection_raise(actor=town.resident, notice=notice, text="不同意")
    before = _snapshot()
    client = _client(admin)
    with clock.frozen(at("2026-03-04")):
        manage = client.get(f"/disclosure/boards/{town.board.pk}/manage/")
        api = client.post(
            f"/api/v1/disclosure/objections/{objection.pk}/answer",
            {"answer": "已核查"},
            content_type="application/json",
        )
        page = client.post(f"/disclosure/objections/{objection.pk}/answer/", {"answer": "已核查"})
        with pytest.raises(NotPermitted):
            services.objection_answer(actor=admin, objection=objection, answer="已核查")
    # the board is theirs to manage, the answer form is not offered, and a try is refused with the reason
    assert manage.status_code == 200
    html = manage.content.decode()
    assert 'name="answer_objection"' not in html and "系统管理员只管理公示栏" in html
    assert api.status_code == 403 and "系统管理员只管理公示栏" in api.json()["message"]
    assert (
        page.status_code == 403 and "系统管理员只管理公示栏" in page.content.decode()
    )  # the site's 403 page, with the reason
    assert _snapshot() == before
    assert Case.objects.get(pk=objection.case_id).state == State.REPORTED
