"""Open311 GeoReport v2, mounted at /open311/v2/ (grassroots/urls.py)."""

from django.urls import path, re_path

from .views import open311

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("", open311.unknown, name="root"),
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, open311.service_definition, name="service"),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(r"^requests/(?P<reference_text>[^/]+?)" + FMT, open311.request_one, name="request"),
    re_path(r"^tokens/(?P<token_text>[^/]+?)" + FMT, open311.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, open311.updates, name="updates"),
    re_path(r"^(?P<path>.*)$", open311.unknown, name="unknown"),
]
