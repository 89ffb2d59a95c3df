"""What waits for a person today, gathered from every app's own selectors (each scoped there).

One list of :class:`Waiting` groups — cases by the next step the transition table offers the user, topics
where their seat owes a step, objections to answer, notices due in the disclosure catalogue, check-ins to
confirm — each with its count, the page of the whole list and the first few items, every item one tap from
its action. Groups with nothing waiting are left out; the shortcuts say what else the user may start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.accounts.scoping import has_role
from grassroots.areas.codes import Level
from grassroots.cases import rules as case_rules
from grassroots.cases import selectors as cases
from grassroots.cases.models import Case
from grassroots.cases.workflow import DESK, OVERSIGHT, Action
from grassroots.deliberation import selectors as deliberation
from grassroots.disclosure import rules as disclosure_rules
from grassroots.disclosure import selectors as disclosure
from grassroots.notifications import selectors as inbox
from grassroots.workforce import selectors as workforce

SHOWN = 5  # items shown per group; the group's link opens the whole list


@dataclass
class Item:
    title: str
    detail: str  # free text others wrote: the template masks it
    url: str
    mark: str = ""  # "overdue" … a word the template styles
    take_url: str = ""  # one tap "I'll take it" for a grid worker (POST)


@dataclass
class Waiting:
    key: str
    title: object
    count: int
    url: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Shortcut:
    label: object
    url: str
    primary: bool = False


@dataclass
class Today:
    waiting: list[Waiting]
    shortcuts: list[Shortcut]
    unread: int
    is_resident: bool

    @property
    def count(self) -> int:
        return sum(w.count for w in self.waiting)


def _queue(**filters) -> str:
    return reverse("cases:queue") + "?" + urlencode(filters)


# The next step a case waits for → (the group's title, where its whole list is for staff with a queue).
CASE_GROUPS = {
    Action.ACCEPT: (_("Reports to take up"), {"state": "reported"}),
    Action.DISPATCH: (_("Cases to dispatch"), {"state": "accepted"}),
    Action.HANDLE: (_("Cases to handle"), None),
    Action.VERIFY_PASS: (_("Handled cases to verify"), {"state": "handled"}),
    Action.APPROVE_EXTENSION: (_("Extensions to decide"), {"state": "dispatched"}),
    Action.RATE: (_("Your reports to rate"), None),
}


def _case_item(case: Case, *, user, step: str, now) -> Item:
    overdue = (case.response_due_at and case.state == "reported" and case.response_due_at < now) or (
        case.handling_due_at and case.state == "dispatched" and case.handling_due_at < now
    )
    take = (
        step == Action.ACCEPT
        and case.level == Level.GRID
        and has_role(user, {Role.GRID_WORKER})
        and case_rules.can_take(user, case, Action.ACCEPT)
    )
    return Item(
        title=f"{case.category.shown_name} · {case.reference}",
        detail=case.address or case.description[:80],
        url=reverse("cases:detail", kwargs={"pk": case.pk}),
        mark="overdue" if overdue else "",
        take_url=reverse("cases:take", kwargs={"pk": case.pk}) if take else "",
    )


def _case_groups(user, now) -> list[Waiting]:
    by_step = cases.work_waiting_for(user=user)
    has_queue = cases.has_queue(user)
    groups = []
    for step, (title, filters) in CASE_GROUPS.items():
        rows = by_step.get(str(step), [])
        if not rows:
            continue
        if step == Action.HANDLE:
            url = reverse("cases:tasks")
        elif step == Action.RATE or not has_queue or filters is None:
            url = reverse("cases:mine")
        else:
            url = _queue(**filters)
        items = [_case_item(c, user=user, step=str(step), now=now) for c in rows[:SHOWN]]
        groups.append(Waiting(f"cases-{step}", title, len(rows), url, items))
    if has_role(user, DESK):
        calls = cases.callbacks_to_make_for(user=user)
        count = calls.count()
        if count:
            items = [
                Item(
                    title=f"{c.category.shown_name} · {c.reference}",
                    detail=c.address or c.description[:80],
                    url=reverse("cases:callbacks") + f"#case-{c.pk}",
                )
                for c in calls[:SHOWN]
            ]
            groups.append(
                Waiting("callbacks", _("Callbacks to make"), count, reverse("cases:callbacks"), items)
            )
    if has_role(user, OVERSIGHT) and has_queue:
        overdue = cases.case_queue_for(user=user, filters=cases.QueueFilters(overdue=True)).count()
        if overdue:
            groups.append(Waiting("cases-overdue", _("Overdue in your area"), overdue, _queue(overdue="on")))
    return groups


def _topic_group(user) -> list[Waiting]:
    rows = deliberation.topics_awaiting(user)
    if not rows:
        return []
    items = [
        Item(
            title=str(topic.title),
            detail=str(topic.committee.name),
            url=reverse("deliberation:topic", kwargs={"pk": topic.pk}),
        )
        for topic, _actions in rows[:SHOWN]
    ]
    return [
        Waiting("topics", _("Topics waiting for your step"), len(rows), reverse("deliberation:index"), items)
    ]


def _disclosure_groups(user) -> list[Waiting]:
    groups = []
    objections = disclosure.objections_waiting_for(user=user)
    if objections:
        items = [
            Item(
                title=str(o.notice.board.name),
                detail=o.text[:80],
                url=reverse("disclosure:manage", kwargs={"pk": o.notice.board_id}) + f"#objection-{o.pk}",
            )
            for o in objections[:SHOWN]
        ]
        groups.append(
            Waiting(
                "objections", _("Objections to answer"), len(objections), reverse("disclosure:desk"), items
            )
        )
    if disclosure_rules.can_use_disclosure_desk(user):
        due = [r for r in disclosure.catalogue_status_for(user=user) if r["status"] in ("due", "overdue")]
        if due:
            items = [
                Item(
                    title=str(r["item"]),
                    detail=str(r["board"].name),
                    url=reverse(
                        "disclosure:manage"
                        if disclosure_rules.can_manage_board(user, r["board"].area_code)
                        else "disclosure:board",
                        kwargs={"pk": r["board"].pk},
                    ),
                    mark="overdue" if r["status"] == "overdue" else "",
                )
                for r in due[:SHOWN]
            ]
            groups.append(Waiting("notices", _("Notices due"), len(due), reverse("disclosure:desk"), items))
    return groups


def _check_in_group(user) -> list[Waiting]:
    rows = workforce.check_ins_to_confirm_for(user=user)
    if not rows:
        return []
    items = [
        Item(
            title=str(c.member.name),
            detail=str(c.branch.name),
            url=reverse("workforce:check_in_list") + f"#check-in-{c.pk}",
        )
        for c in rows[:SHOWN]
    ]
    return [
        Waiting("check-ins", _("Check-ins to confirm"), len(rows), reverse("workforce:check_in_list"), items)
    ]


def _shortcuts(user) -> list[Shortcut]:
    out = []
    if case_rules.can_report(user):
        out.append(Shortcut(_("Report a problem"), reverse("cases:report"), primary=True))
    if case_rules.can_enter_cases(user):
        out.append(Shortcut(_("Enter a call or visit"), reverse("cases:enter")))
    if case_rules.can_resolve_on_the_spot(user):
        out.append(Shortcut(_("Resolved on the spot"), reverse("cases:on_the_spot")))
    if cases.has_queue(user):
        out.append(Shortcut(_("Case queue"), _queue(state="open")))
    out.append(Shortcut(_("My reports"), reverse("cases:mine")))
    return out


def today_for(*, user) -> Today:
    now = clock.now()
    waiting = [
        *_case_groups(user, now),
        *_topic_group(user),
        *_disclosure_groups(user),
        *_check_in_group(user),
    ]
    staff = has_role(user, {r for r in Role.values if r != Role.RESIDENT})
    return Today(
        waiting=waiting,
        shortcuts=_shortcuts(user),
        unread=inbox.unread_count_for(user=user),
        is_resident=not staff,
    )
