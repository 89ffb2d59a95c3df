"""The two process templates, step by step: who acts, and the rules that close each step (all opinions,
quorum and majority, every signature), including refusals, failed votes and vacant seats."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from grassroots.accounts.scoping import OutOfScope
from grassroots.deliberation import selectors, services, workflow
from grassroots.deliberation.models import (
    EventKind,
    Resolution,
    ResolutionStatus,
    Signature,
    SignatureDecision,
    Topic,
    TopicEvent,
    TopicRating,
)
from grassroots.errors import Conflict, NotPermitted
from grassroots.notifications.models import Notification
from tests.deliberation.factories import (
    GRID,
    OTHER_GRID,
    five_person_group,
    five_person_to,
    four_two_committee,
    fresh,
    propose,
    resident,
)

pytestmark = pytest.mark.django_db


def kinds(topic) -> list[str]:
    return list(TopicEvent.objects.filter(topic=topic).values_list("kind", flat=True))


# --- five-person group -----------------------------------------------------------------------------------------


def test_a_proposal_waits_for_a_member_to_put_it_on_the_agenda():
    group = five_person_group()
    proposer = resident(GRID)
    topic = propose(group.committee, by=proposer)
    assert topic.step == "propose"
    # the members are told, the proposer follows it
    assert Notification.objects.filter(recipient=group.members[0], target_id=str(topic.pk)).exists()
    assert topic.follows.filter(user=proposer).exists()
    topic = services.topic_put_on_agenda(actor=group.members[3], topic=topic)
    assert topic.step == "discuss"


def test_a_member_declines_with_a_public_reason_and_the_topic_ends():
    group = five_person_group()
    topic = propose(group.committee)
    with pytest.raises(services.DeliberationError):
        services.topic_decline(actor=group.members[0], topic=topic, reason="  ")
    topic = services.topic_decline(
        actor=group.members[0], topic=topic, reason="属于村级事务, 请向村委会反映。"
    )
    assert topic.step == "declined"
    assert topic.decline_reason.startswith("属于村级")
    with pytest.raises(workflow.ActionNotAllowed):
        services.topic_put_on_agenda(actor=group.members[1], topic=topic)


def test_discussion_closes_only_when_all_five_opinions_are_recorded():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "discuss")
    for member in group.members[:4]:
        topic = services.opinion_record(actor=member, topic=topic, stance="support", text="同意")
        assert topic.step == "discuss"
    status = selectors.step_status(fresh(topic))
    assert (status.have, status.need, status.met) == (4, 5, False)
    assert [line.seat for line in status.waiting_for] == [5]
    topic = services.opinion_record(actor=group.members[4], topic=topic, stance="oppose", text="资金不足")
    assert topic.step == "resolve"
    assert kinds(topic)[-1] == EventKind.STEP_CLOSED


def test_the_rule_that_closed_a_step_is_kept_as_a_message_and_read_in_each_readers_language():
    # given a discussion closed by its rule (every opinion recorded), written while the site spoke Chinese
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "discuss")
    for member in group.members:
        topic = services.opinion_record(actor=member, topic=topic, stance="support", text="同意")
    closed = TopicEvent.objects.filter(topic=topic, kind=EventKind.STEP_CLOSED).latest("at", "id")
    # then the rule is kept as a message, its words in the site's language for exports
    assert closed.message_data == {"msgid": "every member's opinion is recorded", "values": {}}
    assert closed.text == "每位成员都已发表意见"
    # and the public timeline words it in the reader's language
    with translation.override("en"):
        english = [row.text for row in selectors.timeline_for(fresh(topic), full_names=False)]
    with translation.override("zh-hans"):
        chinese = [row.text for row in selectors.timeline_for(fresh(topic), full_names=False)]
    assert "every member's opinion is recorded" in english and "每位成员都已发表意见" not in english
    assert "每位成员都已发表意见" in chinese
    # a timeline row kept before messages still reads as written
    with translation.override("en"):
        assert TopicEvent(text="每位成员都已发表意见", message_data={}).shown_text == "每位成员都已发表意见"


def test_a_vote_closed_by_its_rule_names_the_quorum_and_majority_as_values():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "resolve")
    topic = services.resolution_draft(actor=group.members[1], topic=topic, text="硬化道路")
    for member in group.members[:4]:
        topic = services.ballot_cast(actor=member, topic=topic, choice="agree")
    services.vote_close(actor=group.members[0], topic=topic)
    passed = TopicEvent.objects.get(topic=topic, kind=EventKind.VOTE_PASSED)
    assert passed.message_data["values"] == {"quorum": "2/3", "majority": "1/2"}
    with translation.override("en"):
        assert passed.shown_text == "at least 2/3 present, and more than 1/2 of those present agree"


def test_a_member_gives_one_opinion_per_round_and_corrects_it_instead():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "discuss")
    services.opinion_record(actor=group.members[0], topic=topic, stance="support", text="同意")
    with pytest.raises(workflow.ActionNotAllowed) as exc:
        services.opinion_record(actor=group.members[0], topic=topic, stance="oppose", text="反对")
    assert exc.value.code == "opinion_exists"


def test_the_vote_needs_two_thirds_present_and_more_than_half_of_them_agreeing():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "resolve")
    topic = services.resolution_draft(actor=group.members[1], topic=topic, text="硬化道路")
    for member in group.members[:3]:
        topic = services.ballot_cast(actor=member, topic=topic, choice="agree")
    # three of five present: ⅔ of 5 is 4, so the vote cannot close yet
    with pytest.raises(workflow.ActionNotAllowed) as exc:
        services.vote_close(actor=group.members[0], topic=topic)
    assert exc.value.code == "quorum_not_reached"
    topic = services.ballot_cast(actor=group.members[3], topic=topic, choice="disagree")
    # four present, three agree: 3 > 4/2
    topic = services.vote_close(actor=group.members[0], topic=topic)
    assert topic.step == "sign"
    res = Resolution.objects.get(topic=topic)
    assert (res.status, res.expected, res.present, res.agree, res.disagree) == ("passed", 5, 4, 3, 1)


def test_a_tied_vote_fails_and_returns_the_topic_to_discussion_in_a_new_round():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "resolve")
    topic = services.resolution_draft(actor=group.members[1], topic=topic, text="硬化道路")
    for member, choice in zip(
        group.members, ["agree", "agree", "disagree", "disagree", "abstain"], strict=True
    ):
        topic = services.ballot_cast(actor=member, topic=topic, choice=choice)
    # all five voted: the vote closed itself; 2 agree is not more than half of 5
    assert (topic.step, topic.round) == ("discuss", 2)
    assert Resolution.objects.get(topic=topic).status == ResolutionStatus.FAILED
    assert kinds(topic)[-1] == EventKind.VOTE_FAILED
    # the new round needs five new opinions
    assert selectors.step_status(fresh(topic)).have == 0


def test_the_decision_stands_only_when_all_five_sign_and_a_refusal_returns_it():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "sign")
    for member in group.members[:4]:
        topic = services.signature_sign(actor=member, topic=topic)
        assert topic.step == "sign"
    with pytest.raises(workflow.ActionNotAllowed):
        services.decision_publish(actor=group.members[0], topic=topic)
    topic = services.signature_refuse(
        actor=group.members[4], topic=topic, reason="占用我家耕地, 补偿未谈妥。"
    )
    assert (topic.step, topic.round, topic.resolution_id) == ("discuss", 2, None)
    first = Resolution.objects.get(topic=topic)
    assert first.status == ResolutionStatus.RETURNED and first.signed_at is None
    refusal = Signature.objects.get(resolution=first, decision=SignatureDecision.REFUSED)
    assert refusal.reason.startswith("占用")
    # round two: discuss, vote and sign again; the four earlier signatures do not carry over
    topic = five_person_to(topic, group.members, "sign")
    second = fresh(topic).resolution
    assert second.pk != first.pk
    for member in group.members:
        topic = services.signature_sign(actor=member, topic=topic)
    assert topic.step == "publish"
    assert fresh(topic).resolution.signed_at is not None
    assert Signature.objects.filter(topic=topic).count() == 10


def test_a_vacant_seat_blocks_all_five_until_it_is_filled_and_the_newcomer_signs():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "sign")
    for member in group.members[:4]:
        topic = services.signature_sign(actor=member, topic=topic)
    services.membership_end(
        actor=group.manager, membership=group.memberships[4], ended_on=dt.date(2025, 1, 1), reason="迁出本村"
    )
    topic = fresh(topic)
    assert topic.step == "sign"
    status = selectors.step_status(topic)
    assert (status.have, status.need) == (4, 5) and status.waiting_for[0].vacant
    newcomer = resident(GRID, display_name="孙村民")
    services.membership_appoint(
        actor=group.manager,
        committee=group.committee,
        seat=5,
        role="elected_villager",
        chosen_how="elected",
        user=newcomer,
        started_on=dt.date(2025, 1, 2),
    )
    topic = services.signature_sign(actor=newcomer, topic=topic)
    assert topic.step == "publish"


def test_publish_checks_the_signatures_again_from_the_records():
    # given a topic moved to the publish step behind the workflow's back, with no signatures at all
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "sign")
    Topic.objects.filter(pk=topic.pk).update(step="publish")
    # then publishing is refused and nothing changes
    with pytest.raises(workflow.ActionNotAllowed) as exc:
        services.decision_publish(actor=group.members[0], topic=topic)
    assert exc.value.code == "gates_not_passed"
    assert fresh(topic).published_at is None


def test_carrying_out_and_evaluation():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "carry_out")
    assert topic.published_at is not None
    topic = services.progress_record(
        actor=group.members[2], topic=topic, status="in_progress", percent=40, note="路基完成"
    )
    assert (topic.step, topic.progress_percent) == ("carry_out", 40)
    with pytest.raises(services.DeliberationError):
        services.progress_record(
            actor=group.members[2], topic=topic, status="in_progress", percent=100, note="x"
        )
    topic = services.progress_record(
        actor=group.members[2], topic=topic, status="done", percent=90, note="硬化完工"
    )
    assert (topic.step, topic.progress_percent) == ("evaluate", 100)
    rater = resident(GRID)
    services.topic_rate(actor=rater, topic=topic, rating="satisfied", comment="路好走了")
    with pytest.raises(workflow.ActionNotAllowed):
        services.topic_rate(actor=rater, topic=topic, rating="unsatisfied")
    with pytest.raises(NotPermitted):
        services.topic_rate(actor=resident(OTHER_GRID), topic=topic, rating="unsatisfied")
    topic = services.topic_close(actor=group.members[0], topic=topic)
    assert topic.step == "closed" and topic.closed_at is not None
    assert TopicRating.objects.filter(topic=topic).count() == 1


def test_ratings_only_during_evaluation():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "carry_out")
    with pytest.raises(workflow.ActionNotAllowed):
        services.topic_rate(actor=resident(GRID), topic=topic, rating="satisfied")


def test_followers_hear_of_every_step():
    group = five_person_group()
    follower = resident(GRID)
    topic = propose(group.committee)
    services.topic_follow(actor=follower, topic=topic)
    five_person_to(topic, group.members, "publish")
    titles = list(Notification.objects.filter(recipient=follower).values_list("title", flat=True))
    assert len(titles) == 4  # discussion, resolution, signatures, publication


def test_only_members_act_each_from_their_own_seat():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "discuss")
    neighbour = resident(GRID)
    with pytest.raises(workflow.NotAMember):
        services.opinion_record(actor=neighbour, topic=topic, stance="support", text="同意")
    with pytest.raises(workflow.ActionNotAllowed):  # a step that is not open
        services.signature_sign(actor=group.members[0], topic=topic)
    with pytest.raises(OutOfScope):  # someone from another village cannot even see a non-public group
        private = five_person_group(number=2, is_public=False, boss=group.manager)
        services.opinion_record(
            actor=resident(OTHER_GRID), topic=propose(private.committee), stance="support", text="x"
        )


def test_the_loser_of_a_race_gets_a_conflict():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "discuss")
    seen = topic.version
    services.opinion_record(actor=group.members[0], topic=topic, stance="support", text="同意", version=seen)
    with pytest.raises(Conflict):
        services.opinion_record(
            actor=group.members[1], topic=topic, stance="support", text="同意", version=seen
        )


# --- four deliberations, two disclosures ----------------------------------------------------------------------


def _four_two_to_review(group):
    secretary, branch, chair, committee_member = group.members[:4]
    topic = propose(group.committee, kind="group_affairs", title="村集体土地流转")
    with pytest.raises(NotPermitted):  # the party branch proposes, not a representative
        services.topic_put_on_agenda(actor=group.members[5], topic=topic)
    topic = services.topic_put_on_agenda(actor=secretary, topic=topic)
    assert topic.step == "consult"
    with pytest.raises(NotPermitted):  # the two committees discuss; representatives do not count here
        services.opinion_record(actor=group.members[6], topic=topic, stance="support", text="同意")
    for m in (secretary, branch, chair, committee_member):
        topic = services.opinion_record(actor=m, topic=topic, stance="support", text="同意流转方案")
    assert topic.step == "review"
    return topic


def _tally(group, topic, **counts):
    return services.tally_record(
        actor=group.members[0],
        topic=topic,
        text="土地流转方案(草案)",
        held_on=dt.date(2025, 4, 1),
        place="村党群服务中心",
        **counts,
    )


def test_party_members_review_needs_two_thirds_present():
    group = four_two_committee()
    topic = _four_two_to_review(group)
    # 19 of 30 present is below ⅔ (20): the review fails and the plan goes back to the two committees
    topic = _tally(group, topic, expected=30, present=19, agree=19, disagree=0, abstain=0)
    assert (topic.step, topic.round) == ("consult", 2)
    assert Resolution.objects.get(topic=topic).status == "failed"


def test_party_members_review_needs_more_than_half_of_those_present():
    group = four_two_committee()
    topic = _four_two_to_review(group)
    topic = _tally(group, topic, expected=30, present=20, agree=10, disagree=9, abstain=1)
    assert topic.step == "consult"  # 10 is not more than half of 20


def test_a_tally_that_does_not_add_up_is_refused_and_nothing_changes():
    group = four_two_committee()
    topic = _four_two_to_review(group)
    with pytest.raises(services.DeliberationError):
        _tally(group, topic, expected=30, present=31, agree=20, disagree=0, abstain=0)
    with pytest.raises(services.DeliberationError):
        _tally(group, topic, expected=30, present=20, agree=15, disagree=6, abstain=0)
    assert fresh(topic).step == "review" and not Resolution.objects.filter(topic=topic).exists()


def test_four_deliberations_two_disclosures_main_line():
    group = four_two_committee()
    topic = _four_two_to_review(group)
    topic = _tally(group, topic, expected=30, present=20, agree=11, disagree=9, abstain=0)
    assert topic.step == "decide"
    with pytest.raises(NotPermitted):  # the two committees put the resolution to the representatives
        services.resolution_draft(actor=group.members[6], topic=topic, text="x")
    topic = services.resolution_draft(actor=group.members[2], topic=topic, text="同意土地流转方案")
    # seven representatives; ⅔ of 7 is 5; five vote, three agree (3 > 5/2)
    for member, choice in zip(
        group.members[:5], ["agree", "agree", "agree", "disagree", "abstain"], strict=True
    ):
        topic = services.ballot_cast(actor=member, topic=topic, choice=choice)
    topic = services.vote_close(actor=group.members[0], topic=topic)
    assert topic.step == "publish_decision"
    with pytest.raises(NotPermitted):
        services.decision_publish(actor=group.members[5], topic=topic)
    topic = services.decision_publish(actor=group.members[2], topic=topic)
    assert topic.step == "carry_out" and topic.published_at is not None
    topic = services.progress_record(
        actor=group.members[3], topic=topic, status="done", percent=100, note="合同签订"
    )
    assert topic.step == "publish_result"
    topic = services.decision_publish(actor=group.members[2], topic=topic, note="流转收益已公开")
    assert topic.step == "evaluate"


def test_the_representatives_vote_fails_without_a_majority():
    group = four_two_committee()
    topic = _four_two_to_review(group)
    topic = _tally(group, topic, expected=30, present=25, agree=20, disagree=5, abstain=0)
    topic = services.resolution_draft(actor=group.members[2], topic=topic, text="同意土地流转方案")
    for member, choice in zip(group.members, ["agree"] * 3 + ["disagree"] * 4, strict=True):
        topic = services.ballot_cast(actor=member, topic=topic, choice=choice)
    assert (topic.step, topic.round) == ("consult", 2)


def test_rating_judges_the_step_as_stored_not_as_the_caller_last_saw_it():
    group = five_person_group()
    seen = propose(group.committee)  # the caller's copy still says "propose"
    five_person_to(seen, group.members, "evaluate")
    services.topic_rate(actor=resident(GRID), topic=seen, rating="basically")
    assert TopicRating.objects.get().rating == "basically"


def test_a_member_is_offered_only_what_makes_sense_now_and_told_what_they_still_owe():
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "resolve")
    first = group.members[0]
    assert "draft" in selectors.available_actions(first, fresh(topic))
    assert "ballot" not in selectors.available_actions(first, fresh(topic))  # nothing to vote on yet
    topic = services.resolution_draft(actor=first, topic=topic, text="硬化道路")
    assert {"ballot", "close_vote"} <= set(selectors.available_actions(first, fresh(topic)))
    assert selectors.owed_actions(first, fresh(topic)) == ["ballot"]
    services.ballot_cast(actor=first, topic=topic, choice="agree")
    assert "ballot" in selectors.available_actions(first, fresh(topic))  # may still change the vote
    assert selectors.owed_actions(first, fresh(topic)) == []
    for member in group.members[1:]:
        topic = services.ballot_cast(actor=member, topic=topic, choice="agree")
    assert topic.step == "sign"
    services.signature_sign(actor=first, topic=topic)
    assert not {"sign", "refuse"} & set(selectors.available_actions(first, fresh(topic)))
    assert selectors.owed_actions(group.members[1], fresh(topic)) == ["sign"]
