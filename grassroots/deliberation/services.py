"""Every write in deliberation: committees and seats, proposals, the members' step actions (through
``workflow.perform``), comments, follows, ratings, links and meetings.

Each function takes the actor and checks the named permission of ``rules.py`` itself, whatever called it.
Step actions take the actor's own seat: there is no parameter naming the member, so nobody can record an
opinion, a vote or a signature for another.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.accounts.scoping import OutOfScope, covers
from grassroots.accounts.services import audit_record
from grassroots.areas.codes import Level
from grassroots.areas.models import Area, VillageGroup
from grassroots.cases.models import Case
from grassroots.cases.rules import can_view_case
from grassroots.errors import NotPermitted
from grassroots.notifications.services import notify
from grassroots.photos import prepare as prepare_photo

from . import rules, selectors, workflow
from .models import (
    Attendance,
    ChosenHow,
    Comment,
    Committee,
    CommitteeKind,
    EventKind,
    Follow,
    LinkKind,
    Meeting,
    MeetingItem,
    MeetingStatus,
    Membership,
    Opinion,
    Rating,
    SeatRole,
    Topic,
    TopicEvent,
    TopicKind,
    TopicLink,
    TopicRating,
)
from .process import TERMINAL, StepKind, kind_config, process_of
from .workflow import Action, ActionNotAllowed, DeliberationError, Origin


def _require_manager(actor: User, code: str) -> None:
    if rules.can_manage_committee(actor, code):
        return
    if not (rules.is_active(actor) and covers(actor, code)):
        raise OutOfScope
    raise NotPermitted(_("Only village, township or county staff of this area may manage its committees."))


def _text(value: str, message, *, code: str = "text_required", limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise DeliberationError(message, code=code)
    if limit is not None and len(value) > limit:
        raise DeliberationError(
            _("Keep it within %(limit)d characters.") % {"limit": limit}, code="text_too_long"
        )
    return value


# --- committees and seats ------------------------------------------------------------------------------------


@transaction.atomic
def committee_create(
    *,
    actor: User,
    kind: str,
    name: str,
    area_code: str,
    village_group: VillageGroup | None = None,
    process: str | None = None,
    is_public: bool = True,
    description: str = "",
    formed_on: dt.date | None = None,
    is_synthetic: bool = False,
    request=None,
) -> Committee:
    """Found a committee on a village. A five-person group belongs to one of the village's groups (one
    group at a time per village group)."""
    _require_manager(actor, area_code)
    if kind not in CommitteeKind.values:
        raise DeliberationError(_("Choose the kind of committee."), code="bad_kind")
    config = kind_config(kind)
    area = Area.objects.filter(code=area_code).first()
    if area is None or area.level != Level.VILLAGE:
        raise DeliberationError(
            _("A committee belongs to a village or community: choose one (a 12-digit code)."), code="bad_area"
        )
    if config.needs_village_group and village_group is None:
        raise DeliberationError(
            _("A five-person group belongs to a village group: choose it."), code="group_required"
        )
    if village_group is not None and village_group.village_id != area.pk:
        raise DeliberationError(_("That village group belongs to another village."), code="bad_group")
    process = process or config.process
    if process not in config.processes:
        raise DeliberationError(_("This kind of committee cannot use that process."), code="bad_process")
    if (
        kind == CommitteeKind.FIVE_PERSON_GROUP
        and Committee.objects.filter(
            kind=kind, village_group=village_group, dissolved_on__isnull=True
        ).exists()
    ):
        raise DeliberationError(
            _("This village group already has a five-person group; change its members instead."),
            code="group_exists",
        )
    committee = Committee.objects.create(
        kind=kind,
        name=_text(name, _("Give the committee a name."), limit=100),
        area=area,
        area_code=area.code,
        village_group=village_group,
        process=process,
        is_public=is_public,
        description=description.strip(),
        formed_on=formed_on or clock.today(),
        is_synthetic=is_synthetic,
    )
    audit_record(actor=actor, action="deliberation.committee.create", target=committee, request=request)
    return committee


@transaction.atomic
def committee_update(
    *,
    actor: User,
    committee: Committee,
    is_public: bool | None = None,
    process: str | None = None,
    request=None,
) -> Committee:
    """Open or close the committee's pages to everyone; change the process (new topics only)."""
    _require_manager(actor, committee.area_code)
    changes: dict[str, list[object]] = {}
    if is_public is not None and is_public != committee.is_public:
        changes["is_public"] = [committee.is_public, is_public]
        committee.is_public = is_public
    if process is not None and process != committee.process:
        if process not in kind_config(committee.kind).processes:
            raise DeliberationError(_("This kind of committee cannot use that process."), code="bad_process")
        changes["process"] = [committee.process, process]
        committee.process = process
    if changes:
        committee.save(update_fields=[*changes])
        audit_record(
            actor=actor,
            action="deliberation.committee.update",
            target=committee,
            detail=changes,
            request=request,
        )
    return committee


