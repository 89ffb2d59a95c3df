"""Deliberation pages: public where the committee publishes itself ("ten eyes"), member actions from the
phone, meetings, and the managers' seat pages. Thin: parse, check, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots import media
from grassroots.forms import form_errors
from grassroots.notifications.services import mark_read_about
from grassroots.pages import refusals_into
from grassroots.paging import page_of

from . import actions, forms, rules, selectors, services
from .models import Channel, MeetingStatus
from .transitions import Origin


def _labelled(topics):
    """Topics with the label of the step they are in (``step_label``), for lists."""
    topics = list(topics)
    for t in topics:
        t.step_label = selectors.step_label(t)
    return topics


# --- lists -------------------------------------------------------------------------------------------------------


def index(request):
    """The deliberation home: what waits for the user's seat, their committees, what they follow, and the
    committees they can see (public ones for everyone)."""
    user = request.user
    committees = selectors.committee_list_for(user=user).order_by("area_code", "kind", "id")
    page = page_of(request, committees, 30)
    return render(
        request,
        "deliberation/index.html",
        {
            "awaiting": selectors.topics_awaiting(user),
            "my_committees": list(selectors.committees_of_member(user)),
            "followed": selectors.followed_topics(user),
            "page": page,
        },
    )


def area(request, code: str):
    area = selectors.area_for_listing(code)
    committees = list(
        selectors.committee_list_for(user=request.user, area_code=code).order_by("area_code", "kind", "id")[
            :200
        ]
    )
    return render(
        request,
        "deliberation/area.html",
        {
            "area": area,
            "committees": committees,
            "ratings": selectors.rating_rollup_for(user=request.user, area_code=code),
            "topics": _labelled(selectors.topic_list_for(user=request.user, area_code=code, limit=30)),
        },
    )


def committee(request, pk: int):
    committee = selectors.committee_get_for(user=request.user, pk=pk)
    state = request.GET.get("state", "open")
    if state not in selectors.STATES and state != "all":
        state = "open"
    topics = selectors.topic_list_for_committee(committee=committee, state="" if state == "all" else state)
    page = page_of(request, topics, 25)
    page.object_list = _labelled(page.object_list)
    return render(
        request,
        "deliberation/committee.html",
        {
            "committee": committee,
            "seats": selectors.seats_of(committee),
            "page": page,
            "state": state,
            "states": selectors.STATES,
            "meetings": selectors.meeting_list_for(committee, limit=5),
            "ratings": selectors.rating_rollup_for(user=request.user, area_code=committee.area_code),
            "can_propose": rules.can_propose(request.user, committee),
            "can_manage": rules.can_manage_committee(request.user, committee),
            "can_meet": rules.can_record_meeting(request.user, committee),
            "process": selectors.process_for(committee),
        },
    )


def committee_history(request, pk: int):
    committee = selectors.committee_get_for(user=request.user, pk=pk)
    return render(
        request,
        "deliberation/history.html",
        {
            "committee": committee,
            "memberships": selectors.membership_history(committee),
            "can_manage": rules.can_manage_committee(request.user, committee),
            "end_form": forms.EndMembershipForm(),
        },
    )


# --- proposing ---------------------------------------------------------------------------------------------------


@login_required
def propose(request, pk: int):
    committee = selectors.committee_get_for(user=request.user, pk=pk)
    rules.require(request.user, rules.can_propose, committee)
    form = forms.ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_into(form) as refusal:
            topic = services.topic_propose(
                actor=request.user,
                committee=committee,
                origin=Origin.from_request(request),
                **form.cleaned_data,
            )
        if not refusal.refused:
            messages.success(
                request, _("Your topic is proposed. The members will put it on the agenda or say why not.")
            )
            return redirect("deliberation:topic", topic.pk)
    return render(request, "deliberation/propose.html", {"committee": committee, "form": form})


# --- the topic ---------------------------------------------------------------------------------------------------


def topic(request, pk: int):
    topic = selectors.topic_get_for(user=request.user, pk=pk)
    user = request.user
    mark_read_about(actor=user, target=topic)  # what the inbox said about it has now been seen
    committee = topic.committee
    members = selectors.seated(committee)
    status = selectors.step_status(topic, members)
    full_names = rules.can_see_full_names(user, committee)
    is_member = any(m.user_id == getattr(user, "pk", None) for m in members)
    seen = actions.Seen(
        user=user,
        topic=topic,
        offered=selectors.available_actions(user, topic, members, status) if status else [],
        step_kind=selectors.current_step_kind(topic),
        following=selectors.is_following(user, topic),
        correctable=selectors.my_opinions(user, topic) if is_member else [],
    )
    shown = {name: row.shown(seen) for name, row in actions.TOPIC_ACTIONS.items()}
    page_forms = _action_forms(topic)
    context = {
        "topic": topic,
        "committee": committee,
        "status": status,
        "marks": selectors.step_marks(topic),
        "step_label": selectors.step_label(topic),
        "actions": seen.offered,
        "buttons": [
            (row, page_forms[row.name]) for row in actions.ROWS if row.schema is not None and shown[row.name]
        ],
        "timeline": selectors.timeline_for(topic, full_names=full_names),
        "proposer": selectors.proposer_display(topic, full_names=full_names),
        "resolutions": selectors.resolutions_of(topic),
        "decision": selectors.decision_of(topic),
        "progress": selectors.progress_of(topic),
        "ratings": selectors.rating_summary_for_topic(topic),
        "my_rating": selectors.my_rating(user, topic),
        "can_rate": shown["rate"],
        "comments": selectors.comments_of(topic, full_names=full_names),
        "can_comment": shown["comment"],
        "can_moderate": shown["hide_comment"],
        "can_link": shown["link_case"],
        "following": seen.following,
        "can_follow": shown["follow"] or shown["unfollow"],
        "links": selectors.links_of(topic),
        "meetings": selectors.meetings_for_topic(topic),
        "full_names": full_names,
        "is_member": is_member,
        "forms": page_forms,
        "correct_forms": [
            (
                opinion,
                forms.CorrectOpinionForm(
                    auto_id=f"correct{opinion.pk}-%s",
                    initial={"opinion": opinion.pk, "stance": opinion.stance, "text": opinion.text},
                ),
            )
            for opinion in seen.correctable
        ],
    }
    return render(request, "deliberation/topic.html", context)


# The ids of the page's fields (``<name>-<field>``) that its journeys and labels refer to.
_FORM_IDS = {"link_case": "case", "link_notice": "notice", "rate": "rating"}


def _action_forms(topic):
    """An empty form for every action of the topic page, by the action's name."""
    initial = {"progress": {"status": topic.progress_status, "percent": topic.progress_percent}}
    return {
        name: row.form(auto_id=f"{_FORM_IDS.get(name, name)}-%s", initial=initial.get(name))
        for name, row in actions.TOPIC_ACTIONS.items()
    }


