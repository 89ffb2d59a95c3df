"""Every read that the deliberation pages and API need, limited to what the user may see (``rules.py``).

A committee is visible when it is public, or when the user's grants cover its village (staff and
residents: a grant on the village, on a grid of it, or on an area above it), or when they hold a seat on it.
Everything else answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import User
from grassroots.accounts.scoping import (
    STAFF_ROLES,
    OutOfScope,
    is_unrestricted,
    resolve_among,
    resolve_in_scope,
    scope_codes,
    scope_q,
)
from grassroots.areas.codes import CODE_LENGTH, Level
from grassroots.areas.models import Area, VillageGroup
from grassroots.masking import mask_name

from .. import rules
from ..errors import DeliberationError
from ..models import (
    Attendance,
    Choice,
    Comment,
    Committee,
    EventKind,
    Follow,
    Meeting,
    Membership,
    Opinion,
    ProgressEntry,
    ProgressStatus,
    Rating,
    Resolution,
    ResolutionStatus,
    SeatRole,
    Signature,
    Stance,
    Tally,
    Topic,
    TopicEvent,
    TopicLink,
    TopicRating,
)
from ..process import CLOSED, DECLINED, TERMINAL, kind_config, process_of

# The state of the current step (steps.py), read here too by the pages and the API.
from .steps import (
    SeatLine as SeatLine,
)
from .steps import (
    StepStatus as StepStatus,
)
from .steps import (
    available_actions as available_actions,
)
from .steps import (
    current_ballots as current_ballots,
)
from .steps import (
    current_opinions as current_opinions,
)
from .steps import (
    electorate as electorate,
)
from .steps import (
    gate_problems as gate_problems,
)
from .steps import (
    owed_actions as owed_actions,
)
from .steps import (
    passed_resolution as passed_resolution,
)
from .steps import (
    seated as seated,
)
from .steps import (
    signatures_on as signatures_on,
)
from .steps import (
    step_label as step_label,
)
from .steps import (
    step_status as step_status,
)
from .steps import (
    voting_resolution as voting_resolution,
)

_LEVEL_LENGTHS = sorted(CODE_LENGTH.values())


def _covering_q(user, roles) -> Q:
    """Committees whose village lies in, or contains, an area the user holds ``roles`` on."""
    codes = scope_codes(user, roles=roles)
    if not codes:
        return Q(pk__in=[])
    above = {code[:n] for code in codes for n in _LEVEL_LENGTHS if n < len(code)}
    q = scope_q(user, roles=roles)
    return q | Q(area_code__in=sorted(above)) if above else q


MAX_PK = 2**63 - 1


def valid_pk(pk) -> int:
    """An id from a URL or a form that a database column can hold, else 404 (never a server error)."""
    if not isinstance(pk, int) or not 1 <= pk <= MAX_PK:
        raise Http404
    return pk


def process_for(committee: Committee):
    return process_of(committee.process)


def proposer_display(topic: Topic, *, full_names: bool) -> str:
    return topic.proposer_name if full_names else mask_name(topic.proposer_name)


def visible_committees_q(user) -> Q:
    q = Q(is_public=True)
    if not rules.is_active(user):
        return q
    if is_unrestricted(user):
        return Q()
    q |= _covering_q(user, STAFF_ROLES | rules.RESIDENT_ROLES)
    seats = Membership.objects.filter(user_id=user.pk, ended_on__isnull=True).values("committee_id")
    return q | Q(pk__in=seats)


def committee_list_for(*, user, area_code: str | None = None) -> QuerySet[Committee]:
    qs = Committee.objects.filter(visible_committees_q(user)).select_related("area", "village_group")
    if area_code:
        qs = qs.filter(area_code__startswith=area_code)
    # A correlated count per committee shown (a page of them), not a join over every topic of the area.
    open_topics = (
        Topic.objects.filter(committee=OuterRef("pk"))
        .exclude(step__in=TERMINAL)
        .order_by()
        .values("committee")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(open_topics=Coalesce(Subquery(open_topics), 0))


def committee_get_for(*, user, pk: int) -> Committee:
    committee = Committee.objects.select_related("area", "village_group").filter(pk=valid_pk(pk)).first()
    if committee is None or not rules.can_view_committee(user, committee):
        raise OutOfScope
    return committee


def committees_of_member(user) -> QuerySet[Committee]:
    if not rules.is_active(user):
        return Committee.objects.none()
    return Committee.objects.filter(
        memberships__user_id=user.pk, memberships__ended_on__isnull=True
    ).select_related("area", "village_group")


@dataclass
class SeatRow:
    seat: int | None
    role_label: str
    membership: Membership | None


def seats_of(committee: Committee, members: list[Membership] | None = None) -> list[SeatRow]:
    """The current seats, with the vacant ones of a fixed plan shown as vacant."""
    members = seated(committee) if members is None else members
    plan = kind_config(committee.kind).seats
    if plan.exact:
        return [
            SeatRow(n, str(SeatRole(role).label), next((m for m in members if m.seat == n), None))
            for n, role in enumerate(plan.fixed, start=1)
        ]
    return [SeatRow(m.seat, m.get_role_display(), m) for m in members]


def membership_history(committee: Committee) -> QuerySet[Membership]:
    return Membership.objects.filter(committee=committee).order_by("seat", "-started_on", "-id")


def topic_list_for_committee(*, committee: Committee, state: str = "") -> QuerySet[Topic]:
    qs = Topic.objects.filter(committee=committee).select_related("committee")
    if state == "open":
        qs = qs.exclude(step__in=TERMINAL)
    elif state in TERMINAL:
        qs = qs.filter(step=state)
    return qs.order_by("-proposed_at", "-id")


def topic_get_for(*, user, pk: int) -> Topic:
    topic = (
        Topic.objects.select_related("committee", "committee__area", "committee__village_group", "resolution")
        .filter(pk=valid_pk(pk))
        .first()
    )
    if topic is None or not rules.can_view_committee(user, topic.committee):
        raise OutOfScope
    return topic


def topic_list_for(
    *, user, area_code: str | None = None, state: str = "", limit: int | None = None
) -> QuerySet[Topic]:
    qs = Topic.objects.filter(
        committee__in=Committee.objects.filter(visible_committees_q(user))
    ).select_related("committee")
    if area_code:
        qs = qs.filter(area_code__startswith=area_code)
    if state == "open":
        qs = qs.exclude(step__in=TERMINAL)
    elif state:
        qs = qs.filter(step=state)
    qs = qs.order_by("-proposed_at", "-id")
    return qs[:limit] if limit else qs


def followed_topics(user, limit: int = 20) -> list[Topic]:
    if not rules.is_active(user):
        return []
    return list(
        Topic.objects.filter(follows__user_id=user.pk)
        .select_related("committee")
        .order_by("-updated_at")[:limit]
    )


def is_following(user, topic: Topic) -> bool:
    return rules.is_active(user) and Follow.objects.filter(topic=topic, user_id=user.pk).exists()


def topics_awaiting(user, limit: int = 30) -> list[tuple[Topic, list[str]]]:
    """Open topics of the committees the user sits on where their own seat can act now."""
    if not rules.is_active(user):
        return []
    topics = (
        Topic.objects.filter(
            committee__memberships__user_id=user.pk, committee__memberships__ended_on__isnull=True
        )
        .exclude(step__in=TERMINAL)
        .select_related("committee")
        .order_by("-updated_at")[:limit]
    )
    rows = []
    for topic in topics:
        actions = owed_actions(user, topic)
        if actions:
            rows.append((topic, actions))
    return rows


# --- the topic page -----------------------------------------------------------------------------------------


@dataclass
class StepMark:
    key: str
    label: str
    state: str  # done, current, todo


def step_marks(topic: Topic) -> list[StepMark]:
    process = process_of(topic.process)
    keys = process.keys()
    if topic.step == DECLINED:
        return [
            StepMark(keys[0], str(process.first.label), "done"),
            StepMark(DECLINED, gettext("Declined"), "current"),
        ]
    here = len(keys) if topic.step == CLOSED else keys.index(topic.step)
    marks = [
        StepMark(s.key, str(s.label), "done" if i < here else "current" if i == here else "todo")
        for i, s in enumerate(process.steps)
    ]
    if topic.step == CLOSED:
        marks.append(StepMark(CLOSED, gettext("Closed"), "current"))
    return marks


@dataclass
class TimelineRow:
    event: TopicEvent
    who: str
    what: str
    text: str
    note: str = ""
    badge: str = ""
    to_step: str = ""
    sheet_url: str = ""


_MEMBER_EVENTS = {
    EventKind.PUT_ON_AGENDA,
    EventKind.DECLINED,
    EventKind.OPINION,
    EventKind.OPINION_CORRECTED,
    EventKind.RESOLUTION_DRAFTED,
    EventKind.BALLOT,
    EventKind.BALLOT_CORRECTED,
    EventKind.VOTE_PASSED,
    EventKind.VOTE_FAILED,
    EventKind.TALLY,
    EventKind.SIGNED,
    EventKind.REFUSED,
    EventKind.PUBLISHED,
    EventKind.PROGRESS,
    EventKind.CLOSED,
    EventKind.STEP_CLOSED,
}


_RULE_EVENTS = {EventKind.STEP_CLOSED, EventKind.VOTE_PASSED, EventKind.VOTE_FAILED}


def _counts_text(counts: dict) -> str:
    return gettext(
        "%(present)s of %(expected)s present, %(agree)s agree, %(disagree)s disagree, %(abstain)s abstain "
        "(needed: %(quorum)s present, %(majority)s agree)"
    ) % {
        "present": counts.get("present"),
        "expected": counts.get("expected"),
        "agree": counts.get("agree"),
        "disagree": counts.get("disagree"),
        "abstain": counts.get("abstain"),
        "quorum": counts.get("quorum_needed"),
        "majority": counts.get("majority_needed"),
    }


def timeline_for(topic: Topic, *, full_names: bool) -> list[TimelineRow]:
    """The public timeline ("ten eyes"): every step, opinion, vote and signature, oldest first. Members'
    names are shown (they act publicly); residents' and staff names are masked unless ``full_names``."""
    rows = []
    for event in TopicEvent.objects.filter(topic=topic).order_by("at", "id"):
        who = event.actor_name
        if event.kind not in _MEMBER_EVENTS and not full_names:
            who = mask_name(who)
        detail = event.detail or {}
        if event.kind in _RULE_EVENTS:
            who = ""  # the step's rule closed it, not the member whose entry happened to be the last
        row = TimelineRow(event=event, who=who, what=str(event.get_kind_display()), text=event.shown_text)
        if event.to_step:
            row.to_step = step_label(topic, event.to_step)
        if event.kind in (EventKind.OPINION, EventKind.OPINION_CORRECTED):
            stance = detail.get("stance")
            row.badge = (
                str(Stance(stance).label) if isinstance(stance, str) and stance in Stance.values else ""
            )
            if event.kind == EventKind.OPINION_CORRECTED and detail.get("was") in Stance.values:
                row.note = gettext("corrects an earlier opinion (%(was)s), which stays on record") % {
                    "was": Stance(detail["was"]).label
                }
        elif event.kind in (EventKind.BALLOT, EventKind.BALLOT_CORRECTED):
            choice = detail.get("choice")
            row.badge = (
                str(Choice(choice).label) if isinstance(choice, str) and choice in Choice.values else ""
            )
            if event.kind == EventKind.BALLOT_CORRECTED and detail.get("was") in Choice.values:
                row.note = gettext("changes an earlier vote (%(was)s), which stays on record") % {
                    "was": Choice(detail["was"]).label
                }
        elif event.kind in (EventKind.VOTE_PASSED, EventKind.VOTE_FAILED, EventKind.TALLY):
            row.note = _counts_text(detail.get("counts", {}))
            if detail.get("sheet"):
                row.sheet_url = reverse("deliberation:sheet", args=["tally", detail["tally"]])
        elif event.kind == EventKind.SIGNED:
            row.note = gettext("from their own account") + (
                " · " + gettext("app") if detail.get("channel") == "api" else ""
            )
        elif event.kind == EventKind.PROGRESS:
            status = detail.get("status")
            label = ProgressStatus(status).label if status in ProgressStatus.values else ""
            row.badge = f"{label} {detail.get('percent', '')}%"
        elif event.kind == EventKind.STEP_CLOSED:
            row.what = gettext("Step completed: %(step)s") % {"step": step_label(topic, event.step)}
        rows.append(row)
    return rows