@transaction.atomic
def membership_appoint(
    *,
    actor: User,
    committee: Committee,
    role: str,
    chosen_how: str,
    started_on: dt.date,
    user=None,
    resident=None,
    name: str = "",
    seat: int | None = None,
    chosen_note: str = "",
    term_ends_on: dt.date | None = None,
    request=None,
) -> Membership:
    """Seat a person. A five-person group has exactly five numbered seats: 1 the village group leader,
    2 the party group leader, 3–5 elected villagers; a seat is filled only while it is vacant."""
    _require_manager(actor, committee.area_code)
    if committee.dissolved_on is not None:
        raise DeliberationError(_("This committee has been dissolved."), code="dissolved")
    plan = kind_config(committee.kind).seats
    if role not in plan.roles:
        raise DeliberationError(_("This committee has no seat with that role."), code="bad_role")
    if chosen_how not in ChosenHow.values:
        raise DeliberationError(_("Say how the member was chosen."), code="bad_chosen_how")
    if plan.exact:
        seat_role = plan.role_of_seat(seat) if seat is not None else None
        if seat_role is None:
            raise DeliberationError(_("Choose a seat from 1 to %(n)d.") % {"n": plan.size}, code="bad_seat")
        if seat_role != role:
            raise DeliberationError(
                _("Seat %(seat)d is for the %(role)s.") % {"seat": seat, "role": SeatRole(seat_role).label},
                code="bad_seat",
            )
        if Membership.objects.filter(committee=committee, seat=seat, ended_on__isnull=True).exists():
            raise DeliberationError(
                _("Seat %(seat)d is taken; end its current membership first.") % {"seat": seat},
                code="seat_taken",
            )
    elif seat is not None and seat < 1:
        raise DeliberationError(_("Seats are numbered from 1."), code="bad_seat")
    if user is not None and not selectors.member_logins(committee).filter(pk=user.pk).exists():
        raise DeliberationError(
            _(
                "A member's login belongs to the committee's village: a resident registered there or its staff."
            ),
            code="no_such_account",
        )
    if (
        user is not None
        and Membership.objects.filter(committee=committee, user=user, ended_on__isnull=True).exists()
    ):
        raise DeliberationError(
            _("This person already holds a seat on the committee."), code="already_member"
        )
    if resident is not None and not resident.area_code.startswith(committee.area_code):
        raise DeliberationError(
            _("A member is a resident of the committee's village."), code="not_a_resident"
        )
    if term_ends_on is not None and term_ends_on <= started_on:
        raise DeliberationError(_("The term ends after it starts."), code="bad_term")
    name = (name or (resident.name if resident else "") or (str(user) if user else "")).strip()
    membership = Membership.objects.create(
        committee=committee,
        area_code=committee.area_code,
        seat=seat,
        role=role,
        name=_text(name, _("Give the member's name."), limit=100),
        user=user,
        resident=resident,
        chosen_how=chosen_how,
        chosen_note=chosen_note.strip(),
        started_on=started_on,
        term_ends_on=term_ends_on,
        appointed_by=actor if rules.is_active(actor) else None,
    )
    audit_record(
        actor=actor,
        action="deliberation.membership.appoint",
        target=membership,
        detail={"committee": committee.pk, "seat": seat, "role": role, "user": getattr(user, "pk", None)},
        request=request,
    )
    _reconsider_open_topics(committee, actor)
    return membership