@login_required
@require_POST
def topic_act(request, pk: int, action: str):
    """Every action of the topic page (``actions.TOPIC_ACTIONS``): parse its form, call its service, say
    what happened. A refusal comes back as a message on the topic; a missing permission is the 403 page."""
    topic = selectors.topic_get_for(user=request.user, pk=pk)
    row = actions.TOPIC_ACTIONS.get(action)
    if row is None:
        raise Http404
    form = row.form(request.POST, request.FILES)
    target = reverse("deliberation:topic", args=[topic.pk])
    if not form.is_valid():
        messages.error(request, form_errors(form) or _("Check the form and try again."))
        return redirect(target + "#act")
    origin = Origin.from_request(request, Channel.WEB)
    with refusals_into(request) as refusal:
        actions.perform(row, actor=request.user, topic=topic, origin=origin, values=form.cleaned_data)
    if refusal.refused:
        return redirect(target + "#act")
    messages.success(request, str(row.done))
    return redirect(target)


# --- meetings ------------------------------------------------------------------------------------------------------


def meeting(request, pk: int):
    meeting = selectors.meeting_get_for(user=request.user, pk=pk)
    attendance = selectors.meeting_attendance(meeting)
    user = request.user
    mine = next((a for a in attendance if a.membership.user_id == getattr(user, "pk", None)), None)
    can_record = rules.can_record_meeting(user, meeting.committee)
    return render(
        request,
        "deliberation/meeting.html",
        {
            "meeting": meeting,
            "committee": meeting.committee,
            "attendance": attendance,
            "agenda": selectors.meeting_agenda(meeting),
            "decisions": selectors.meeting_decisions(meeting),
            "mine": mine,
            "can_record": can_record and meeting.status == MeetingStatus.PLANNED,
            "record_form": forms.MeetingRecordForm(attendance=attendance) if can_record else None,
        },
    )


