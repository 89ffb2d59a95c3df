"""Forms of the disclosure pages: parsing only (the services check every rule). Text fields that others will
read tell the writer, while they type, that a phone or ID number will be shown masked."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.forms import Form
from grassroots.masking import NameStyle

from .models import NoticeKind, Section


class BoardForm(Form):
    village_code = forms.CharField(label=_("Village code (12 digits)"), max_length=12)
    village_group = forms.IntegerField(
        label=_("Village group number (empty for the whole village)"),
        required=False,
        min_value=1,
        max_value=999,
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    name_style = forms.ChoiceField(
        label=_("Names on rosters"), choices=[("", "—")] + [(s, s) for s in NameStyle.ALL], required=False
    )


class NoticeForm(Form):
    """A draft of any kind: a text notice, a finance statement (its lines as text) or a roster (a sheet)."""

    public_text = ("title", "body", "title_mn", "body_mn", "period", "lines")
    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeKind.choices, required=False)
    section = forms.ChoiceField(label=_("Section"), choices=[("", "—"), *Section.choices], required=False)
    catalogue_item = forms.IntegerField(
        label=_("Catalogue item"), required=False, min_value=1, max_value=2**53
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), required=False)
    title_mn = forms.CharField(label=_("Title in Mongolian"), max_length=200, required=False)
    body_mn = forms.CharField(label=_("Text in Mongolian"), required=False)
    period = forms.CharField(label=_("Month or quarter"), max_length=100, required=False)
    opening_balance = forms.CharField(label=_("Opening balance (yuan)"), max_length=32, required=False)
    lines = forms.CharField(label=pgettext_lazy("statement", "Lines"), required=False)
    income_total = forms.CharField(label=_("Total income (yuan)"), max_length=32, required=False)
    expense_total = forms.CharField(label=_("Total expense (yuan)"), max_length=32, required=False)
    closing_balance = forms.CharField(label=_("Closing balance (yuan)"), max_length=32, required=False)


class PublishForm(Form):
    window_days = forms.IntegerField(
        label=_("Window (working days)"), required=False, min_value=0, max_value=60
    )


class CorrectionForm(Form):
    public_text = ("reason", "title", "body", "title_mn", "body_mn")
    reason = forms.CharField(label=_("Reason for the correction"), max_length=500)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), required=False)
    title_mn = forms.CharField(label=_("Title in Mongolian"), max_length=200, required=False)
    body_mn = forms.CharField(label=_("Text in Mongolian"), required=False)


class BoardLanguagesForm(Form):
    public_text = ("name_mn",)
    bilingual = forms.BooleanField(label=_("Mongolian beside the Chinese"), required=False)
    name_mn = forms.CharField(
        label=_("Name in Mongolian (traditional script)"), max_length=100, required=False
    )


class ObjectionForm(Form):
    public_text = ("text",)
    text = forms.CharField(label=_("Raise an objection"), max_length=1000)


class AnswerForm(Form):
    public_text = ("answer",)
    answer = forms.CharField(label=_("Answer"))