def _reconsider_open_topics(committee: Committee, actor: User) -> None:
    for topic in Topic.objects.filter(committee_id=committee.pk).exclude(step__in=TERMINAL).only("pk"):
        workflow.reconsider(topic, actor=actor)


def membership_end(
    *, actor: User, membership: Membership, ended_on: dt.date, reason: str, request=None
) -> Membership:
    """End a membership (moved away, resigned, term over). Open topics are settled again: with fewer
    seats to count, a step's rule may now be met."""
    with transaction.atomic():
        _require_manager(actor, membership.area_code)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.ended_on is not None:
            raise DeliberationError(_("This membership has already ended."), code="already_ended")
        if ended_on < membership.started_on:
            raise DeliberationError(_("A membership ends after it starts."), code="bad_term")
        membership.ended_on = ended_on
        membership.end_reason = _text(reason, _("Say why the member leaves."), limit=200)
        membership.save(update_fields=["ended_on", "end_reason"])
        audit_record(
            actor=actor,
            action="deliberation.membership.end",
            target=membership,
            reason=membership.end_reason,
            request=request,
        )
    _reconsider_open_topics(membership.committee, actor)
    return membership


# --- topics ---------------------------------------------------------------------------------------------------


@transaction.atomic
def topic_propose(
    *,
    actor: User,
    committee: Committee,
    kind: str,
    title: str,
    description: str,
    origin: Origin | None = None,
) -> Topic:
    """A resident (or a member, or village staff) brings a matter to the committee. The proposer follows
    the topic from then on; the members who decide on the agenda are told."""
    rules.require(actor, rules.can_propose, committee)
    if kind not in TopicKind.values:
        raise DeliberationError(_("Choose what kind of matter it is."), code="bad_kind")
    process = process_of(committee.process)
    now = clock.now()
    topic = Topic.objects.create(
        committee=committee,
        area_code=committee.area_code,
        process=committee.process,
        kind=kind,
        title=_text(title, _("Give the topic a short title."), limit=120),
        description=_text(description, _("Describe the matter: what, where, who is concerned.")),
        proposed_by=actor,
        proposer_name=(getattr(actor, "display_name", "") or actor.get_username())[:100],
        proposed_at=now,
        step=process.first.key,
    )
    TopicEvent.objects.create(
        topic=topic,
        area_code=topic.area_code,
        kind=EventKind.PROPOSED,
        step=topic.step,
        round=1,
        actor=actor,
        actor_name=topic.proposer_name,
        text=topic.title,
        detail={"channel": (origin or Origin()).channel},
        at=now,
    )
    Follow.objects.get_or_create(topic=topic, user=actor)
    deciders = [
        m.user
        for m in workflow.seated(committee)
        if m.user is not None and m.user_id != actor.pk and process.first.acts(m.role)
    ]
    notify(
        recipients=deciders,
        title=gettext("New topic for %(committee)s: %(title)s")
        % {"committee": committee.name, "title": topic.title},
        body=gettext("Put it on the agenda, or decline it with a reason."),
        target=topic,
    )
    return topic


def _perform(action: str, *, actor: User, topic: Topic, version=None, origin=None, **params) -> Topic:
    return workflow.perform(topic=topic, actor=actor, action=action, version=version, origin=origin, **params)


def topic_put_on_agenda(*, actor: User, topic: Topic, note: str = "", version=None, origin=None) -> Topic:
    return _perform(Action.PUT_ON_AGENDA, actor=actor, topic=topic, version=version, origin=origin, note=note)


