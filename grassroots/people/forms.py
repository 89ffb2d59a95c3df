"""Forms of the register's pages: they parse input; the services validate the domain and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots import clock
from grassroots.forms import Form

from .codes import Attention, Ethnicity, KeyGroup, PlaceKind, PoliticalStatus, Relation, ResidenceType
from .models import ResidentStatus, Sex


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def _blank(choices):
    return [("", "—"), *choices]


class SearchForm(Form):
    q = forms.CharField(label=_("Search"), max_length=100)
    field = forms.ChoiceField(
        label=_("Search by"),
        required=False,
        choices=[
            ("auto", _("anything (name, pinyin, ID or phone number)")),
            ("name", pgettext_lazy("person", "name")),
            ("pinyin", _("pinyin or initials")),
            ("id_number", _("ID number")),
            ("phone", _("phone")),
            ("address", _("address")),
        ],
    )


class HouseholdForm(Form):
    number = forms.CharField(label=_("household number"), max_length=32, required=False)
    address = forms.CharField(label=pgettext_lazy("home", "address"), max_length=200)
    building = forms.CharField(label=_("building"), max_length=20, required=False)
    unit = forms.CharField(label=pgettext_lazy("building", "unit"), max_length=20, required=False)
    room = forms.CharField(label=_("room / door number"), max_length=20, required=False)
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the stored number."),
    )
    residence_type = forms.ChoiceField(label=_("residence type"), choices=ResidenceType.choices)
    tags = forms.CharField(
        label=_("tags"), max_length=200, required=False, help_text=_("separated by commas")
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    longitude = forms.FloatField(label=_("longitude"), required=False)
    latitude = forms.FloatField(label=_("latitude"), required=False)


class ResidentForm(Form):
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=100)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the stored number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    birth_date = forms.DateField(
        label=_("date of birth"),
        required=False,
        help_text=_("only when there is no ID number"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    sex = forms.ChoiceField(label=_("sex"), choices=_blank(Sex.choices), required=False)
    relation = forms.ChoiceField(label=_("relation to the head"), choices=Relation.choices)
    ethnicity = forms.ChoiceField(label=_("ethnic group"), choices=_blank(Ethnicity.choices), required=False)
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the stored number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    political_status = forms.ChoiceField(label=_("political status"), choices=PoliticalStatus.choices)
    occupation = forms.CharField(label=_("occupation"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("status"), choices=[c for c in ResidentStatus.choices if c[0] != ResidentStatus.MERGED]
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LabelForm(Form):
    kind = forms.ChoiceField(label=_("key group"), choices=KeyGroup.choices)
    attention = forms.TypedChoiceField(label=_("attention level"), choices=Attention.choices, coerce=int)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class RevealForm(Form):
    fields = forms.MultipleChoiceField(
        label=_("Show"),
        choices=[("id_number", _("ID number")), ("phone", _("phone"))],
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Why do you need it?"),
        max_length=500,
        help_text=_("Recorded in the audit log with your name and the time."),
    )


class MoveHouseholdForm(Form):
    to_grid_code = forms.CharField(label=_("new grid code"), max_length=15)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class MoveResidentForm(Form):
    to_household = forms.IntegerField(label=_("new household (number shown on its page)"))
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class VisitForm(Form):
    visited_on = forms.DateField(
        label=_("visited on"),
        initial=clock.today,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    met_with = forms.CharField(label=_("met with"), max_length=200, required=False)
    found = forms.CharField(
        label=pgettext_lazy("visit", "what was found"), widget=forms.Textarea(attrs={"rows": 4})
    )
    need = forms.CharField(
        label=_("need found (if any)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    open_case = forms.BooleanField(label=_("turn the need into a case now"), required=False)
    photos = MultipleFileField(label=_("photos"), required=False)
    # one visit however often the phone's outbox sends it (outbox.js gives each form shown its own key)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class ServiceRequestForm(Form):
    item = forms.CharField(
        label=_("service item"), max_length=200, help_text=_("e.g. apply for the elderly card")
    )
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = forms.DateField(
        label=_("due on"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class ServiceActionForm(Form):
    action = forms.CharField(max_length=16)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class PlaceForm(Form):
    kind = forms.ChoiceField(label=_("kind"), choices=PlaceKind.choices)
    name = forms.CharField(label=_("name"), max_length=200)
    area_code = forms.CharField(label=_("area code"), max_length=15)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(
        label=_("contact phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the stored number."),
    )
    accepts_cases = forms.BooleanField(label=_("cases can be dispatched to it"), required=False)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(Form):
    kept = forms.IntegerField(widget=forms.HiddenInput)
    merged = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("why are they the same person?"), max_length=500)


class ImportForm(Form):
    area_code = forms.CharField(label=_("import into area"), max_length=15)
    file = forms.FileField(label=_("spreadsheet (.xlsx)"))
