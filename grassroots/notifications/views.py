"""The inbox: a user's own notifications, newest first, marking them read, and how they reach the user."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.paging import page_of

from . import selectors, services
from .links import target_url
from .models import Delivery


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = page_of(request, selectors.inbox_for(user=request.user, unread_only=unread_only), 30)
    rows = [(n, target_url(n)) for n in page.object_list]
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
    """The user's own choice: every notification by email at once, or the inbox and a daily digest."""
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
        {"choices": Delivery.choices, "chosen": chosen, "error": error, "email": request.user.email},
        status=422 if error else 200,
    )