def topic_decline(*, actor: User, topic: Topic, reason: str, version=None, origin=None) -> Topic:
    return _perform(Action.DECLINE, actor=actor, topic=topic, version=version, origin=origin, reason=reason)


def opinion_record(*, actor: User, topic: Topic, stance: str, text: str, version=None, origin=None) -> Topic:
    return _perform(
        Action.OPINION, actor=actor, topic=topic, version=version, origin=origin, stance=stance, text=text
    )


def opinion_correct(
    *, actor: User, opinion: Opinion, stance: str, text: str, version=None, origin=None
) -> Topic:
    """Record a correction of one's own opinion: a new entry that points at the old one, which stays."""
    return _perform(
        Action.CORRECT_OPINION,
        actor=actor,
        topic=opinion.topic,
        version=version,
        origin=origin,
        opinion=opinion,
        stance=stance,
        text=text,
    )


def resolution_draft(
    *, actor: User, topic: Topic, text: str, meeting: Meeting | None = None, version=None, origin=None
):
    return _perform(
        Action.DRAFT, actor=actor, topic=topic, version=version, origin=origin, text=text, meeting=meeting
    )


def ballot_cast(*, actor: User, topic: Topic, choice: str, version=None, origin=None) -> Topic:
    """Vote on the open resolution; voting again while it is open records a correction."""
    return _perform(Action.BALLOT, actor=actor, topic=topic, version=version, origin=origin, choice=choice)


def vote_close(*, actor: User, topic: Topic, version=None, origin=None) -> Topic:
    return _perform(Action.CLOSE_VOTE, actor=actor, topic=topic, version=version, origin=origin)


def tally_record(
    *,
    actor: User,
    topic: Topic,
    text: str,
    expected: int,
    present: int,
    agree: int,
    disagree: int,
    abstain: int,
    held_on: dt.date,
    place: str = "",
    sign_in_sheet=None,
    meeting: Meeting | None = None,
    version=None,
    origin=None,
) -> Topic:
    """Record the count of a meeting whose voters are not on the platform (the party members' meeting)."""
    with transaction.atomic():
        stored = _store_photo(sign_in_sheet, folder="tallies") if sign_in_sheet is not None else ""
        return _perform(
            Action.TALLY,
            actor=actor,
            topic=topic,
            version=version,
            origin=origin,
            text=text,
            expected=expected,
            present=present,
            agree=agree,
            disagree=disagree,
            abstain=abstain,
            held_on=held_on,
            place=place.strip(),
            sign_in_sheet=stored,
            meeting=meeting,
        )


def signature_sign(*, actor: User, topic: Topic, version=None, origin=None) -> Topic:
    """Sign the passed resolution, as oneself, from one's own account."""
    return _perform(Action.SIGN, actor=actor, topic=topic, version=version, origin=origin)


def signature_refuse(*, actor: User, topic: Topic, reason: str, version=None, origin=None) -> Topic:
    """Refuse to sign, with a public reason: the topic returns to discussion in a new round."""
    return _perform(Action.REFUSE, actor=actor, topic=topic, version=version, origin=origin, reason=reason)


def decision_publish(*, actor: User, topic: Topic, note: str = "", version=None, origin=None) -> Topic:
    return _perform(Action.PUBLISH, actor=actor, topic=topic, version=version, origin=origin, note=note)


def progress_record(
    *, actor: User, topic: Topic, status: str, percent: int, note: str, version=None, origin=None
) -> Topic:
    return _perform(
        Action.PROGRESS,
        actor=actor,
        topic=topic,
        version=version,
        origin=origin,
        status=status,
        percent=percent,
        note=note,
    )


def topic_close(*, actor: User, topic: Topic, note: str = "", version=None, origin=None) -> Topic:
    return _perform(Action.CLOSE, actor=actor, topic=topic, version=version, origin=origin, note=note)


# --- residents: comments, follows, ratings -----------------------------------------------------------------------


