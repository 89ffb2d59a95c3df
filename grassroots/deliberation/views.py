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
from grassroots.accounts.scoping import UnknownReference
from grassroots.areas.models import VillageGroup
from grassroots.errors import DomainError, NotPermitted
from grassroots.forms import form_errors
from grassroots.paging import page_of

from . import forms, rules, selectors, services
from .models import Channel, Comment, MeetingStatus, Membership, Opinion, Topic
from .services import Origin


def _labelled(topics):
    """Topics with the label of the step they are in (``step_label``), for lists."""
    topics = list(topics)
    for t in topics:
        t.step_label = selectors.step_label(t)
    return topics


def _denied(request, exc: NotPermitted):
    return render(request, "deliberation/denied.html", {"message": exc.message}, status=403)


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
    if not rules.can_propose(request.user, committee):
        return _denied(request, NotPermitted(rules.refusal(rules.can_propose)))
    form = forms.ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_propose(
                actor=request.user,
                committee=committee,
                origin=Origin.from_request(request),
                **form.cleaned_data,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("Your topic is proposed. The members will put it on the agenda or say why not.")
            )
            return redirect("deliberation:topic", topic.pk)
    return render(request, "deliberation/propose.html", {"committee": committee, "form": form})


# --- the topic ---------------------------------------------------------------------------------------------------


def topic(request, pk: int):
    topic = selectors.topic_get_for(user=request.user, pk=pk)
    user = request.user
    committee = topic.committee
    members = selectors.seated(committee)
    status = selectors.step_status(topic, members)
    actions = selectors.available_actions(user, topic, members, status) if status else []
    full_names = rules.can_see_full_names(user, committee)
    is_member = any(m.user_id == getattr(user, "pk", None) for m in members)
    step_kind = selectors.current_step_kind(topic)
    context = {
        "topic": topic,
        "committee": committee,
        "status": status,
        "marks": selectors.step_marks(topic),
        "step_label": selectors.step_label(topic),
        "actions": actions,
        "timeline": selectors.timeline_for(topic, full_names=full_names),
        "proposer": selectors.proposer_display(topic, full_names=full_names),
        "resolutions": selectors.resolutions_of(topic),
        "decision": selectors.decision_of(topic),
        "progress": selectors.progress_of(topic),
        "ratings": selectors.rating_summary_for_topic(topic),
        "my_rating": selectors.my_rating(user, topic),
        "can_rate": step_kind == "evaluate" and rules.can_rate(user, committee),
        "comments": selectors.comments_of(topic, full_names=full_names),
        "can_comment": rules.can_comment(user, committee),
        "can_moderate": rules.can_moderate(user, committee),
        "can_link": rules.can_link(user, committee),
        "following": selectors.is_following(user, topic),
        "can_follow": rules.can_follow(user, committee),
        "links": selectors.links_of(topic),
        "meetings": selectors.meetings_for_topic(topic),
        "full_names": full_names,
        "is_member": is_member,
        "forms": {
            "decline": forms.ReasonForm(auto_id="decline-%s"),
            "opinion": forms.OpinionForm(auto_id="opinion-%s"),
            "draft": forms.DraftForm(auto_id="draft-%s"),
            "ballot": forms.BallotForm(auto_id="ballot-%s"),
            "tally": forms.TallyForm(auto_id="tally-%s"),
            "refuse": forms.ReasonForm(auto_id="refuse-%s"),
            "publish": forms.NoteForm(auto_id="publish-%s"),
            "progress": forms.ProgressForm(
                auto_id="progress-%s",
                initial={"status": topic.progress_status, "percent": topic.progress_percent},
            ),
            "close": forms.NoteForm(auto_id="close-%s"),
            "rating": forms.RatingForm(auto_id="rating-%s"),
            "comment": forms.CommentForm(auto_id="comment-%s"),
            "link_case": forms.LinkCaseForm(auto_id="case-%s"),
            "link_notice": forms.LinkNoticeForm(auto_id="notice-%s"),
        },
        "correct_forms": [
            (
                opinion,
                forms.CorrectOpinionForm(
                    auto_id=f"correct{opinion.pk}-%s",
                    initial={"opinion": opinion.pk, "stance": opinion.stance, "text": opinion.text},
                ),
            )
            for opinion in (selectors.my_opinions(user, topic) if is_member else [])
        ],
    }
    return render(request, "deliberation/topic.html", context)


def _version(data) -> int | None:
    return data.get("version")