@dataclass
class RatingSummary:
    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0
    topics: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied

    @property
    def satisfaction(self) -> float | None:
        """(satisfied + basically satisfied) / rated, as DESIGN.md defines the satisfaction rate."""
        return (self.satisfied + self.basically) / self.total if self.total else None

    @property
    def satisfaction_percent(self) -> str:
        return "—" if self.satisfaction is None else f"{self.satisfaction * 100:.0f}%"


def _summary(rows) -> RatingSummary:
    summary = RatingSummary()
    for row in rows:
        setattr(summary, row["rating"], row["n"])
    return summary


def rating_summary_for_topic(topic: Topic) -> RatingSummary:
    return _summary(TopicRating.objects.filter(topic=topic).values("rating").annotate(n=Count("id")))


def rating_rollup_for(*, user, area_code: str) -> RatingSummary:
    """Residents' ratings of every visible committee's decisions under ``area_code``: one scan of the
    ratings under the prefix, counting each rating and the decisions rated."""
    visible = Committee.objects.filter(visible_committees_q(user))
    counts = TopicRating.objects.filter(
        area_code__startswith=area_code, topic__committee__in=visible
    ).aggregate(
        **{r: Count("id", filter=Q(rating=r)) for r in Rating.values},
        topics=Count("topic", distinct=True),
    )
    return RatingSummary(**counts)