@transaction.atomic
def comment_add(*, actor: User, topic: Topic, text: str) -> Comment:
    rules.require(actor, rules.can_comment, topic.committee)
    return Comment.objects.create(
        topic=topic,
        area_code=topic.area_code,
        author=actor,
        author_name=(getattr(actor, "display_name", "") or actor.get_username())[:100],
        text=_text(text, _("Write your comment."), limit=2000),
        created_at=clock.now(),
    )


@transaction.atomic
def comment_hide(*, actor: User, comment: Comment, reason: str) -> Comment:
    """Hide an abusive comment; the placeholder, who hid it and why stay visible."""
    rules.require(actor, rules.can_moderate, comment.topic.committee)
    if comment.hidden_at is not None:
        return comment
    comment.hidden_at = clock.now()
    comment.hidden_by = actor
    comment.hidden_reason = _text(reason, _("Say why the comment is hidden: the reason is shown."), limit=200)
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    audit_record(
        actor=actor, action="deliberation.comment.hide", target=comment, reason=comment.hidden_reason
    )
    return comment


def topic_follow(*, actor: User, topic: Topic) -> Follow:
    rules.require(actor, rules.can_follow, topic.committee)
    follow, _created = Follow.objects.get_or_create(topic=topic, user=actor)
    return follow


def topic_unfollow(*, actor: User, topic: Topic) -> None:
    Follow.objects.filter(topic=topic, user=actor).delete()


@transaction.atomic
def topic_rate(*, actor: User, topic: Topic, rating: str, comment: str = "") -> TopicRating:
    """A resident of the area rates a carried-out decision, once."""
    topic = Topic.objects.select_related("committee").get(
        pk=topic.pk
    )  # the step as stored, not as the caller saw it
    rules.require(actor, rules.can_rate, topic.committee)
    if topic.step in TERMINAL or process_of(topic.process).step(topic.step).kind != StepKind.EVALUATE:
        raise ActionNotAllowed(
            _("Residents rate a decision once it has been carried out, during its evaluation."),
            code="not_evaluating",
        )
    if rating not in Rating.values:
        raise DeliberationError(_("Choose satisfied, basically satisfied or unsatisfied."), code="bad_rating")
    try:
        with transaction.atomic():
            return TopicRating.objects.create(
                topic=topic,
                area_code=topic.area_code,
                user=actor,
                rating=rating,
                comment=(comment or "").strip()[:2000],
                created_at=clock.now(),
            )
    except IntegrityError:
        raise ActionNotAllowed(_("You have already rated this decision."), code="already_rated") from None


# --- links ----------------------------------------------------------------------------------------------------


def _link_event(topic: Topic, actor: User, link: TopicLink) -> None:
    TopicEvent.objects.create(
        topic=topic,
        area_code=topic.area_code,
        kind=EventKind.LINKED,
        step=topic.step,
        round=topic.round,
        actor=actor,
        actor_name=(getattr(actor, "display_name", "") or actor.get_username())[:100],
        text=link.title,
        detail={"link": link.pk, "kind": link.kind, "target": link.target_id},
        at=link.added_at,
    )


@transaction.atomic
def topic_link_case(*, actor: User, topic: Topic, case_id: int) -> TopicLink:
    """Link a case the actor can see. The public sees its number and service type, never its text."""
    rules.require(actor, rules.can_link, topic.committee)
    case = Case.objects.select_related("category").filter(pk=case_id).first()
    if case is None or not can_view_case(actor, case):
        raise DeliberationError(_("There is no case with that number that you can see."), code="no_such_case")
    try:
        url = reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        url = ""
    return _link(topic, actor, LinkKind.CASE, str(case.pk), f"#{case.pk} {case.category.name}", url)


