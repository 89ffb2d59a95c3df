"""The home page: for whoever logs in, what waits for them today, each item one tap from its action."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from . import selectors


def today(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "home/today.html", {"today": selectors.today_for(user=request.user)})