def my_rating(user, topic: Topic) -> TopicRating | None:
    if not rules.is_active(user):
        return None
    return TopicRating.objects.filter(topic=topic, user_id=user.pk).first()


def resolutions_of(topic: Topic) -> list[Resolution]:
    return list(
        Resolution.objects.filter(topic=topic)
        .select_related("tally", "meeting")
        .prefetch_related(Prefetch("signatures", queryset=Signature.objects.select_related("membership")))
        .order_by("drafted_at", "id")
    )


def decision_of(topic: Topic) -> Resolution | None:
    """The resolution that was published (the last passed one of the round it was published in)."""
    if topic.published_at is None:
        return None
    return (
        Resolution.objects.filter(topic=topic, round=topic.round, status=ResolutionStatus.PASSED)
        .prefetch_related(Prefetch("signatures", queryset=Signature.objects.select_related("membership")))
        .order_by("-id")
        .first()
    )


def progress_of(topic: Topic) -> list[ProgressEntry]:
    return list(ProgressEntry.objects.filter(topic=topic).order_by("recorded_at", "id"))


def comments_of(topic: Topic, *, full_names: bool) -> list[Comment]:
    """Residents' comments; their names are masked unless ``full_names`` (``shown_name``)."""
    comments = list(Comment.objects.filter(topic=topic).order_by("created_at", "id"))
    for comment in comments:
        comment.shown_name = comment.author_name if full_names else mask_name(comment.author_name)
    return comments