@transaction.atomic
def topic_link_notice(*, actor: User, topic: Topic, notice_id: str, title: str, url: str = "") -> TopicLink:
    """Link a public notice (公告/公示) by its number, title and address."""
    rules.require(actor, rules.can_link, topic.committee)
    if url and not url.startswith("/"):
        raise DeliberationError(
            _("Link a notice of this site by its address starting with /."), code="bad_url"
        )
    return _link(
        topic,
        actor,
        LinkKind.NOTICE,
        _text(str(notice_id), _("Give the notice's number."), limit=64),
        _text(title, _("Give the notice's title."), limit=200),
        url,
    )


def _link(topic, actor: User, kind, target_id, title, url) -> TopicLink:
    topic = Topic.objects.get(pk=topic.pk)
    if TopicLink.objects.filter(topic=topic, kind=kind, target_id=target_id).exists():
        raise DeliberationError(_("That is already linked."), code="already_linked")
    link = TopicLink.objects.create(
        topic=topic,
        kind=kind,
        target_id=target_id,
        title=title,
        url=url,
        added_by=actor,
        added_at=clock.now(),
    )
    _link_event(topic, actor, link)
    return link


# --- meetings ----------------------------------------------------------------------------------------------------


def _store_photo(upload, *, folder: str) -> str:
    """Verify and re-encode a photo (no metadata survives) and write it when the transaction commits."""
    photo = prepare_photo(upload)
    name = f"deliberation/{folder}/{clock.today():%Y/%m}/{uuid.uuid4().hex}.{photo.extension}"
    transaction.on_commit(lambda: default_storage.save(name, ContentFile(photo.content)))
    return name


def _agenda_topics(committee: Committee, topic_ids: Iterable[int]) -> list[Topic]:
    ids = list(dict.fromkeys(int(t) for t in topic_ids))
    topics = {t.pk: t for t in Topic.objects.filter(pk__in=ids, committee=committee)}
    if len(topics) != len(ids):
        raise DeliberationError(_("Every agenda item must be a topic of this committee."), code="bad_agenda")
    return [topics[i] for i in ids]


def _meeting_with_agenda(*, actor: User, committee, title, starts_at, place, topic_ids) -> Meeting:
    meeting = Meeting.objects.create(
        committee=committee,
        area_code=committee.area_code,
        title=_text(title, _("Give the meeting a title."), limit=120),
        starts_at=starts_at,
        place=_text(place, _("Say where the meeting takes place."), limit=200),
        created_by=actor,
        created_at=clock.now(),
    )
    for order, topic in enumerate(_agenda_topics(committee, topic_ids), start=1):
        MeetingItem.objects.create(meeting=meeting, topic=topic, order=order)
        TopicEvent.objects.create(
            topic=topic,
            area_code=topic.area_code,
            kind=EventKind.MEETING,
            step=topic.step,
            round=topic.round,
            actor=actor,
            actor_name=(getattr(actor, "display_name", "") or actor.get_username())[:100],
            text=meeting.title,
            detail={"meeting": meeting.pk, "starts_at": starts_at.isoformat(), "place": meeting.place},
            at=meeting.created_at,
        )
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, membership=m, name=m.name) for m in workflow.seated(committee)]
    )
    return meeting


@transaction.atomic
def meeting_schedule(
    *,
    actor: User,
    committee: Committee,
    title: str,
    starts_at: dt.datetime,
    place: str,
    topic_ids: Iterable[int] = (),
) -> Meeting:
    """Call a meeting: every current member is expected; the agenda's topics show it on their timelines."""
    rules.require(actor, rules.can_record_meeting, committee)
    meeting = _meeting_with_agenda(
        actor=actor, committee=committee, title=title, starts_at=starts_at, place=place, topic_ids=topic_ids
    )
    notify(
        recipients=[a.membership.user for a in meeting.attendance.select_related("membership__user")],
        title=gettext("Meeting: %(title)s, %(when)s, %(place)s")
        % {
            "title": meeting.title,
            "when": f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
            "place": meeting.place,
        },
        target=meeting,
    )
    return meeting


