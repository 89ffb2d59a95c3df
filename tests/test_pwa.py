"""The installable web app's three addresses: the manifest, the service worker and the offline page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_in_the_visitors_language_with_its_icons():
    data = Client().get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert (data["name"], data["short_name"], data["lang"]) == (
        "基层治理 · 网格化服务管理",
        "基层治理",
        "zh-hans",
    )
    assert data["shortcuts"] == [
        {"name": "上报问题", "url": "/cases/report/"},
        {"name": "我的任务", "url": "/cases/tasks/"},
        {"name": "我的待走访", "url": "/people/visits/due/"},
    ]
    # an installed app with a stable identity, its splash drawn from the name, colours and the large icon
    assert data["id"] == "/" and data["background_color"] and data["theme_color"]
    english = Client().get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["short_name"] == "Grassroots" and english["lang"] == "en"
    assert [icon.get("purpose", "any") for icon in data["icons"]] == ["any", "any", "maskable"]


def test_the_worker_is_javascript_from_the_root_never_cached_and_keeps_the_site_files_and_offline_page():
    response = Client().get("/sw.js")
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-cache" in response["Cache-Control"] and response["Service-Worker-Allowed"] == "/"
    text = response.content.decode().replace("\\u002D", "-")  # escapejs writes a hyphen as \\u002D
    assert (
        'var PRECACHE = ["/offline/", "/static/grassroots/site.css", "/static/grassroots/favicon.svg"' in text
    )
    assert '"/static/vendor/leaflet-1.9.4/leaflet.js"' in text and '"/static/grassroots/outbox.js"' in text
    assert 'importScripts("/static/grassroots/outbox-core.js");' in text
    assert 'if (request.method !== "GET") return;' in text  # writes are never held by the worker


def test_the_worker_s_caches_are_named_by_release():
    text = Client().get("/sw.js").content.decode().replace("\\u002D", "-")
    static = re.search(r'var CACHE = "grassroots-static-([0-9a-f]{12})";', text)
    pages = re.search(r'var PAGES = "grassroots-pages-([0-9a-f]{12})";', text)
    assert static and pages and static.group(1) == pages.group(1)


def test_the_offline_page_is_the_same_for_everyone(client):
    anonymous = Client().get("/offline/").content
    client.force_login(UserFactory(username="zhangsan", display_name="张三"))
    signed_in = client.get("/offline/").content
    assert anonymous == signed_in and "没有网络".encode() in anonymous and "张三".encode() not in signed_in


def test_every_page_links_the_manifest_and_the_worker_script():
    page = Client().get("/accounts/login/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert "/static/grassroots/pwa.js" in page
