from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from grassroots.forms import CheckedTextMixin, Form


class LoginForm(CheckedTextMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("Mobile number or username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "text"}),
    )
    error_messages = {
        "invalid_login": _("Wrong mobile number, username or password. Check them and try again."),
        "inactive": _("This account is disabled. Ask your administrator."),
    }


class PasswordResetForm(Form):
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, min_length=8)
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("Recorded in the audit log."))