@login_required
def meeting_new(request, pk: int):
    committee = selectors.committee_get_for(user=request.user, pk=pk)
    rules.require(request.user, rules.can_record_meeting, committee)
    offline = request.GET.get("offline") == "1" or request.POST.get("offline") == "1"
    topics = list(selectors.topic_list_for_committee(committee=committee, state="open")[:50])
    members = selectors.seated(committee)
    form_class = forms.OfflineMeetingForm if offline else forms.MeetingForm
    kwargs = {"topics": topics, **({"members": members} if offline else {})}
    form = form_class(request.POST or None, request.FILES or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        called = {
            "actor": request.user,
            "committee": committee,
            "title": d["title"],
            "starts_at": d["starts_at"],
            "place": d["place"],
            "topic_ids": [int(t) for t in d["topics"]],
        }
        with refusals_into(form) as refusal:
            if offline:
                meeting = services.meeting_record_offline(
                    **called,
                    minutes=d["minutes"],
                    present=[int(p) for p in d["present"]],
                    sign_in_sheet=d["sign_in_sheet"],
                )
            else:
                meeting = services.meeting_schedule(**called)
        if not refusal.refused:
            messages.success(
                request, _("The meeting is recorded.") if offline else _("The meeting is called.")
            )
            return redirect("deliberation:meeting", meeting.pk)
    return render(
        request, "deliberation/meeting_form.html", {"committee": committee, "form": form, "offline": offline}
    )


def _record_meeting(request, meeting):
    form = forms.MeetingRecordForm(
        request.POST, request.FILES, attendance=selectors.meeting_attendance(meeting)
    )
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return None
    return services.meeting_record(
        actor=request.user,
        meeting=meeting,
        minutes=form.cleaned_data["minutes"],
        present=[int(p) for p in form.cleaned_data["present"]],
        sign_in_sheet=form.cleaned_data.get("sign_in_sheet"),
    )


def _cancel_meeting(request, meeting):
    form = forms.CancelMeetingForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return None
    return services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])


def _sign_in(request, meeting):
    return services.meeting_sign_in(actor=request.user, meeting=meeting, origin=Origin.from_request(request))


MEETING_ACTIONS = {
    "sign_in": (_sign_in, _("You are signed in.")),
    "record": (_record_meeting, _("The minutes are recorded.")),
    "cancel": (_cancel_meeting, _("The meeting is cancelled.")),
}


@login_required
@require_POST
def meeting_act(request, pk: int, action: str):
    meeting = selectors.meeting_get_for(user=request.user, pk=pk)
    if action not in MEETING_ACTIONS:
        raise Http404
    take, done = MEETING_ACTIONS[action]
    with refusals_into(request):
        if take(request, meeting) is not None:
            messages.success(request, done)
    return redirect(reverse("deliberation:meeting", args=[meeting.pk]))


def sheet(request, kind: str, pk: int):
    """The photo of a paper sign-in sheet, for whoever may see the committee."""
    if kind not in ("meeting", "tally"):
        raise Http404
    return media.file_response(selectors.sheet_name_for(user=request.user, kind=kind, pk=pk))


# --- managing committees -------------------------------------------------------------------------------------------


@login_required
def committee_new(request):
    form = forms.CommitteeForm(request.POST or None, initial={"area_code": request.GET.get("area", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with refusals_into(form) as refusal:
            group = selectors.village_group_for(
                area_code=d["area_code"], number=d.get("village_group"), field="village_group"
            )
            committee = services.committee_create(
                actor=request.user,
                kind=d["kind"],
                name=d["name"],
                area_code=d["area_code"],
                village_group=group,
                is_public=d["is_public"],
                request=request,
            )
        if not refusal.refused:
            messages.success(request, _("The committee is founded. Now seat its members."))
            return redirect("deliberation:member_new", committee.pk)
    return render(request, "deliberation/committee_form.html", {"form": form})


@login_required
def member_new(request, pk: int):
    committee = selectors.committee_get_for(user=request.user, pk=pk)
    rules.require(request.user, rules.can_manage_committee, committee)
    form = forms.AppointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with refusals_into(form) as refusal:
            account = None
            if d["username"]:
                account = selectors.member_login_for(
                    user=request.user, committee=committee, username=d["username"]
                )
            services.membership_appoint(
                actor=request.user,
                committee=committee,
                seat=d["seat"],
                role=d["role"],
                name=d["name"],
                user=account,
                chosen_how=d["chosen_how"],
                chosen_note=d["chosen_note"],
                started_on=d["started_on"],
                term_ends_on=d["term_ends_on"],
                request=request,
            )
        if not refusal.refused:
            messages.success(request, _("The member is seated."))
            return redirect("deliberation:committee", committee.pk)
    return render(
        request,
        "deliberation/member_form.html",
        {"committee": committee, "form": form, "seats": selectors.seats_of(committee)},
    )


@login_required
@require_POST
def member_end(request, pk: int):
    membership = selectors.membership_get_for(user=request.user, pk=pk)
    form = forms.EndMembershipForm(request.POST)
    target = reverse("deliberation:committee_history", args=[membership.committee_id])
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(target)
    with refusals_into(request) as refusal:
        services.membership_end(
            actor=request.user,
            membership=membership,
            ended_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    if not refusal.refused:
        messages.success(request, _("The membership has ended; it stays in the history."))
    return redirect(target)
