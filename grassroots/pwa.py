"""The installable web app: the manifest, the service worker and the page it shows without a connection.

Residents and grid workers use Grassroots on their phones (DESIGN.md: mobile web, installable), often with
little or no signal. The manifest lets a phone add the site to its home screen; the service worker keeps a
small offline page (and the style sheet it needs) and shows it when a page cannot be loaded, instead of the
browser's error. It caches nothing else: every page and every report goes to the server, so nobody ever sees
another person's cached page and nothing is served stale after an update. A report form left open keeps its
report and sends it again by itself when the signal returns (cases.js).
"""

from __future__ import annotations

import hashlib

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME = "#b22222"
OFFLINE_ASSETS = ("grassroots/site.css", "grassroots/favicon.svg")


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    data = {
        "name": f"{_('Grassroots')} · {_('Grid governance')}",
        "short_name": _("Grassroots"),
        "description": _("Report problems, follow them and see your grid's work."),
        "lang": get_language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": [
            {"src": static("grassroots/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("grassroots/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("grassroots/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [{"name": _("Report a problem"), "url": reverse("cases:report")}],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """Served from the root so that it may answer for every page. Its text names the offline page and the
    hashed addresses of what it needs, so a new release (new hashes) installs a new worker and cache."""
    precache = [reverse("offline"), *(static(path) for path in OFFLINE_ASSETS)]
    version = hashlib.sha256("\n".join(precache).encode()).hexdigest()[:12]
    script = render_to_string(
        "pwa/sw.js", {"cache": f"grassroots-offline-{version}", "offline": precache[0], "precache": precache}
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """What the service worker shows when a page cannot be loaded. The same for everyone (no user data)."""
    return HttpResponse(render_to_string("pwa/offline.html", {"theme": THEME}, request=None))
