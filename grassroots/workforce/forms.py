"""Forms of the workforce pages: the roster upload is checked like every import page's upload (type, size,
first bytes: ``imports.forms.XlsxUploadForm``) before the import reads it row by row; the check-in, service and
patrol forms parse what the services then check."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.forms import Form
from grassroots.imports.forms import XlsxUploadForm

from .services.roster import IMPORT_KIND, roster_max_bytes


class RosterUploadForm(XlsxUploadForm):
    kind = IMPORT_KIND
    wrong_type = _("Upload an Excel workbook (.xlsx); %(name)s has another type.")
    too_large = _("The file has %(size).1f MB; a roster may have at most %(max).1f MB. Split it by village.")

    file = forms.FileField(label=_("Roster workbook (.xlsx)"))

    def max_bytes(self) -> int:
        return roster_max_bytes()


class PledgeForm(Form):
    """The check-in: the service pledged and, when the member's kind offers several grid branches (a unit
    in a community with several grids), which one."""

    public_text = ("pledge",)
    pledge = forms.CharField(
        label=_("Service you pledge"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    branch = forms.TypedChoiceField(label=_("Grid branch"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, branches=(), pledge_examples="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pledge"].help_text = pledge_examples
        if len(branches) > 1:
            self.fields["branch"].choices = [("", _("Choose a grid branch"))] + [
                (b.pk, f"{b.name}（{b.area_code}）") for b in branches
            ]
            self.fields["branch"].required = True
        else:
            del self.fields["branch"]


class DeclineForm(Form):
    public_text = ("reason",)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)
    # where the decision was taken: the branch's roll sends its decisions back to itself
    back = forms.ChoiceField(choices=[("", ""), ("roll", "roll")], required=False)


class ServiceLogForm(Form):
    public_text = ("description",)
    served_on = forms.DateField(label=_("Day"), required=False)
    hours = forms.CharField(label=_("Hours"), max_length=16)
    description = forms.CharField(label=_("What was done"), max_length=300)


class PatrolStartForm(Form):
    grid_code = forms.CharField(label=_("Grid"), max_length=15, required=False)


class FindingForm(Form):
    public_text = ("description",)
    description = forms.CharField(label=_("Finding"), max_length=300)
    # one finding however often the phone's outbox sends it (outbox.js gives each form shown its own key)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class PatrolTaskDoneForm(Form):
    note = forms.CharField(label=_("What you found"), max_length=300, required=False)


class PhoneSettingForm(Form):
    hidden = forms.BooleanField(
        label=_("Hide my work phone from my grids' residents"),
        required=False,
        help_text=_(
            "Residents of the grids you serve see your work phone and can call it with one tap. Staff and "
            "everyone else always see it masked."
        ),
    )
