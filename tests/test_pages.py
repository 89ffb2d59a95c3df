"""One path for a refusal on a page (grassroots/pages.py): on the form, as a message, or the site's error page
with the refusal's status; and every error page (400, 403, 404, 500, CSRF) is the site's own."""

import pytest
from django import forms as django_forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client, RequestFactory
from django.urls import path

from grassroots import pages
from grassroots import urls as site_urls
from grassroots.errors import Conflict, DomainError, NotPermitted
from tests import factories

pytestmark = pytest.mark.django_db


def _refused(request):
    raise DomainError("拒绝：请写明原因。 Call 13812345678.")


def _not_permitted(request):
    raise NotPermitted("只有村务人员可以这样做。")


def _conflict(request):
    raise Conflict("别人先改了。")


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("refused/", _refused),
    path("not-permitted/", _not_permitted),
    path("conflict/", _conflict),
    path("broken/", _broken),
    *site_urls.urlpatterns,
]
handler500 = "grassroots.pages.server_error"


@pytest.fixture
def own_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.mark.parametrize(
    "url, status, text",
    [
        ("/refused/", 400, "拒绝：请写明原因。"),
        ("/not-permitted/", 403, "只有村务人员"),
        ("/conflict/", 409, "别人先改了"),
    ],
)
def test_an_uncaught_refusal_renders_the_site_error_page_with_its_status_and_message(
    client, own_urls, url, status, text
):
    response = client.get(url)
    assert response.status_code == status
    body = response.content.decode()
    assert 'class="card error-page"' in body and text in body
    assert "13812345678" not in body  # the message is free text: numbers in it are masked like any other


def test_a_crash_renders_the_standalone_500_page_in_both_languages(own_urls):
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统出错了" in body and "Something went wrong" in body


def test_a_missing_page_is_the_site_404_page(client):
    client.force_login(factories.user_with("grid_worker", "150825100001001"))
    response = client.get("/cases/987654321/")
    assert response.status_code == 404
    assert 'data-status="404"' in response.content.decode()


def test_a_page_sent_without_its_csrf_token_gets_the_site_403_page():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-status="403"' in body and "表单已过期" in body


class _Form(django_forms.Form):
    name = django_forms.CharField()


def test_refusals_into_a_form_puts_the_message_on_the_field_it_names_or_the_form():
    form = _Form({"name": "x"})
    assert form.is_valid()
    with pages.refusals_into(form) as outcome:
        raise DomainError("名字已被占用。", detail={"field": "name"})
    assert outcome.refused and form.errors["name"] == ["名字已被占用。"]
    form = _Form({"name": "x"})
    form.is_valid()
    with pages.refusals_into(form):
        raise DomainError("不行。")
    assert form.non_field_errors() == ["不行。"] and not form.is_valid()


def test_refusals_into_a_request_become_a_message_and_a_missing_permission_is_never_swallowed():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with pages.refusals_into(request) as outcome:
        raise DomainError(
            "第 3 行缺少姓名。",
            detail={
                "rows": [
                    {"row": 3, "header": "姓名", "message": "缺少"},
                    {"row": 5, "header": "电话", "message": "格式不对"},
                ]
            },
        )
    assert outcome.refused
    assert [str(m) for m in get_messages(request)] == ["第 3 行缺少姓名。 [3:姓名] 缺少 [5:电话] 格式不对"]
    with pytest.raises(NotPermitted), pages.refusals_into(request):
        raise NotPermitted("no")
    with pytest.raises(KeyError), pages.refusals_into(request):
        raise KeyError("not a refusal")
    with pages.refusals_into(request) as outcome:
        pass
    assert not outcome.refused


def test_refusals_into_a_list_append_the_message():
    shown: list[str] = []
    with pages.refusals_into(shown) as outcome:
        raise DomainError("这一年已录入。")
    assert outcome.refused and shown == ["这一年已录入。"]
