"""Forms of the case pages. They parse and present; the services validate the substance (category exists,
point in range, photos are images ...) and their errors are put back onto the fields here."""

from __future__ import annotations

import dataclasses

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.areas.codes import Level
from grassroots.forms import Form
from grassroots.imports.forms import XlsxUploadForm
from grassroots.photos import MAX_PHOTOS
from grassroots.worktime.calendar import HOLIDAY_NAMES, HolidayLine, parse_days

from .models import CaseKind, LimitUnit, Rating, Source, State, Urgency
from .services import DESK_SOURCES, URGE_CARDS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to :data:`~grassroots.photos.MAX_PHOTOS` files from one ``<input multiple>``; the photo
    service checks each one (real image, size, pixels)."""

    def __init__(self, *, capture: bool = True, **kwargs):
        attrs = {"accept": "image/*", "multiple": True, "data-max-files": MAX_PHOTOS}
        if capture:
            attrs["capture"] = "environment"
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data or []) if f] if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(n)d photos; you chose %(count)d. Leave some out."),
                params={"n": MAX_PHOTOS, "count": len(files)},
            )
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"])
        return [super(PhotosField, self).clean(f) for f in files]


def category_choices(categories) -> list:
    """Grouped choices: each top class an optgroup of its children (a top class without children is itself
    a choice)."""
    children: dict[int, list] = {}
    tops = []
    for c in categories:
        if c.parent_id is None:
            tops.append(c)
        else:
            children.setdefault(c.parent_id, []).append(c)
    out: list = [("", _("Choose a service type"))]
    for top in tops:
        kids = children.get(top.pk)
        if kids:
            out.append((top.shown_name, [(k.code, k.shown_name) for k in kids]))
        else:
            out.append((top.code, top.shown_name))
    return out


class _PointMixin(Form):
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy_m = forms.FloatField(required=False, widget=forms.HiddenInput)
    crs = forms.CharField(required=False, initial="wgs84", widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. behind building 3, by the east gate")}),
    )
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class ReportForm(_PointMixin):
    """A resident's or grid worker's report (随手拍)."""

    public_text = ("description", "address")

    category = forms.ChoiceField(label=_("Service type"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices, initial=CaseKind.PROBLEM)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("as usual for this service type")), *Urgency.choices],
    )
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("What, where, since when …")}),
    )
    photos = PhotosField(label=_("Photos (up to 9)"))
    anonymous = forms.BooleanField(
        label=_("Hide my name from the people who handle it"),
        required=False,
        help_text=_(
            "Nobody handling it sees who reported it; you still follow it and are told of every step."
        ),
    )

    confirm_far = forms.BooleanField(
        label=_("Yes, the pin is where I mean: send the report there."),
        required=False,
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(categories)


class OnTheSpotForm(_PointMixin):
    """A grid worker's small matter resolved at once (即报即办)."""

    public_text = ("description", "note", "address")

    category = forms.ChoiceField(label=_("Service type"))
    description = forms.CharField(
        label=_("What was the problem?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(
        label=_("What did you do?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    before_photos = PhotosField(label=_("Photos before"))
    after_photos = PhotosField(label=_("Photos after"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(categories)


class EnterForm(_PointMixin):
    """Staff enter a call, hotline ticket, visit or walk-in."""

    public_text = ("description", "address")

    source = forms.ChoiceField(
        label=_("Channel"), choices=[(v, label) for v, label in Source.choices if v in DESK_SOURCES]
    )
    category = forms.ChoiceField(label=_("Service type"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices, initial=CaseKind.PROBLEM)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("as usual for this service type")), *Urgency.choices],
    )
    description = forms.CharField(
        label=_("What is the problem?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    area_code = forms.CharField(
        label=_("Area code, when the caller cannot say where exactly"),
        required=False,
        max_length=15,
        help_text=_("Leave empty when you mark the place on the map."),
    )
    reporter_name = forms.CharField(label=_("Caller's name"), required=False, max_length=100)
    reporter_phone = forms.CharField(label=_("Caller's phone"), required=False, max_length=20)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the call or visit was taken, if not just now: the case counts from then."),
    )
    anonymous = forms.BooleanField(label=_("The caller asks to stay anonymous"), required=False)
    photos = PhotosField(label=_("Photos (up to 9)"), capture=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(categories)


class RateForm(Form):
    public_text = ("comment",)
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    really_solved = forms.TypedChoiceField(
        label=_("Was the problem really solved?"),
        choices=[("yes", _("yes, it is solved")), ("no", _("no, it is not solved"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reopen_if_unsolved = forms.BooleanField(
        label=_("If it is not solved, reopen my report"), required=False, initial=True
    )


class QueueFilterForm(Form):
    """The queue's filters (GET). Every field is optional."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("any")), ("open", _("open (not closed)")), *State.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    category = forms.ChoiceField(label=_("Service type"), required=False)
    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("any")), *Level.choices],
    )
    source = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("any")), *Source.choices])
    since = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("any"))]
        for c in categories:
            prefix = "" if c.parent_id is None else "— "
            choices.append((c.code, f"{prefix}{c.code} {c.shown_name}"))
        self.fields["category"].choices = choices


class ActionForm(Form):
    """The fields any workflow action may need; each action's template shows only its own."""

    public_text = ("note",)

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.CharField(required=False, max_length=64)
    card = forms.ChoiceField(required=False, choices=[(c, c) for c in URGE_CARDS])
    amount = forms.IntegerField(required=False, min_value=1, max_value=365)
    unit = forms.ChoiceField(required=False, choices=LimitUnit.choices)
    master = forms.CharField(required=False, max_length=32)
    photos = PhotosField(required=False, capture=True)


# --- a year's holiday notice ---------------------------------------------------------------------------------


class HolidayLineForm(Form):
    """One line of a year's notice. A line with no date at all is left out (the page offers more lines
    than a year needs)."""

    name = forms.CharField(label=_("Holiday"), max_length=100, required=False)
    first = forms.DateField(
        label=_("First day off"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=_("Last day off"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("empty: one day"),
    )
    make_up = forms.CharField(
        label=_("Make-up working days"),
        required=False,
        max_length=200,
        help_text=_("weekend days worked instead, e.g. 2-14, 2-28"),
    )

    def __init__(self, *args, year: int | None = None, **kwargs):
        self.year = year or clock.today().year  # the year that "2-14" means
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        first, last, make_up = data.get("first"), data.get("last"), (data.get("make_up") or "").strip()
        if self.errors:
            return data
        if first is None and last is None and not make_up:
            data["line"] = None  # a blank line
            return data
        if first is None:
            self.add_error("first", _("Enter the first day off of this holiday."))
            return data
        if not (data.get("name") or "").strip():
            self.add_error("name", _("Name the holiday."))
            return data
        days, bad = parse_days(make_up, self.year)
        if bad:
            self.add_error(
                "make_up",
                _("Not a date: %(pieces)s. Write dates like 2-14 or %(year)s-02-14.")
                % {"pieces": "、".join(bad), "year": self.year},
            )
            return data
        data["line"] = HolidayLine(
            name=data["name"].strip(), first=first, last=last or first, make_up=tuple(days)
        )
        return data


class BaseHolidayLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, year: int, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "year": self.year}

    def entered(self) -> list[tuple[HolidayLineForm, HolidayLine]]:
        """The lines entered with their forms, in page order, blank ones left out (after ``is_valid``),
        each numbered as the page numbers it."""
        return [
            (form, dataclasses.replace(form.cleaned_data["line"], number=index + 1))
            for index, form in enumerate(self.forms)
            if form.cleaned_data.get("line")
        ]


HolidayLineFormSet = forms.formset_factory(
    HolidayLineForm, formset=BaseHolidayLineFormSet, extra=0, max_num=20, absolute_max=20, validate_max=True
)

BLANK_LINES = 2  # lines beyond the holidays, for a holiday the notice splits or adds


def holiday_line_initial(lines: list[HolidayLine]) -> list[dict]:
    """The page's lines: the year's lines as stored (or the seven holidays by name), then blank ones."""
    if lines:
        rows = [
            {
                "name": line.name,
                "first": line.first,
                "last": line.last,
                "make_up": ", ".join(d.isoformat() for d in line.make_up),
            }
            for line in lines
        ]
    else:
        rows = [{"name": str(name)} for name in HOLIDAY_NAMES.values()]
    return rows + [{} for _ in range(BLANK_LINES)]


class CallbackForm(Form):
    """One call to a reporter (回访): reached or not; when reached, their rating and answer in their words."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    reached = forms.TypedChoiceField(
        label=_("Did you reach the reporter?"),
        choices=[("yes", _("reached")), ("no", _("not reached"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    rating = forms.ChoiceField(
        label=_("How satisfied is the reporter?"),
        choices=[("", "—"), *Rating.choices],
        required=False,
    )
    really_solved = forms.TypedChoiceField(
        label=_("Does the reporter say it was really solved?"),
        choices=[("", "—"), ("yes", _("yes, it is solved")), ("no", _("no, it is not solved"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )
    note = forms.CharField(
        label=_("In the reporter's words (or what happened)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reopen_if_unsolved = forms.BooleanField(label=_("If it is not solved, reopen the case"), required=False)


class CallbackRevealForm(Form):
    reason = forms.CharField(
        label=_("Why do you need it?"),
        max_length=500,
        help_text=_("Recorded in the audit log with your name and the time."),
    )


class SavedViewForm(Form):
    """Naming the queue's current filters."""

    name = forms.CharField(label=_("Name"), max_length=40)
    query = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


# --- the 12345 hotline exchange ----------------------------------------------------------------------------


class HotlineUploadForm(XlsxUploadForm):
    """The hotline's daily sheet, checked like every import page's upload before it is read row by row."""

    kind = "hotline"
    wrong_type = _("Upload the hotline's sheet as an Excel workbook (.xlsx); %(name)s has another type.")
    too_large = _("The file has %(size).1f MB; a daily sheet may have at most %(max).1f MB. Split it by day.")

    file = forms.FileField(label=_("Daily sheet (.xlsx)"))

    def max_bytes(self) -> int:
        from .services.hotline import hotline_max_bytes

        return hotline_max_bytes()


class HotlinePeriodForm(Form):
    """The period of an outcome export: from one day to another (both included)."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label=_("Orders"),
        choices=[("received", _("received in the period")), ("updated", _("changed in the period"))],
        initial="received",
    )


class HotlineLayoutForm(Form):
    """How a city's hotline sheet names its columns, and how its types of request map to service types.

    One header field per work-order field (``services.hotline.FIELDS``), added when the form is made; the
    types as lines ``hotline type = service type code``."""

    category_words = forms.CharField(
        label=_("Types of request"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line: the hotline's type = our service type's code, e.g. 市容环境 = 0101."),
    )
    default_category = forms.CharField(
        label=_("Service type for every other type"),
        required=False,
        max_length=16,
        help_text=_("Its code; left empty, an order of a type not listed is refused."),
    )
    crs = forms.ChoiceField(
        label=_("Coordinate system of the sheet's points"),
        choices=[("wgs84", "WGS-84 / CGCS2000"), ("gcj02", "GCJ-02"), ("bd09", "BD-09")],
    )

    def __init__(self, *args, fields=(), labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.header_names = []
        for column in fields:
            name = f"column_{column.key}"
            self.fields[name] = forms.CharField(
                label=(labels or {}).get(column.key, column.en),
                required=column.required,
                max_length=60,
                initial=column.zh,
            )
            self.header_names.append(name)

    def clean_category_words(self) -> dict[str, str]:
        words: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["category_words"].splitlines(), start=1):
            if not line.strip():
                continue
            word, sep, code = line.replace("＝", "=").partition("=")
            if not sep or not word.strip() or not code.strip():
                raise forms.ValidationError(
                    _("Line %(n)d: write the hotline's type, =, and the service type's code.") % {"n": number}
                )
            words[word.strip()] = code.strip()
        return words

    def headers(self) -> dict[str, str]:
        return {name.removeprefix("column_"): self.cleaned_data.get(name) or "" for name in self.header_names}
