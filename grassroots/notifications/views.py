"""The inbox: a user's own notifications, newest first, marking them read, and how they reach the user
(the settings page, and connecting their WeChat)."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.paging import page_of

from . import selectors, services
from .gateways import GatewayError
from .links import target_url
from .models import Delivery
from .wechat import wechat_gateway

WECHAT_STATE_KEY = "notifications.wechat_state"


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = page_of(request, selectors.inbox_threads_for(user=request.user, unread_only=unread_only), 30)
    counts = selectors.thread_counts(user=request.user, rows=page.object_list)
    rows = [(n, target_url(n), *counts[n.pk]) for n in page.object_list]
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "rows": rows, "unread_only": unread_only, "query": "unread=1" if unread_only else ""},
    )


@login_required
@require_POST
def open_notification(request, pk: int):
    """Mark one notification read and go to what it is about (or back to the inbox)."""
    notification = selectors.inbox_for(user=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(target_url(notification) or "notifications:inbox")


@login_required
@require_POST
def read_all(request):
    services.notification_mark_all_read(actor=request.user)
    return redirect("notifications:inbox")


@login_required
def delivery_settings(request):
    """The user's own choice: only the inbox, a daily email digest, an email each, an SMS for changes to
    their own reports, an SMS each or a WeChat message each — and their WeChat connection."""
    error = ""
    chosen = selectors.delivery_for(user=request.user)
    if request.method == "POST":
        chosen = request.POST.get("delivery", "")
        try:
            services.delivery_preference_set(actor=request.user, user=request.user, delivery=chosen)
        except services.NotificationError as exc:
            error = str(exc.message)
        else:
            messages.success(
                request, _("Saved: notifications now reach you %(how)s.") % {"how": Delivery(chosen).label}
            )
            return redirect("notifications:settings")
    return render(
        request,
        "notifications/settings.html",
        {**selectors.delivery_options_for(user=request.user), "chosen": chosen, "error": error},
        status=422 if error else 200,
    )


@login_required
def wechat_connect(request):
    """Send the browser (inside WeChat) to WeChat's web authorisation; it comes back to the callback."""
    gateway = wechat_gateway()
    if not gateway.needs_connection:
        raise Http404
    state = secrets.token_urlsafe(16)
    request.session[WECHAT_STATE_KEY] = state
    callback = request.build_absolute_uri(reverse("notifications:wechat_callback"))
    return redirect(gateway.authorise_url(redirect_uri=callback, state=state))


@login_required
def wechat_callback(request):
    """WeChat sends the browser back with a code (or without, when the person declined)."""
    expected = request.session.pop(WECHAT_STATE_KEY, None)
    code = request.GET.get("code", "")
    if not expected or not secrets.compare_digest(request.GET.get("state", ""), expected) or not code:
        messages.error(request, _("WeChat was not connected: open the link again, in WeChat."))
        return redirect("notifications:settings")
    try:
        services.wechat_connect(actor=request.user, code=code)
    except (services.NotificationError, GatewayError) as exc:
        messages.error(
            request, str(getattr(exc, "message", "")) or _("WeChat could not be reached; try again later.")
        )
    else:
        messages.success(
            request, _("Your WeChat is connected: choose WeChat below to get notifications there.")
        )
    return redirect("notifications:settings")


@login_required
@require_POST
def wechat_disconnect(request):
    services.wechat_disconnect(actor=request.user)
    messages.success(request, _("Your WeChat is no longer connected."))
    return redirect("notifications:settings")
