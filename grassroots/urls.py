from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from grassroots import masking_views, media, pwa
from grassroots.api.api import api

admin.site.site_header = admin.site.site_title = "Grassroots 网格化基层治理"

urlpatterns = [
    path("", include("grassroots.home.urls")),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("text/masked-preview", masking_views.masked_preview, name="masked_preview"),
    path("accounts/", include("grassroots.accounts.urls")),
    path("areas/", include("grassroots.areas.urls")),
    path("people/", include("grassroots.people.urls")),
    path("grids/", include("grassroots.workforce.urls")),
    path("cases/", include("grassroots.cases.urls")),
    path("inbox/", include("grassroots.notifications.urls")),
    path("deliberation/", include("grassroots.deliberation.urls")),
    path("disclosure/", include("grassroots.disclosure.urls")),
    path("insights/", include("grassroots.insights.urls")),
    path("api/v1/", api.urls),
    path("open311/v2/", include("grassroots.integrations.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("grassroots.operations.urls")),
]

# Every error a page can meet renders the site's error page (grassroots/pages.py).
handler400 = "grassroots.pages.bad_request"
handler403 = "grassroots.pages.permission_denied"
handler404 = "grassroots.pages.page_not_found"
handler500 = "grassroots.pages.server_error"

if settings.MEDIA_URL.startswith("/"):
    # Stored files are served by the application, typed by our own extension and only to those who may see
    # their owner (grassroots/media.py), in development and production alike.
    urlpatterns.append(path(settings.MEDIA_URL.lstrip("/") + "<path:name>", media.serve, name="media"))
