"""An idempotency key is bound to the request it was first sent with (IETF draft "The Idempotency-Key HTTP
Header Field"): the same key with the same request returns the case made the first time; the same key with
a different request is refused with 422 and a clear message, and nothing is written. Reusing a key used to
return the first case silently, so a second, different report was lost without a word."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.cases import services
from grassroots.cases.models import Case, CasePhoto, Category, Source

from .conftest import INSIDE_G1, VILLAGE, jpeg_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(user, language="zh-hans") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    return client


def _submit(client, key, **fields):
    data = {
        "category": "0101",
        "description": "垃圾没人清",
        "lon": INSIDE_G1[0],
        "lat": INSIDE_G1[1],
        **fields,
    }
    return client.post("/api/v1/cases/", data=data, headers={"Idempotency-Key": key})


def test_the_same_key_with_the_same_request_answers_the_first_case(city):
    client = _client(city.resident)
    first = _submit(client, "k-1", photos=[upload(jpeg_bytes())])
    again = _submit(client, "k-1", photos=[upload(jpeg_bytes())])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1 and CasePhoto.objects.count() == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"description": "路灯坏了"},
        {"lon": INSIDE_G1[0] + 0.001},
        {"category": "0102"},
        {"anonymous": "true"},
        {"photos": [upload(jpeg_bytes(color=(0, 0, 200)))]},
    ],
    ids=["description", "place", "category", "anonymous", "photo"],
)
def test_the_same_key_with_a_different_request_is_refused_with_422_and_nothing_is_written(city, changed):
    client = _client(city.resident)
    first = _submit(client, "k-2", photos=[upload(jpeg_bytes())])
    assert first.status_code == 201, first.content
    before = Case.objects.get()
    response = _submit(client, "k-2", **{"photos": [upload(jpeg_bytes())], **changed})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in body["message"] and "新" in body["message"]
    assert Case.objects.count() == 1 and CasePhoto.objects.count() == 1
    assert Case.objects.get().description == before.description


def test_the_refusal_speaks_english_on_request(city):
    client = _client(city.resident, language="en")
    assert _submit(client, "k-3").status_code == 201
    body = _submit(client, "k-3", description="another matter").json()
    assert body["code"] == "idempotency_key_reused" and "new key" in body["message"]


def test_a_key_is_the_reporters_own(city):
    assert _submit(_client(city.resident), "shared").status_code == 201
    assert _submit(_client(city.other_resident), "shared", description="别的事").status_code == 201
    assert Case.objects.count() == 2


def test_a_case_kept_before_fingerprints_still_answers_its_key(city):
    client = _client(city.resident)
    first = _submit(client, "k-4")
    Case.objects.filter(pk=first.json()["id"]).update(idempotency_fingerprint="")
    again = _submit(client, "k-4", description="改过的文字")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_the_staff_entry_and_the_on_the_spot_closure_bind_their_keys_too(city):
    category = Category.objects.get(code="0101")
    entered = {
        "actor": city.village, "source": Source.PHONE, "category": category, "description": "电话反映路灯坏了",
        "area_code": VILLAGE, "reporter_name": "王大爷", "reporter_phone": "13800001111", "idempotency_key": "call-1",
    }  # fmt: skip
    first = services.case_enter(**entered)
    assert services.case_enter(**entered).pk == first.pk
    with pytest.raises(services.IdempotencyKeyReused):
        services.case_enter(**{**entered, "description": "电话反映下水道堵了"})
    spot = {
        "actor": city.grid_worker, "category": category, "description": "路边垃圾", "note": "已清理",
        "lon": INSIDE_G1[0], "lat": INSIDE_G1[1], "before_photos": [upload(jpeg_bytes())],
        "after_photos": [upload(jpeg_bytes(color=(0, 200, 0)))], "idempotency_key": "spot-1",
    }  # fmt: skip
    closed = services.case_resolve_on_the_spot(**spot)
    assert services.case_resolve_on_the_spot(**spot).pk == closed.pk
    with pytest.raises(services.IdempotencyKeyReused):
        services.case_resolve_on_the_spot(**{**spot, "note": "没清理"})
    assert Case.objects.count() == 2


def test_the_staff_entry_api_refuses_a_key_sent_with_another_call(city):
    client = _client(city.village)
    call = {"source": "phone", "category": "0101", "description": "电话反映路灯坏了", "area_code": VILLAGE,
            "reporter_name": "王大爷", "reporter_phone": "13800001111"}  # fmt: skip
    first = client.post("/api/v1/cases/entries", data=call, headers={"Idempotency-Key": "ticket-7"})
    again = client.post("/api/v1/cases/entries", data=call, headers={"Idempotency-Key": "ticket-7"})
    other = client.post(
        "/api/v1/cases/entries",
        data={**call, "reporter_phone": "13900002222"},
        headers={"Idempotency-Key": "ticket-7"},
    )
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 422)
    assert other.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1
