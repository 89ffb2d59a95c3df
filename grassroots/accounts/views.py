from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.pages import refusals_into

from . import logins, rules, services
from .forms import LoginForm, PasswordResetForm
from .selectors import user_list_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


def locked_out(request, *args, **kwargs):
    """django-axes answers with this once a login is locked (``AXES_LOCKOUT_CALLABLE``): 429 and the page
    that says so, or for the JSON API ``{code, message}``."""
    if getattr(request.resolver_match, "namespace", "") == "api":
        body = {"code": "locked_out", "message": str(logins.LOCKED_OUT_MESSAGE)}
        return JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "accounts/locked_out.html", status=429)


@login_required
def password_reset(request, user_id: int):
    """An administrator sets a new password for a user in their scope."""
    subject = get_object_or_404(user_list_for(user=request.user), pk=user_id)
    rules.require(request.user, rules.can_manage_user, subject)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_into(form):
            services.user_reset_password(
                actor=request.user,
                user=subject,
                new_password=form.cleaned_data["new_password"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, _("The password of %(user)s was reset.") % {"user": subject})
            return redirect("areas:browser")
    return render(request, "accounts/password_reset.html", {"form": form, "subject": subject})