def links_of(topic: Topic) -> list[TopicLink]:
    return list(TopicLink.objects.filter(topic=topic))


def my_opinions(user, topic: Topic) -> list:
    """The user's own latest opinions on the topic that can still be corrected."""
    if not rules.is_active(user) or topic.step in TERMINAL:
        return []
    mine = Opinion.objects.filter(topic=topic, author_id=user.pk, corrections__isnull=True).order_by("-id")
    return list(mine[:3])


# --- meetings -------------------------------------------------------------------------------------------------


def meeting_list_for(committee: Committee, limit: int = 20) -> list[Meeting]:
    return list(
        Meeting.objects.filter(committee=committee)
        .annotate(
            expected=Count("attendance", distinct=True),
            came=Count("attendance", filter=Q(attendance__present=True), distinct=True),
        )
        .order_by("-starts_at")[:limit]
    )


def meeting_get_for(*, user, pk: int) -> Meeting:
    meeting = Meeting.objects.select_related("committee", "committee__area").filter(pk=valid_pk(pk)).first()
    if meeting is None or not rules.can_view_committee(user, meeting.committee):
        raise OutOfScope
    return meeting


def meeting_attendance(meeting: Meeting) -> list[Attendance]:
    return list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("membership")
        .order_by("membership__seat", "id")
    )


def meeting_agenda(meeting: Meeting) -> list[Topic]:
    return list(Topic.objects.filter(meeting_items__meeting=meeting).order_by("meeting_items__order"))


def meeting_decisions(meeting: Meeting) -> list[Resolution]:
    return list(Resolution.objects.filter(meeting=meeting).select_related("topic"))


def meetings_for_topic(topic: Topic) -> list[Meeting]:
    return list(Meeting.objects.filter(items__topic=topic).order_by("-starts_at"))