@transaction.atomic
def meeting_sign_in(*, actor: User, meeting: Meeting, origin: Origin | None = None) -> Attendance:
    """A member signs the attendance sheet from their own account."""
    rules.require(actor, rules.can_view_committee, meeting.committee)
    row = (
        Attendance.objects.select_for_update()
        .filter(meeting=meeting, membership__user=actor, membership__ended_on__isnull=True)
        .first()
    )
    if row is None:
        raise NotPermitted(
            _("Only the members expected at this meeting sign in, each for themself."), code="not_expected"
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise ActionNotAllowed(_("This meeting was cancelled."), code="meeting_cancelled")
    if row.signed_at is None:
        row.present = True
        row.signed_at = clock.now()
        row.signed_channel = (origin or Origin()).channel
        row.save(update_fields=["present", "signed_at", "signed_channel"])
    return row


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    meeting: Meeting,
    minutes: str,
    present: Iterable[int] = (),
    sign_in_sheet=None,
) -> Meeting:
    """Close a held meeting (as Decidim closes one): its minutes, who was present (members who did not sign
    in themselves are marked from the paper sheet, whose photo is then required), its decisions."""
    rules.require(actor, rules.can_record_meeting, meeting.committee)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        raise ActionNotAllowed(
            _("The minutes of this meeting are already recorded."), code="meeting_recorded"
        )
    rows = {a.membership_id: a for a in meeting.attendance.all()}
    marked = {int(p) for p in present}
    if marked - set(rows):
        raise DeliberationError(
            _("Only the members expected at the meeting can be marked present."), code="bad_attendance"
        )
    newly_marked = [rows[m] for m in marked if rows[m].signed_at is None]
    if newly_marked and sign_in_sheet is None and not meeting.sign_in_sheet:
        raise DeliberationError(
            _(
                "Members who did not sign in on their phones are marked from the paper sign-in sheet: add its photo."
            ),
            code="sheet_required",
        )
    for row in newly_marked:
        row.present = True
        row.marked_by = actor
        row.save(update_fields=["present", "marked_by"])
    if sign_in_sheet is not None:
        meeting.sign_in_sheet = _store_photo(sign_in_sheet, folder="meetings")
    meeting.minutes = _text(minutes, _("Write the minutes: what was discussed and decided."))
    meeting.status = MeetingStatus.HELD
    meeting.recorded_offline = bool(newly_marked)
    meeting.held_recorded_by = actor
    meeting.held_recorded_at = clock.now()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_record_offline(
    *,
    actor: User,
    committee: Committee,
    title: str,
    starts_at: dt.datetime,
    place: str,
    minutes: str,
    present: Iterable[int],
    sign_in_sheet,
    topic_ids: Iterable[int] = (),
) -> Meeting:
    """Record afterwards a meeting held on paper: the photo of its sign-in sheet is required."""
    rules.require(actor, rules.can_record_meeting, committee)
    if sign_in_sheet is None:
        raise DeliberationError(
            _("A meeting recorded afterwards needs the photo of its paper sign-in sheet."),
            code="sheet_required",
        )
    if starts_at > clock.now():
        raise DeliberationError(
            _("A meeting is recorded afterwards: its date is in the future."), code="bad_date"
        )
    meeting = _meeting_with_agenda(
        actor=actor, committee=committee, title=title, starts_at=starts_at, place=place, topic_ids=topic_ids
    )
    return meeting_record(
        actor=actor, meeting=meeting, minutes=minutes, present=present, sign_in_sheet=sign_in_sheet
    )


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    rules.require(actor, rules.can_record_meeting, meeting.committee)
    if meeting.status != MeetingStatus.PLANNED:
        raise ActionNotAllowed(_("Only a planned meeting can be cancelled."), code="meeting_recorded")
    meeting.status = MeetingStatus.CANCELLED
    meeting.minutes = _text(reason, _("Say why the meeting is cancelled."), limit=500)
    meeting.save(update_fields=["status", "minutes"])
    return meeting