def _act(request, topic: Topic, action: str, form, origin: Origin):
    """Call the service behind one action of the topic page; returns the success message."""
    user, d = request.user, form.cleaned_data
    common = {"actor": user, "topic": topic}
    stepped = {**common, "version": _version(d), "origin": origin}
    if action == "put_on_agenda":
        services.topic_put_on_agenda(**stepped, note=d["note"])
        return _("The topic is on the agenda.")
    if action == "decline":
        services.topic_decline(**stepped, reason=d["reason"])
        return _("The topic is declined; the reason is shown to everyone.")
    if action == "opinion":
        services.opinion_record(**stepped, stance=d["stance"], text=d["text"])
        return _("Your opinion is recorded.")
    if action == "correct_opinion":
        opinion = Opinion.objects.filter(pk=selectors.valid_pk(d["opinion"]), topic=topic).first()
        if opinion is None:
            raise Http404
        services.opinion_correct(
            actor=user,
            opinion=opinion,
            stance=d["stance"],
            text=d["text"],
            version=_version(d),
            origin=origin,
        )
        return _("Your correction is recorded; the earlier opinion stays on the timeline.")
    if action == "draft":
        meeting = selectors.meeting_of_topic(topic=topic, meeting_id=d.get("meeting"), field="meeting")
        services.resolution_draft(**stepped, text=d["text"], meeting=meeting)
        return _("The resolution is put to the vote.")
    if action == "ballot":
        services.ballot_cast(**stepped, choice=d["choice"])
        return _("Your vote is recorded.")
    if action == "close_vote":
        services.vote_close(**stepped)
        return _("The vote is closed.")
    if action == "tally":
        services.tally_record(
            **stepped,
            text=d["text"],
            expected=d["expected"],
            present=d["present"],
            agree=d["agree"],
            disagree=d["disagree"],
            abstain=d["abstain"],
            held_on=d["held_on"],
            place=d["place"],
            sign_in_sheet=d.get("sign_in_sheet"),
        )
        return _("The meeting's count is recorded.")
    if action == "sign":
        services.signature_sign(**stepped)
        return _("You have signed.")
    if action == "refuse":
        services.signature_refuse(**stepped, reason=d["reason"])
        return _("Your refusal and its reason are recorded; the topic returns to discussion.")
    if action == "publish":
        services.decision_publish(**stepped, note=d["note"])
        return _("Made public.")
    if action == "progress":
        services.progress_record(**stepped, status=d["status"], percent=d["percent"], note=d["note"])
        return _("The progress is recorded.")
    if action == "close":
        services.topic_close(**stepped, note=d["note"])
        return _("The topic is closed.")
    if action == "rate":
        services.topic_rate(**common, rating=d["rating"], comment=d["comment"])
        return _("Thank you: your rating is recorded.")
    if action == "comment":
        services.comment_add(**common, text=d["text"])
        return _("Your comment is published.")
    if action == "hide_comment":
        comment = Comment.objects.filter(pk=selectors.valid_pk(d["comment"]), topic=topic).first()
        if comment is None:
            raise Http404
        services.comment_hide(actor=user, comment=comment, reason=d["reason"])
        return _("The comment is hidden.")
    if action == "follow":
        services.topic_follow(**common)
        return _("You follow this topic: you will be told of every step.")
    if action == "unfollow":
        services.topic_unfollow(**common)
        return _("You no longer follow this topic.")
    if action == "link_case":
        services.topic_link_case(**common, case_id=d["case_id"])
        return _("The case is linked.")
    if action == "link_notice":
        services.topic_link_notice(**common, notice_id=d["notice_id"], title=d["title"], url=d["url"])
        return _("The notice is linked.")
    raise Http404


ACTION_FORMS = {
    "put_on_agenda": forms.NoteForm,
    "decline": forms.ReasonForm,
    "opinion": forms.OpinionForm,
    "correct_opinion": forms.CorrectOpinionForm,
    "draft": forms.DraftForm,
    "ballot": forms.BallotForm,
    "close_vote": forms.NoteForm,
    "tally": forms.TallyForm,
    "sign": forms.NoteForm,
    "refuse": forms.ReasonForm,
    "publish": forms.NoteForm,
    "progress": forms.ProgressForm,
    "close": forms.NoteForm,
    "rate": forms.RatingForm,
    "comment": forms.CommentForm,
    "hide_comment": forms.HideCommentForm,
    "follow": forms.NoteForm,
    "unfollow": forms.NoteForm,
    "link_case": forms.LinkCaseForm,
    "link_notice": forms.LinkNoticeForm,
}


