"""SMS gateways over HTTP: Aliyun (阿里云短信, RPC API with its HMAC-SHA1 signature) and Tencent Cloud
(腾讯云短信, API 3.0 with TC3-HMAC-SHA256), and the logging gateway that is the default.

A gateway sends one SMS: the template configured at the gateway (``NOTIFICATIONS_SMS_TEMPLATE_ID``, approved
there with the signature ``NOTIFICATIONS_SMS_SIGN_NAME``) filled with the parameters :mod:`texts` made. It
returns :class:`Accepted` with the gateway's message id, or raises :class:`GatewayError` saying whether a
later attempt may succeed (network trouble, the gateway's own errors and throttling) or not (bad keys,
signature, template or number). The delivery task (``delivery.py``) decides about retries.

Phone numbers stay out of URLs (both requests are POSTs with the number in the body) and out of every
message this module produces: details are the gateway's error code and message with numbers masked.

Configuration is read from settings when a gateway is made (docs/operations.md, "Notifications: SMS and
WeChat"). The endpoints are settings too, so that a test can play the gateway on 127.0.0.1.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from grassroots import clock
from grassroots.masking import mask_numbers_in_text, mask_phone

from .texts import SmsText

log = logging.getLogger("grassroots.notifications")


@dataclass(frozen=True)
class Accepted:
    """The gateway took the message: its id for the message (Aliyun BizId, Tencent SerialNo)."""

    message_id: str = ""
    code: str = "OK"
    detail: str = ""


class GatewayError(Exception):
    """The gateway did not take the message. ``retriable``: a later attempt may succeed."""

    def __init__(self, code: str, detail: str = "", *, retriable: bool):
        self.code = code
        self.detail = mask_numbers_in_text(detail or "")[:300]
        self.retriable = retriable
        super().__init__(f"{code}: {self.detail}")


# --- HTTP -------------------------------------------------------------------------------------------------


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST and return (status, body); HTTP errors are answers too. Network trouble → retriable error."""
    if urlsplit(url).scheme not in ("https", "http"):
        raise GatewayError("bad_endpoint", "the endpoint must be an http(s) URL", retriable=False)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read() or b""
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise GatewayError("network", type(reason).__name__, retriable=True) from None


def _json(status: int, raw: bytes) -> dict:
    try:
        answer = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        raise GatewayError(f"http_{status}", "the answer is not JSON", retriable=status >= 500) from None
    if not isinstance(answer, dict):
        raise GatewayError(f"http_{status}", "unexpected answer", retriable=status >= 500)
    return answer


def _setting(name: str, default=""):
    return getattr(settings, name, default)


# --- the gateways -----------------------------------------------------------------------------------------


class LoggingGateway:
    """Writes what would be sent to the log (the phone masked) and sends nothing: the default, so that a
    deployment without a gateway contract still shows what its residents would receive."""

    name = "logging"

    def send(self, *, to: str, sms: SmsText, reference: str = "") -> Accepted:
        log.info("SMS to %s (%s part(s)): %s", mask_phone(to), sms.segments, sms.text)
        return Accepted("", "logged")


def aliyun_percent_encode(value: str) -> str:
    """Aliyun's percent-encoding: UTF-8, everything but A–Z a–z 0–9 - _ . ~ encoded, space as %20."""
    return quote(value, safe="~")


def aliyun_signature(method: str, params: dict[str, str], secret: str) -> str:
    """Base64(HMAC-SHA1(secret + "&", method & %2F & encode(sorted, encoded query)))."""
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items())
    )
    string_to_sign = f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# Errors after which a later attempt may succeed (the rest are about keys, signature, template or number).
ALIYUN_RETRIABLE = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User", "ServiceUnavailable"}


class AliyunGateway:
    """Aliyun SMS, ``SendSms`` of API version 2017-05-25 (RPC style, signature version 1.0), POSTed as a
    form to ``NOTIFICATIONS_SMS_ENDPOINT`` (default https://dysmsapi.aliyuncs.com/)."""

    name = "aliyun"
    default_endpoint = "https://dysmsapi.aliyuncs.com/"

    def __init__(self):
        self.endpoint = _setting("NOTIFICATIONS_SMS_ENDPOINT") or self.default_endpoint
        self.key_id = _setting("NOTIFICATIONS_SMS_KEY_ID")
        self.key_secret = _setting("NOTIFICATIONS_SMS_KEY_SECRET")
        self.sign_name = _setting("NOTIFICATIONS_SMS_SIGN_NAME")
        self.template = _setting("NOTIFICATIONS_SMS_TEMPLATE_ID")
        self.region = _setting("NOTIFICATIONS_SMS_REGION") or "cn-hangzhou"
        self.timeout = float(_setting("NOTIFICATIONS_SMS_TIMEOUT", 10))

    def params(self, *, to: str, sms: SmsText, reference: str = "", nonce: str = "", timestamp: str = ""):
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": to,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self.template,
            "TemplateParam": json.dumps(sms.params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": timestamp or clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        if reference:
            params["OutId"] = reference
        return params

    def send(self, *, to: str, sms: SmsText, reference: str = "") -> Accepted:
        params = self.params(to=to, sms=sms, reference=reference)
        params["Signature"] = aliyun_signature("POST", params, self.key_secret)
        body = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in params.items())
        status, raw = _post(
            self.endpoint,
            body.encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": "application/json",
            },
            self.timeout,
        )
        answer = _json(status, raw)
        code = str(answer.get("Code") or f"http_{status}")
        if status == 200 and code == "OK":
            return Accepted(str(answer.get("BizId", "")), code)
        retriable = (
            status >= 500 or status == 429 or code in ALIYUN_RETRIABLE or code.startswith("InternalError")
        )
        raise GatewayError(code, str(answer.get("Message", "")), retriable=retriable)