def sheet_name_for(*, user, kind: str, pk: int) -> str:
    """The stored name of a sign-in sheet photo the user may see (meeting or tally), else 404."""
    if kind == "meeting":
        meeting = meeting_get_for(user=user, pk=pk)
        name = meeting.sign_in_sheet.name
    else:
        tally = Tally.objects.select_related("topic__committee").filter(pk=valid_pk(pk)).first()
        if tally is None or not rules.can_view_committee(user, tally.topic.committee):
            raise OutOfScope
        name = tally.sign_in_sheet.name
    if not name:
        raise Http404
    return name


# --- areas --------------------------------------------------------------------------------------------------


def area_for_listing(code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None or area.level > Level.VILLAGE:
        raise Http404
    return area


STATES = {
    "open": _("open"),
    DECLINED: pgettext_lazy("topic", "declined"),
    CLOSED: pgettext_lazy("topic", "closed"),
}


def current_step_kind(topic: Topic) -> str:
    if topic.step in TERMINAL:
        return topic.step
    return process_of(topic.process).step(topic.step).kind


# --- values that name another object --------------------------------------------------------------------------


def member_logins(committee: Committee) -> QuerySet:
    """The logins that may hold a seat on ``committee``: active, holding a role on its village or below it
    (a resident registered there, or staff of the village). A member acts from it: votes, signs."""
    return User.objects.filter(is_active=True, grants__area_code__startswith=committee.area_code).distinct()


def member_login_for(*, user, committee: Committee, username: str, field: str = "username"):
    """The login ``username`` names for a seat on ``committee``, looked up among :func:`member_logins` in
    the appointing user's scope; else :class:`~grassroots.accounts.scoping.UnknownReference`."""
    return resolve_in_scope(
        member_logins(committee),
        user,
        (username or "").strip(),
        field=field,
        what=_("login of the village"),
        scope_field="grants__area_code",
        lookup="username",
        code="no_such_account",
    )


def meeting_of_topic(*, topic: Topic, meeting_id, field: str = "meeting_id") -> Meeting | None:
    """The meeting a step of ``topic`` refers to: one of its committee's (the topic was looked up in the
    actor's scope), else :class:`~grassroots.accounts.scoping.UnknownReference`; None when none is named."""
    if meeting_id in (None, ""):
        return None
    return resolve_among(
        Meeting.objects.filter(committee_id=topic.committee_id),
        meeting_id,
        field=field,
        what=_("meeting of this committee"),
        code="wrong_meeting",
    )


def opinion_of_topic(*, topic: Topic, pk) -> Opinion:
    """An opinion recorded on ``topic`` (the topic was looked up in the actor's scope), else 404."""
    opinion = Opinion.objects.select_related("topic").filter(pk=valid_pk(pk), topic_id=topic.pk).first()
    if opinion is None:
        raise Http404
    return opinion


def comment_of_topic(*, topic: Topic, pk) -> Comment:
    """A comment on ``topic``, else 404."""
    comment = (
        Comment.objects.select_related("topic__committee").filter(pk=valid_pk(pk), topic_id=topic.pk).first()
    )
    if comment is None:
        raise Http404
    return comment


def comment_get_for(*, user, pk: int) -> Comment:
    """A comment on a topic the user can see, else 404."""
    comment = Comment.objects.select_related("topic__committee").filter(pk=valid_pk(pk)).first()
    if comment is None or not rules.can_view_committee(user, comment.topic.committee):
        raise OutOfScope
    return comment


def membership_get_for(*, user, pk: int) -> Membership:
    """A membership of a committee the user can see, else 404."""
    membership = Membership.objects.select_related("committee").filter(pk=valid_pk(pk)).first()
    if membership is None or not rules.can_view_committee(user, membership.committee):
        raise OutOfScope
    return membership


def village_group_for(*, area_code: str, number: int | None, field: str) -> VillageGroup | None:
    """The group ``number`` of the village ``area_code`` (None when no number is given), else a refusal on
    ``field``. Whether the caller may found a committee on that village is the service's check."""
    if number is None:
        return None
    group = VillageGroup.objects.filter(village__code=area_code, number=number).first()
    if group is None:
        raise DeliberationError(
            _("This village has no group with that number."), code="bad_group", detail={"field": field}
        )
    return group