@login_required
@require_POST
def topic_act(request, pk: int, action: str):
    topic = selectors.topic_get_for(user=request.user, pk=pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES)
    target = reverse("deliberation:topic", args=[topic.pk])
    if not form.is_valid():
        messages.error(request, form_errors(form) or _("Check the form and try again."))
        return redirect(target + "#act")
    try:
        done = _act(request, topic, action, form, Origin.from_request(request, Channel.WEB))
    except NotPermitted as exc:
        return _denied(request, exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(target + "#act")
    messages.success(request, done)
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
    if not rules.can_record_meeting(request.user, committee):
        return _denied(request, NotPermitted(rules.refusal(rules.can_record_meeting)))
    offline = request.GET.get("offline") == "1" or request.POST.get("offline") == "1"
    topics = list(selectors.topic_list_for_committee(committee=committee, state="open")[:50])
    members = selectors.seated(committee)
    form_class = forms.OfflineMeetingForm if offline else forms.MeetingForm
    kwargs = {"topics": topics, **({"members": members} if offline else {})}
    form = form_class(request.POST or None, request.FILES or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if offline:
                meeting = services.meeting_record_offline(
                    actor=request.user,
                    committee=committee,
                    title=d["title"],
                    starts_at=d["starts_at"],
                    place=d["place"],
                    minutes=d["minutes"],
                    present=[int(p) for p in d["present"]],
                    sign_in_sheet=d["sign_in_sheet"],
                    topic_ids=[int(t) for t in d["topics"]],
                )
            else:
                meeting = services.meeting_schedule(
                    actor=request.user,
                    committee=committee,
                    title=d["title"],
                    starts_at=d["starts_at"],
                    place=d["place"],
                    topic_ids=[int(t) for t in d["topics"]],
                )
        except NotPermitted as exc:
            return _denied(request, exc)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("The meeting is recorded.") if offline else _("The meeting is called.")
            )
            return redirect("deliberation:meeting", meeting.pk)
    return render(
        request, "deliberation/meeting_form.html", {"committee": committee, "form": form, "offline": offline}
    )


@login_required
@require_POST
def meeting_act(request, pk: int, action: str):
    meeting = selectors.meeting_get_for(user=request.user, pk=pk)
    target = reverse("deliberation:meeting", args=[meeting.pk])
    try:
        if action == "sign_in":
            services.meeting_sign_in(actor=request.user, meeting=meeting, origin=Origin.from_request(request))
            messages.success(request, _("You are signed in."))
        elif action == "record":
            form = forms.MeetingRecordForm(
                request.POST, request.FILES, attendance=selectors.meeting_attendance(meeting)
            )
            if not form.is_valid():
                messages.error(request, form_errors(form))
                return redirect(target)
            services.meeting_record(
                actor=request.user,
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                present=[int(p) for p in form.cleaned_data["present"]],
                sign_in_sheet=form.cleaned_data.get("sign_in_sheet"),
            )
            messages.success(request, _("The minutes are recorded."))
        elif action == "cancel":
            form = forms.CancelMeetingForm(request.POST)
            if not form.is_valid():
                messages.error(request, form_errors(form))
                return redirect(target)
            services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
            messages.success(request, _("The meeting is cancelled."))
        else:
            raise Http404
    except NotPermitted as exc:
        return _denied(request, exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(target)


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
        group = None
        if d.get("village_group"):
            group = VillageGroup.objects.filter(
                village__code=d["area_code"], number=d["village_group"]
            ).first()
            if group is None:
                form.add_error("village_group", _("This village has no group with that number."))
        if form.is_valid():
            try:
                committee = services.committee_create(
                    actor=request.user,
                    kind=d["kind"],
                    name=d["name"],
                    area_code=d["area_code"],
                    village_group=group,
                    is_public=d["is_public"],
                    request=request,
                )
            except NotPermitted as exc:
                return _denied(request, exc)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("The committee is founded. Now seat its members."))
                return redirect("deliberation:member_new", committee.pk)
    return render(request, "deliberation/committee_form.html", {"form": form})


@login_required
def member_new(request, pk: int):
    committee = selectors.committee_get_for(user=request.user, pk=pk)
    if not rules.can_manage_committee(request.user, committee):
        return _denied(request, NotPermitted(rules.refusal(rules.can_manage_committee)))
    form = forms.AppointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        account = None
        if d["username"]:
            try:
                account = selectors.member_login_for(
                    user=request.user, committee=committee, username=d["username"]
                )
            except UnknownReference as exc:
                form.add_error("username", str(exc.message))
        if form.is_valid():
            try:
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
            except NotPermitted as exc:
                return _denied(request, exc)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
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
    membership = Membership.objects.select_related("committee").filter(pk=selectors.valid_pk(pk)).first()
    if membership is None:
        raise Http404
    committee = selectors.committee_get_for(user=request.user, pk=membership.committee_id)
    form = forms.EndMembershipForm(request.POST)
    target = reverse("deliberation:committee_history", args=[committee.pk])
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(target)
    try:
        services.membership_end(
            actor=request.user,
            membership=membership,
            ended_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except NotPermitted as exc:
        return _denied(request, exc)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(target)
    messages.success(request, _("The membership has ended; it stays in the history."))
    return redirect(target)
