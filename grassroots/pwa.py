"""The installable web app: the manifest, the service worker and the page it shows without a connection.

Residents and grid workers use Grassroots on their phones (DESIGN.md: mobile web, installable), often with
little or no signal. The manifest lets a phone add the site to its home screen. The service worker
(templates/pwa/sw.js) keeps the site's scripts and styles and the offline page, and keeps the pages a person
needs in the field as last seen (the report form, my tasks and their cases, my reports, the grid outlines), so
that they open without signal; they are the person's own and are forgotten at logout. What is written without
signal waits in the phone's outbox (static/grassroots/outbox-core.js, outbox.js) and is sent with its
idempotency key or the version it was based on when the signal returns (docs/offline.md).
"""

from __future__ import annotations

import hashlib

from django.http import HttpResponse, JsonResponse
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME = "#b22222"
OFFLINE_ASSETS = (  # kept at install, for everyone: the offline page's needs and the outbox
    "grassroots/site.css",
    "grassroots/favicon.svg",
    "grassroots/pwa.js",
    "grassroots/outbox-core.js",
    "grassroots/outbox.js",
    "grassroots/fragments.js",
    "grassroots/masked-preview.js",
    "grassroots/icon-192.png",
)
FIELD_ASSETS = (  # kept once a logged-in page says who is there: what the field pages need without signal
    "grassroots/cases.css",
    "grassroots/cases.js",
    "grassroots/maps.css",
    "grassroots/outlines.js",
    "vendor/leaflet-1.9.4/leaflet.css",
    "vendor/leaflet-1.9.4/leaflet.js",
    "vendor/htmx-2.0.11/htmx.min.js",
)


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    data = {
        "name": f"{_('Grassroots')} · {_('Grid governance')}",
        "short_name": _("Grassroots"),
        "description": _("Report problems, follow them and see your grid's work."),
        "id": "/",
        "lang": get_language(),
        "dir": "ltr",
        "start_url": "/",  # the person's "today" page, kept by the service worker: it opens without signal
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "categories": ["government", "utilities"],
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
        "shortcuts": [
            {"name": _("Report a problem"), "url": reverse("cases:report")},
            {"name": _("My tasks"), "url": reverse("cases:tasks")},
            {"name": _("My visits due"), "url": reverse("people:visits_due")},
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """Served from the root so that it may answer for every page. Its text names the offline page and the
    hashed addresses of what it keeps, and its caches are named by a hash of those and of its own text, so a
    new release (new hashes or a changed worker) installs a new worker, which drops the older caches."""
    precache = [reverse("offline"), *(static(path) for path in OFFLINE_ASSETS)]
    field = [static(path) for path in FIELD_ASSETS]
    source = get_template("pwa/sw.js").template.source  # type: ignore[attr-defined]
    version = hashlib.sha256("\n".join([*precache, *field, source]).encode()).hexdigest()[:12]
    script = render_to_string(
        "pwa/sw.js",
        {
            "cache": f"grassroots-static-{version}",
            "pages": f"grassroots-pages-{version}",
            "offline": precache[0],
            "precache": precache,
            "field": field,
            "outbox_core": static("grassroots/outbox-core.js"),
        },
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """What the service worker shows when a page cannot be loaded. The same for everyone (no user data)."""
    return HttpResponse(render_to_string("pwa/offline.html", {"theme": THEME}, request=None))