def tc3_signature(
    *, secret_key: str, service: str, host: str, timestamp: int, payload: bytes, path: str = "/"
) -> tuple[str, str]:
    """Tencent Cloud API 3.0 signature of a JSON POST to ``path`` ("/" at Tencent's endpoints):
    (signature hex, credential scope)."""
    date = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).strftime("%Y-%m-%d")
    canonical_request = "\n".join(
        [
            "POST",
            path or "/",
            "",
            f"content-type:application/json; charset=utf-8\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )

    def _hmac(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    signing_key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest(), scope


TENCENT_RETRIABLE_PREFIXES = ("InternalError", "RequestLimitExceeded", "ResourceUnavailable")
TENCENT_RETRIABLE = {"LimitExceeded.PhoneNumberThirtySecondLimit", "LimitExceeded.PhoneNumberOneHourLimit"}


def _tencent_retriable(code: str) -> bool:
    return code in TENCENT_RETRIABLE or code.startswith(TENCENT_RETRIABLE_PREFIXES)


class TencentGateway:
    """Tencent Cloud SMS, ``SendSms`` of API version 2021-01-11, signed with TC3-HMAC-SHA256, POSTed as
    JSON to ``NOTIFICATIONS_SMS_ENDPOINT`` (default https://sms.tencentcloudapi.com/)."""

    name = "tencent"
    default_endpoint = "https://sms.tencentcloudapi.com/"
    service = "sms"
    version = "2021-01-11"

    def __init__(self):
        self.endpoint = _setting("NOTIFICATIONS_SMS_ENDPOINT") or self.default_endpoint
        self.secret_id = _setting("NOTIFICATIONS_SMS_KEY_ID")
        self.secret_key = _setting("NOTIFICATIONS_SMS_KEY_SECRET")
        self.app_id = _setting("NOTIFICATIONS_SMS_APP_ID")
        self.sign_name = _setting("NOTIFICATIONS_SMS_SIGN_NAME")
        self.template = _setting("NOTIFICATIONS_SMS_TEMPLATE_ID")
        self.region = _setting("NOTIFICATIONS_SMS_REGION") or "ap-guangzhou"
        self.timeout = float(_setting("NOTIFICATIONS_SMS_TIMEOUT", 10))

    def payload(self, *, to: str, sms: SmsText, reference: str = "") -> bytes:
        body = {
            "PhoneNumberSet": [f"+86{to}"],
            "SmsSdkAppId": self.app_id,
            "SignName": self.sign_name,
            "TemplateId": self.template,
            "TemplateParamSet": list(sms.params.values()),
            "SessionContext": reference,
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    def send(self, *, to: str, sms: SmsText, reference: str = "") -> Accepted:
        payload = self.payload(to=to, sms=sms, reference=reference)
        parts = urlsplit(self.endpoint)
        host = parts.netloc
        timestamp = int(clock.now().timestamp())
        signature, scope = tc3_signature(
            secret_key=self.secret_key,
            service=self.service,
            host=host,
            timestamp=timestamp,
            payload=payload,
            path=parts.path or "/",
        )
        headers = {
            "Authorization": f"TC3-HMAC-SHA256 Credential={self.secret_id}/{scope}, "
            f"SignedHeaders=content-type;host, Signature={signature}",
            "Content-Type": "application/json; charset=utf-8",
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": self.version,
            "X-TC-Region": self.region,
        }
        status, raw = _post(self.endpoint, payload, headers, self.timeout)
        answer = _json(status, raw).get("Response") or {}
        error = answer.get("Error")
        if error or status != 200:
            code = str((error or {}).get("Code") or f"http_{status}")
            retriable = status >= 500 or status == 429 or _tencent_retriable(code)
            raise GatewayError(code, str((error or {}).get("Message", "")), retriable=retriable)
        statuses = answer.get("SendStatusSet") or []
        if not statuses:
            raise GatewayError("no_status", "the answer names no message", retriable=True)
        first = statuses[0]
        code = str(first.get("Code", ""))
        if code.lower() == "ok":
            return Accepted(str(first.get("SerialNo", "")), code)
        raise GatewayError(code, str(first.get("Message", "")), retriable=_tencent_retriable(code))


GATEWAYS = {"logging": LoggingGateway, "aliyun": AliyunGateway, "tencent": TencentGateway}


def sms_gateway():
    """The configured SMS gateway: ``NOTIFICATIONS_SMS_BACKEND`` is ``logging`` (default), ``aliyun``,
    ``tencent`` or the dotted path of a class with the same ``send``."""
    name = _setting("NOTIFICATIONS_SMS_BACKEND") or "logging"
    if name in GATEWAYS:
        return GATEWAYS[name]()
    return import_string(name)()
