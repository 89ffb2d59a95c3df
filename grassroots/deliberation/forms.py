"""Forms of the deliberation pages: parsing only; every rule is checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.forms import Form

from .models import (
    Choice,
    ChosenHow,
    CommitteeKind,
    ProgressStatus,
    Rating,
    SeatRole,
    Stance,
    TopicKind,
)


class _Versioned(Form):
    version = forms.IntegerField(required=False, min_value=0, max_value=2**31, widget=forms.HiddenInput)


class ProposeForm(Form):
    public_text = ("title", "description")
    kind = forms.ChoiceField(
        label=_("What kind of matter"), choices=TopicKind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(
        label=_("Title"), max_length=120, help_text=_("In a few words, e.g. “Harden the road to group 2”.")
    )
    description = forms.CharField(
        label=_("Describe it"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What, where, who is concerned, what you suggest. Everyone in the village can read it."),
    )


class NoInput(Form):
    """An action that takes nothing but the button (follow, unfollow)."""


class VersionForm(_Versioned):
    """An action that takes only the version of the topic the member saw (sign, close the vote)."""


class NoteForm(_Versioned):
    public_text = ("note",)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(_Versioned):
    public_text = ("reason",)
    reason = forms.CharField(label=_("Reason (shown to everyone)"), widget=forms.Textarea(attrs={"rows": 3}))


class OpinionForm(_Versioned):
    public_text = ("text",)
    stance = forms.ChoiceField(label=_("Your position"), choices=Stance.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Your opinion"), widget=forms.Textarea(attrs={"rows": 3}))


class CorrectOpinionForm(OpinionForm):
    opinion = forms.IntegerField(widget=forms.HiddenInput)


class DraftForm(_Versioned):
    public_text = ("text",)
    text = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 4}))
    meeting = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BallotForm(_Versioned):
    choice = forms.ChoiceField(label=_("Your vote"), choices=Choice.choices, widget=forms.RadioSelect)


class TallyForm(_Versioned):
    public_text = ("text", "place")
    text = forms.CharField(label=_("Plan or resolution voted on"), widget=forms.Textarea(attrs={"rows": 3}))
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    expected = forms.IntegerField(label=_("Entitled to attend"), min_value=1, max_value=1_000_000)
    present = forms.IntegerField(label=_("Present"), min_value=0, max_value=1_000_000)
    agree = forms.IntegerField(label=_("Agree"), min_value=0, max_value=1_000_000)
    disagree = forms.IntegerField(label=_("Disagree"), min_value=0, max_value=1_000_000)
    abstain = forms.IntegerField(label=_("Abstain"), min_value=0, max_value=1_000_000, initial=0)
    sign_in_sheet = forms.FileField(label=_("Photo of the sign-in sheet"), required=False)


class ProgressForm(_Versioned):
    public_text = ("note",)
    status = forms.ChoiceField(label=_("Status"), choices=ProgressStatus.choices)
    percent = forms.IntegerField(label=_("Done (%)"), min_value=0, max_value=100)
    note = forms.CharField(
        label=pgettext_lazy("progress", "What was done"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RatingForm(Form):
    public_text = ("comment",)
    rating = forms.ChoiceField(label=_("Your rating"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(Form):
    public_text = ("text",)
    text = forms.CharField(label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class HideCommentForm(Form):
    public_text = ("reason",)
    comment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why hide it"), max_length=200)


class LinkCaseForm(Form):
    case_id = forms.IntegerField(label=_("Case number"), min_value=1, max_value=2**53)


class LinkNoticeForm(Form):
    public_text = ("title",)
    notice_id = forms.CharField(label=_("Notice number"), max_length=64)
    title = forms.CharField(label=_("Notice title"), max_length=200)
    url = forms.CharField(label=_("Address on this site"), max_length=300, required=False)


class MeetingForm(Form):
    public_text = ("title", "place")
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    topics = forms.MultipleChoiceField(label=_("Agenda"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t.pk, t.title) for t in topics]


class OfflineMeetingForm(MeetingForm):
    public_text = ("title", "place", "minutes")
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 5}))
    present = forms.MultipleChoiceField(
        label=_("Members present"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sign_in_sheet = forms.FileField(label=_("Photo of the paper sign-in sheet"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(m.pk, m.name) for m in members]


class MeetingRecordForm(Form):
    public_text = ("minutes",)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 5}))
    present = forms.MultipleChoiceField(
        label=_("Members present"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sign_in_sheet = forms.FileField(label=_("Photo of the paper sign-in sheet"), required=False)

    def __init__(self, *args, attendance=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(a.membership_id, a.name) for a in attendance]
        self.fields["present"].initial = [a.membership_id for a in attendance if a.present]


class CancelMeetingForm(Form):
    public_text = ("reason",)
    reason = forms.CharField(label=_("Why"), max_length=2000)


class CommitteeForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommitteeKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    area_code = forms.CharField(label=_("Village or community code"), max_length=12, min_length=12)
    village_group = forms.IntegerField(
        label=_("Village group number"), required=False, min_value=1, max_value=999
    )
    is_public = forms.BooleanField(
        label=_("Open to everyone without logging in"), required=False, initial=True
    )


class AppointForm(Form):
    public_text = ("chosen_note",)
    seat = forms.IntegerField(label=_("Seat"), required=False, min_value=1, max_value=999)
    role = forms.ChoiceField(label=_("Role"), choices=SeatRole.choices)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100, required=False)
    username = forms.CharField(
        label=_("Their login (username)"),
        max_length=150,
        required=False,
        help_text=_("Members act from their own phone: give the username of their account."),
    )
    chosen_how = forms.ChoiceField(label=_("Chosen"), choices=ChosenHow.choices)
    chosen_note = forms.CharField(label=_("How chosen, in words"), max_length=200, required=False)
    started_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    term_ends_on = forms.DateField(
        label=_("Term ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class EndMembershipForm(Form):
    public_text = ("reason",)
    ended_on = forms.DateField(label=_("Left on"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Why"), max_length=200)
