"""Numbers written into a public topic — its title and description, opinions, comments, the resolution,
a refusal's reason, progress notes — in every spelling come back masked on every public surface: the
committee's and topic's pages, the timeline and comment APIs, to anyone without a login. The writer is told
before publishing (the preview while typing; the API's ``warnings``), and the stored text stays as written."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from grassroots.deliberation import services
from grassroots.deliberation.models import Comment, Topic
from tests.planted_numbers import PLANTED, TEXT, leaks, masked_forms

from .factories import five_person_group, five_person_to, propose, resident

pytestmark = pytest.mark.django_db


def _api(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return json.dumps(response.json(), ensure_ascii=False)


def test_numbers_in_a_public_topic_come_back_masked_everywhere():
    # given a public five-person group whose topic carries numbers in every spelling, wherever people write
    group = five_person_group()
    villager = resident()
    topic = propose(group.committee, by=villager, title="修路 138-1234-0008", description=TEXT)
    topic = services.topic_put_on_agenda(actor=group.members[0], topic=topic, note=TEXT)
    for member in group.members:
        topic = services.opinion_record(actor=member, topic=topic, stance="support", text=TEXT)
    services.comment_add(actor=villager, topic=topic, text=TEXT)
    topic = five_person_to(topic, group.members, "sign")
    # when anyone, without a login, reads every public rendering of it
    client = Client()
    renderings = {
        "topic page": client.get(f"/deliberation/topics/{topic.pk}/").content.decode(),
        "committee page": client.get(f"/deliberation/committees/{group.committee.pk}/").content.decode(),
        "topic api": _api(client, f"/api/v1/deliberation/topics/{topic.pk}"),
        "timeline api": _api(client, f"/api/v1/deliberation/topics/{topic.pk}/timeline"),
        "comments api": _api(client, f"/api/v1/deliberation/topics/{topic.pk}/comments"),
        "topics api": _api(client, f"/api/v1/deliberation/committees/{group.committee.pk}/topics"),
    }
    # then no number comes back whole, and each is shown in its masked form
    for surface, text in renderings.items():
        assert not leaks(text), (surface, leaks(text))
    for surface in ("topic page", "topic api", "timeline api", "comments api"):
        assert len(masked_forms(renderings[surface])) == len(PLANTED), surface
    assert "修路 138-****-0008" in renderings["committee page"]
    # and the stored text stays as it was written
    assert Topic.objects.get(pk=topic.pk).description == TEXT
    assert Comment.objects.get(topic=topic).text == TEXT


def test_the_writer_is_told_before_publishing():
    group = five_person_group()
    villager = resident()
    client = Client()
    client.force_login(villager)
    # the preview while typing: the sentence, and the text as others will read it
    answer = client.post(
        "/text/masked-preview", {"text": "我的电话 +86 138 1234 0002", "label": "意见"}
    ).json()
    assert answer["masked"] == "我的电话 +86 138 **** 0002"
    assert "意见" in answer["warnings"][0] and "+86 138 **** 0002" in answer["warnings"][0]
    assert client.post("/text/masked-preview", {"text": "2026-03-02 修路 1200 元"}).json() == {
        "warnings": [],
        "masked": "",
    }
    # the page's fields ask for the preview
    html = client.get(f"/deliberation/committees/{group.committee.pk}/propose/").content.decode()
    assert html.count('data-masked-preview="/text/masked-preview"') == 2
    # the API answers with a warning for each text with a number
    response = client.post(
        f"/api/v1/deliberation/committees/{group.committee.pk}/topics",
        json.dumps({"kind": "development_proposal", "title": "修路", "description": "找我 13812340001"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["description"] == "找我 138****0001"
    assert len(body["warnings"]) == 1 and "138****0001" in body["warnings"][0]
    topic_id = body["id"]
    response = client.post(
        f"/api/v1/deliberation/topics/{topic_id}/comments",
        json.dumps({"text": "同意"}),
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["warnings"] == []
