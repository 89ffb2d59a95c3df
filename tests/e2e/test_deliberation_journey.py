"""A five-person group decides in the open, each member from their own phone.

A resident proposes; the group puts it on the agenda; five members record opinions; a resolution is voted;
four sign, the fifth refuses with a reason, the topic returns to discussion, then all five sign; the
decision is published; progress is updated; residents rate it — and a resident without any role in the
group, and a visitor who is not logged in at all, can follow every step of it.
"""

from __future__ import annotations

import re

import pytest

from grassroots.deliberation.models import Signature, Topic, TopicEvent
from grassroots.notifications.models import Notification
from tests.deliberation.factories import GRID, five_person_group_unaudited, resident

pytestmark = pytest.mark.e2e

PHONE = {"locale": "zh-CN", "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def village(transactional_db):
    group = five_person_group_unaudited()
    proposer = resident(GRID, display_name="陈大妈", username="chen")
    onlooker = resident(GRID, display_name="周大爷", username="zhou")  # a resident, no seat, no staff role
    return group, proposer, onlooker


@pytest.fixture
def phones(browser, live_server, log_in):
    """A logged-in phone for each username, opened on demand and closed at the end."""
    opened = {}

    def phone(username):
        if username not in opened:
            context = browser.new_context(**PHONE)
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.js_errors = []
            page.on("pageerror", lambda exc, page=page: page.js_errors.append(str(exc)))
            log_in(page, live_server, username=username)
            opened[username] = page
        return opened[username]

    yield phone
    for page in opened.values():
        assert page.js_errors == []
        page.context.close()


def _submit(page, form: str):
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").click()


def _open(page, url):
    page.goto(url)
    page.wait_for_selector("#topic-title")


@pytest.mark.long  # started first: see tests/conftest.py, pytest_collection_modifyitems
def test_a_five_person_group_decides_in_the_open(live_server, browser, phones, village):
    group, proposer, onlooker = village
    members = [m.username for m in group.members]
    base = live_server.url

    # a resident proposes from the phone
    chen = phones(proposer.username)
    chen.goto(f"{base}/deliberation/committees/{group.committee.pk}/")
    with chen.expect_navigation():
        chen.click("#propose-link")
    chen.check("input[name=kind][value=development_proposal]")
    chen.fill("#id_title", "硬化一组到二组的道路")
    chen.fill("#id_description", "土路约1.2公里，雨天无法通行，建议硬化。")
    _submit(chen, "#propose-form")
    assert re.search(r"/deliberation/topics/\d+/$", chen.url)
    topic_url = chen.url
    topic = Topic.objects.get()
    assert chen.locator("#topic-step").get_attribute("data-step") == "propose"

    # a resident with no role in the group follows it
    zhou = phones(onlooker.username)
    _open(zhou, topic_url)
    with zhou.expect_navigation():
        zhou.click("#follow-button")

    # the group puts it on the agenda
    leader = phones(members[0])
    _open(leader, topic_url)
    _submit(leader, "#form-agenda")
    assert leader.locator("#topic-step").get_attribute("data-step") == "discuss"

    def discuss(round_text):
        for n, username in enumerate(members):
            page = phones(username)
            _open(page, topic_url)
            page.check("#opinion-stance_0")  # support
            page.fill("#opinion-text", f"{round_text}（{n + 1}号）")
            _submit(page, "#form-opinion")
        assert phones(members[-1]).locator("#topic-step").get_attribute("data-step") == "resolve"

    def vote(text):
        drafter = phones(members[1])
        _open(drafter, topic_url)
        drafter.fill("#draft-text", text)
        _submit(drafter, "#form-draft")
        for username in members:
            page = phones(username)
            _open(page, topic_url)
            page.check("#ballot-choice_0")  # agree
            _submit(page, "#form-ballot")
        assert phones(members[-1]).locator("#topic-step").get_attribute("data-step") == "sign"

    def sign(username):
        page = phones(username)
        _open(page, topic_url)
        _submit(page, "#form-sign")
        return page

    # five members record opinions; a resolution is voted
    discuss("同意硬化")
    vote("硬化道路1.2公里，每户出工两天。")

    # four sign, the fifth refuses with a reason
    for username in members[:4]:
        sign(username)
    liu = phones(members[4])
    _open(liu, topic_url)
    assert liu.locator("#step-count strong").inner_text() == "4"
    liu.click("#form-refuse summary")
    liu.fill("#refuse-reason", "道路占用我家承包地，补偿没有说清。")
    _submit(liu, "#form-refuse")
    # the topic returns to discussion, in a second round
    assert liu.locator("#topic-step").get_attribute("data-step") == "discuss"
    assert "2" in liu.locator(".now .round-badge").inner_text()

    # round two: the compensation is settled; everyone signs
    discuss("补偿按每亩两千元, 同意")
    vote("硬化道路1.2公里，占地按每亩两千元补偿，每户出工两天。")
    for username in members:
        page = sign(username)
    assert page.locator("#topic-step").get_attribute("data-step") == "publish"

    # the decision is published
    leader = phones(members[0])
    _open(leader, topic_url)
    leader.fill("#publish-note", "已在村务公开栏张贴。")
    _submit(leader, "#form-publish")
    assert leader.locator("#topic-step").get_attribute("data-step") == "carry_out"
    assert leader.locator("#signatures li").count() == 5

    # progress is updated, then the work is done
    zhang = phones(members[2])
    _open(zhang, topic_url)
    zhang.select_option("#progress-status", "in_progress")
    zhang.fill("#progress-percent", "60")
    zhang.fill("#progress-note", "路基完成，开始铺设。")
    _submit(zhang, "#form-progress")
    assert "60%" in zhang.locator("#progress h2").inner_text()
    zhang.select_option("#progress-status", "done")
    zhang.fill("#progress-percent", "100")
    zhang.fill("#progress-note", "全线硬化完工。")
    _submit(zhang, "#form-progress")
    assert zhang.locator("#topic-step").get_attribute("data-step") == "evaluate"

    # residents rate it
    for page in (chen, zhou):
        _open(page, topic_url)
        page.check("#rating-rating_0")  # satisfied
        _submit(page, "#form-rate")
        assert page.locator("#ratings .big").inner_text() in ("100%",)

    # the resident without any role follows every step: on the page, and in their inbox
    _open(zhou, topic_url)
    kinds = zhou.locator("#timeline li").evaluate_all("items => items.map(li => li.dataset.kind)")
    assert kinds.count("opinion") == 10
    assert kinds.count("ballot") == 10
    assert kinds.count("signed") == 9
    assert kinds.count("refused") == 1
    assert {"proposed", "put_on_agenda", "vote_passed", "published", "progress"} <= set(kinds)
    timeline = zhou.locator("#timeline").inner_text()
    assert "道路占用我家承包地，补偿没有说清。" in timeline  # the refusal's reason, in public
    assert Notification.objects.filter(recipient=onlooker, target_id=str(topic.pk)).count() >= 8

    # and so does a visitor who is not logged in at all
    visitor = browser.new_context(**PHONE)
    try:
        page = visitor.new_page()
        _open(page, topic_url)
        assert page.locator("#timeline li").count() == len(kinds)
        assert page.locator("#signatures li").count() == 5
        assert page.locator("#act").count() == 0
        assert "陈*妈" in page.locator("#timeline").inner_text()  # residents' names are masked in public
    finally:
        visitor.close()

    # every signature was given by the member themself, from their own account
    assert sorted(Signature.objects.values_list("signer__username", flat=True)) == sorted(members * 2)
    assert TopicEvent.objects.filter(topic=topic, kind="refused").count() == 1
