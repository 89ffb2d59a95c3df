"""A villager writes a phone number into a topic for everyone to read: while they type, the page tells them
that the number will be shown masked and how; once proposed, the topic's public page shows it masked, to a
visitor without a login too."""

from __future__ import annotations

import pytest

from grassroots.deliberation.models import Topic
from tests.deliberation.factories import GRID, five_person_group_unaudited, resident

pytestmark = pytest.mark.e2e


def test_the_writer_sees_the_masked_number_before_proposing(
    transactional_db, live_server, phone_page, log_in, browser
):
    group = five_person_group_unaudited()
    resident(GRID, display_name="陈大妈", username="chen")
    page = phone_page
    log_in(page, live_server, username="chen")
    page.goto(f"{live_server.url}/deliberation/committees/{group.committee.pk}/propose/")
    page.locator("input[name=kind]").first.check()
    page.locator("input[name=title]").fill("门口路灯坏了")
    page.locator("textarea[name=description]").fill("路灯坏了一周，有事找我 +86 138 1234 5678")
    preview = page.locator("#id_description-masked")
    preview.wait_for(state="visible")
    assert "+86 138 **** 5678" in preview.inner_text()
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    topic = Topic.objects.get(title="门口路灯坏了")
    assert topic.description.endswith("+86 138 1234 5678")  # stored as written
    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/deliberation/topics/{topic.pk}/")
    body = visitor.locator("main").inner_text()
    assert "+86 138 **** 5678" in body and "1234 5678" not in body
    visitor.context.close()
