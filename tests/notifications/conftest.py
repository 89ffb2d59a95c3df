"""The SMS gateway played by a local HTTP server (fake_gateway.py), its settings, and a resident with a mobile."""

from __future__ import annotations

import pytest

from grassroots.notifications.models import DeliveryAttempt
from tests.factories import UserFactory

from . import fake_gateway

PHONE = "13812345678"
KEY_ID, SECRET = "LTAI-test-key", "test-secret-不外传"


@pytest.fixture
def sms_configured(settings):
    """Tasks run at once; the SMS account, template and retries as the delivery tests expect them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.NOTIFICATIONS_SMS_KEY_ID = KEY_ID
    settings.NOTIFICATIONS_SMS_KEY_SECRET = SECRET
    settings.NOTIFICATIONS_SMS_SIGN_NAME = "巴彦淖尔网格"
    settings.NOTIFICATIONS_SMS_TEMPLATE_ID = "SMS_100001"
    settings.NOTIFICATIONS_SMS_TEMPLATE_TEXT = "${title}：${body}"
    settings.NOTIFICATIONS_SMS_TEMPLATE_PARAMS = {"title": "title", "body": "body"}
    settings.NOTIFICATIONS_SMS_MAX_SEGMENTS = 1
    settings.NOTIFICATIONS_RETRY_SECONDS = [0]
    settings.NOTIFICATIONS_SEND_ATTEMPTS = 4
    return settings


@pytest.fixture
def gateway():
    fake = fake_gateway.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def aliyun(settings, gateway):
    settings.NOTIFICATIONS_SMS_BACKEND = "aliyun"
    settings.NOTIFICATIONS_SMS_ENDPOINT = f"{gateway.url}/"
    return gateway


@pytest.fixture
def resident(db):
    from grassroots import fieldcrypt

    user = UserFactory(display_name="张居民")
    user.phone = PHONE
    user.phone_hash = fieldcrypt.keyed_hash(PHONE)
    user.save()
    return user


def attempts_of(notification) -> list[tuple[int, str]]:
    """The delivery log of a notification: (attempt, status), oldest first."""
    return list(
        DeliveryAttempt.objects.filter(notification=notification)
        .order_by("id")
        .values_list("attempt", "status")
    )
