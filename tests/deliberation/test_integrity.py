"""Integrity: a recorded opinion, vote or signature is never edited in place; a correction is a new,
visible entry; each signature records who, when and from which account; nobody signs for another."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from grassroots.deliberation import selectors, services, workflow
from grassroots.deliberation.models import (
    AppendOnlyError,
    Ballot,
    Channel,
    EventKind,
    Opinion,
    Signature,
    TopicEvent,
)
from grassroots.errors import NotPermitted
from tests.deliberation.factories import five_person_group, five_person_to, fresh, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussing():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "discuss")
    return group, topic


def test_a_corrected_opinion_keeps_the_original_and_both_show_on_the_timeline(discussing):
    group, topic = discussing
    services.opinion_record(actor=group.members[0], topic=topic, stance="oppose", text="反对, 费用太高")
    original = Opinion.objects.get(topic=topic)
    services.opinion_correct(actor=group.members[0], opinion=original, stance="support", text="算过账后同意")
    rows = list(Opinion.objects.filter(topic=topic).order_by("id"))
    assert [(o.stance, o.text, o.corrects_id) for o in rows] == [
        ("oppose", "反对, 费用太高", None),
        ("support", "算过账后同意", original.pk),
    ]
    events = list(TopicEvent.objects.filter(topic=topic, kind__startswith="opinion").order_by("id"))
    assert [e.kind for e in events] == [EventKind.OPINION, EventKind.OPINION_CORRECTED]
    assert events[1].detail["was"] == "oppose"
    # the current opinion is the correction; the rule still counts the member once
    assert selectors.step_status(fresh(topic)).have == 1
    assert selectors.current_opinions(topic, "discuss", 1)[group.memberships[0].pk].pk == rows[1].pk


def test_only_the_latest_version_of_ones_own_opinion_can_be_corrected(discussing):
    group, topic = discussing
    services.opinion_record(actor=group.members[0], topic=topic, stance="oppose", text="反对")
    original = Opinion.objects.get(topic=topic)
    services.opinion_correct(actor=group.members[0], opinion=original, stance="support", text="同意")
    with pytest.raises(workflow.ActionNotAllowed):
        services.opinion_correct(actor=group.members[0], opinion=original, stance="reserve", text="保留")
    with pytest.raises(NotPermitted):
        latest = Opinion.objects.filter(topic=topic).latest("id")
        services.opinion_correct(actor=group.members[1], opinion=latest, stance="oppose", text="替他改")
    assert Opinion.objects.filter(topic=topic).count() == 2


def test_voting_again_while_the_vote_is_open_is_a_visible_correction():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "resolve")
    topic = services.resolution_draft(actor=group.members[0], topic=topic, text="硬化道路")
    services.ballot_cast(actor=group.members[0], topic=topic, choice="disagree")
    services.ballot_cast(actor=group.members[0], topic=topic, choice="agree")
    ballots = list(Ballot.objects.filter(topic=topic).order_by("id"))
    assert [(b.choice, b.corrects_id) for b in ballots] == [("disagree", None), ("agree", ballots[0].pk)]
    status = selectors.step_status(fresh(topic))
    assert (status.outcome.present, status.outcome.agree, status.outcome.disagree) == (1, 1, 0)
    assert TopicEvent.objects.filter(topic=topic, kind=EventKind.BALLOT_CORRECTED).count() == 1


def test_records_refuse_to_be_edited_through_the_orm(discussing):
    group, topic = discussing
    services.opinion_record(actor=group.members[0], topic=topic, stance="oppose", text="反对")
    opinion = Opinion.objects.get(topic=topic)
    opinion.text = "改成同意"
    with pytest.raises(AppendOnlyError):
        opinion.save()
    with pytest.raises(AppendOnlyError):
        Opinion.objects.filter(pk=opinion.pk).update(text="改成同意")
    with pytest.raises(AppendOnlyError):
        opinion.delete()
    with pytest.raises(AppendOnlyError):
        Opinion.objects.filter(pk=opinion.pk).delete()
    assert Opinion.objects.get(pk=opinion.pk).text == "反对"


@pytest.mark.parametrize("table", ["deliberation_opinion", "deliberation_topicevent"])
def test_the_database_itself_refuses_an_update(discussing, table):
    group, topic = discussing
    services.opinion_record(actor=group.members[0], topic=topic, stance="oppose", text="反对")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET round = 7")  # noqa: S608 - fixed table names
    assert not Opinion.objects.filter(round=7).exists()


def test_each_signature_records_who_when_and_from_which_account():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "sign")
    origin = workflow.Origin(
        channel=Channel.API, ip_address="10.1.2.3", user_agent="Grassroots/1.0 (Android)"
    )
    services.signature_sign(actor=group.members[2], topic=topic, origin=origin)
    sig = Signature.objects.get(topic=topic)
    assert sig.signer == group.members[2]
    assert sig.membership == group.memberships[2]
    assert sig.signer_username == group.members[2].username
    assert (sig.channel, sig.ip_address, sig.user_agent) == ("api", "10.1.2.3", "Grassroots/1.0 (Android)")
    assert sig.recorded_at is not None
    event = TopicEvent.objects.get(topic=topic, kind=EventKind.SIGNED)
    assert event.detail["account"] == group.members[2].username and event.actor == group.members[2]


def test_a_member_signs_once_and_cannot_sign_for_another():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "sign")
    services.signature_sign(actor=group.members[0], topic=topic)
    with pytest.raises(workflow.ActionNotAllowed):
        services.signature_sign(actor=group.members[0], topic=topic)
    # the manager who seated them is not a member: no path lets anyone sign in a member's name
    with pytest.raises(workflow.NotAMember):
        services.signature_sign(actor=group.manager, topic=topic)
    assert Signature.objects.filter(topic=topic).count() == 1
    assert list(Signature.objects.values_list("signer_id", "membership__user_id")) == [
        (group.members[0].pk, group.members[0].pk)
    ]


def test_a_refused_signature_is_kept_with_its_reason_after_the_round_is_done_again():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "sign")
    services.signature_refuse(actor=group.members[4], topic=topic, reason="补偿未谈妥")
    five_person_to(topic, group.members, "publish")
    refused = Signature.objects.get(topic=topic, decision="refused")
    assert refused.reason == "补偿未谈妥" and refused.resolution.status == "returned"
    assert TopicEvent.objects.filter(topic=topic, kind=EventKind.REFUSED, text="补偿未谈妥").exists()
