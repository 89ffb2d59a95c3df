"""The writer's preview of the free-text masker: while someone types a text others will read (a topic, an
opinion, a comment, a notice), the page asks here what others will see and tells them, before they publish,
that a phone or ID number was found and will be shown masked (``static/grassroots/masked-preview.js``).

Nothing is stored or logged: the text comes in a POST body and goes back masked.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from grassroots.forms import Form
from grassroots.masking import mask_numbers_in_text, number_warnings

MAX_PREVIEW_CHARS = 20_000


class PreviewForm(Form):
    text = forms.CharField(required=False, strip=False, max_length=MAX_PREVIEW_CHARS)
    label = forms.CharField(required=False, max_length=100)


@login_required
@require_POST
def masked_preview(request):
    """``text`` (and ``label``, the field's name as the page shows it) → ``{"warnings": [...], "masked"}``:
    the sentences to show the writer (none when all is well: a number found, a character refused) and the
    text as others will read it."""
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"warnings": [str(e) for errors in form.errors.values() for e in errors], "masked": ""}
        )
    text, label = form.cleaned_data["text"], form.cleaned_data["label"]
    warnings = number_warnings({label: text})
    return JsonResponse({"warnings": warnings, "masked": mask_numbers_in_text(text) if warnings else ""})
