"""The project's forms: every page form derives from :class:`Form` or :class:`ModelForm` here (or mixes in
:class:`CheckedTextMixin` with a form Django provides), so that two rules hold for every text field without
being written again:

- text that comes in (``grassroots.textinput``): control characters and bidirectional overrides are refused
  with an error naming the field; CR LF from browsers is stored as LF;
- text that others will read (``grassroots.masking``): fields named in ``public_text`` tell the writer, while
  they type, that a phone or ID number will be shown masked (``static/grassroots/masked-preview.js``).

``tests/test_text_input.py`` finds every form of the project and proves both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse

from grassroots.textinput import ControlCharacterValidator

# The mixin is mixed into Django's forms: the type checker reads it as one, at run time it adds no base.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class CheckedTextMixin(_FormBase):
    """Gives every text field (``CharField`` and its kinds, including fields a form adds in ``__init__``)
    the control-character rule, and stores CR LF as LF."""

    public_text: tuple[
        str, ...
    ] = ()  # fields whose text others will read: the writer sees the masked preview

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.public_text:
            if name in self.fields:
                self.fields[name].widget.attrs["data-masked-preview"] = reverse("masked_preview")

    def full_clean(self):
        if self.is_bound:
            self.data = _newlines_as_lf(self.data)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                field.validators = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator | ControlCharacterValidator)
                ]
                field.validators.append(ControlCharacterValidator(field.label or name))
        super().full_clean()


def _newlines_as_lf(data):
    """The submitted values with CR LF as LF (browsers send a textarea's newlines as CR LF)."""
    if hasattr(data, "lists"):  # a QueryDict
        if not any("\r\n" in v for _, values in data.lists() for v in values if isinstance(v, str)):
            return data
        data = data.copy()
        for key, values in list(data.lists()):
            data.setlist(key, [v.replace("\r\n", "\n") if isinstance(v, str) else v for v in values])
        return data
    return {k: v.replace("\r\n", "\n") if isinstance(v, str) else v for k, v in data.items()}


def form_errors(form) -> str:
    """A bound form's errors as one line for a message: each field's label, then what is wrong with it."""
    return " ".join(
        f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip()
        for f, e in form.errors.items()
    )


class Form(CheckedTextMixin, forms.Form):
    pass


class ModelForm(CheckedTextMixin, forms.ModelForm):
    pass
