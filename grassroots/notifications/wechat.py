"""WeChat template messages (模板消息) through an official account (公众号), and connecting a person's WeChat.

A template message goes to the person's OpenID for the official account, which the platform learns when the
person opens the connect link in WeChat (web authorisation with the ``snsapi_base`` scope: WeChat sends the
browser back with a code, exchanged for the OpenID; ``views.wechat_connect`` / ``wechat_callback``). The
template (``NOTIFICATIONS_WECHAT_TEMPLATE_ID``) has keyword fields filled from the inbox's words
(``NOTIFICATIONS_WECHAT_TEMPLATE_FIELDS``, e.g. ``thing1=title,thing2=body``), each at most
``NOTIFICATIONS_WECHAT_FIELD_MAX_CHARS`` characters (20 for the "thing" fields), and links to the page of
what the notification is about.

The access token comes from ``/cgi-bin/stable_token`` and is kept in the cache until shortly before it
expires; a token the API calls invalid is fetched again once. With a shared cache (``CACHE_URL``) every
process of every app server uses the one token: whoever finds none takes a short lock (``cache.add``) and
fetches it while the others wait for it a moment, so that a burst of messages after expiry asks WeChat once.
The stable token API lets several callers ask without invalidating one another's token, so a process that
waited in vain (the fetch failed, or the cache is down) simply asks itself. As for SMS, :class:`LoggingWeChat`
is the default and only writes the message to the log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from .gateways import Accepted, GatewayError, _json, _post
from .links import target_url
from .models import WeChatBinding

log = logging.getLogger("grassroots.notifications")

TOKEN_LOCK_SECONDS = 15  # the fetch's lock lasts at most this long (the request's timeout is 10 s by default)
TOKEN_WAIT_SECONDS = 3.0  # how long a process waits for another's fetch before it asks WeChat itself
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid, malformed or expired access token: fetch a new one once
RETRIABLE_ERRORS = {-1, 45009, 45047}  # system busy, API quota reached, too many messages to the user


def _setting(name: str, default=""):
    return getattr(settings, name, default)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


class LoggingWeChat:
    """Writes the message to the log and sends nothing (the default)."""

    name = "logging"
    needs_connection = False

    def send(self, *, to: str, title: str, body: str, notification=None) -> Accepted:
        log.info("WeChat message for notification %s: %s — %s", getattr(notification, "pk", ""), title, body)
        return Accepted("", "logged")


class OfficialAccountGateway:
    """Template messages of a WeChat official account (API at ``NOTIFICATIONS_WECHAT_ENDPOINT``, default
    https://api.weixin.qq.com; web authorisation at ``NOTIFICATIONS_WECHAT_OAUTH_ENDPOINT``, default
    https://open.weixin.qq.com)."""

    name = "official_account"
    needs_connection = True

    def __init__(self):
        self.app_id = _setting("NOTIFICATIONS_WECHAT_APP_ID")
        self.app_secret = _setting("NOTIFICATIONS_WECHAT_APP_SECRET")
        self.template = _setting("NOTIFICATIONS_WECHAT_TEMPLATE_ID")
        self.fields = dict(
            _setting("NOTIFICATIONS_WECHAT_TEMPLATE_FIELDS", {"thing1": "title", "thing2": "body"})
        )
        self.field_max = int(_setting("NOTIFICATIONS_WECHAT_FIELD_MAX_CHARS", 20))
        self.endpoint = (_setting("NOTIFICATIONS_WECHAT_ENDPOINT") or "https://api.weixin.qq.com").rstrip("/")
        self.oauth_endpoint = (
            _setting("NOTIFICATIONS_WECHAT_OAUTH_ENDPOINT") or "https://open.weixin.qq.com"
        ).rstrip("/")
        self.site_url = (_setting("NOTIFICATIONS_SITE_URL") or "").rstrip("/")
        self.timeout = float(_setting("NOTIFICATIONS_SMS_TIMEOUT", 10))

    # --- the access token ---

    def _cache_key(self) -> str:
        """The token's key: the official account, and the API that issued it (a test server's token is not
        the real one's)."""
        endpoint = hashlib.sha256(self.endpoint.encode()).hexdigest()[:12]
        return f"notifications:wechat-token:{self.app_id}:{endpoint}"

    def token(self, *, fresh: bool = False) -> str:
        """The access token: the cached one unless ``fresh`` (the API refused it), else fetched once for every
        process sharing the cache (the module says how)."""
        key = self._cache_key()
        if not fresh:
            cached = cache.get(key)
            if cached:
                return cached
        lock = f"{key}:fetching"
        if not cache.add(lock, True, TOKEN_LOCK_SECONDS):
            # another process is fetching it: its token is in the cache in a moment
            deadline = time.monotonic() + TOKEN_WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(0.05)
                fetching = cache.has_key(lock)  # before the token: the fetcher stores it, then unlocks
                cached = cache.get(key)
                if cached:
                    return cached
                if not fetching:
                    break  # its fetch failed (or the cache is down): ask WeChat ourselves
            return self._fetch(key)
        try:
            return self._fetch(key)
        finally:
            cache.delete(lock)

    def _fetch(self, key: str) -> str:
        body = json.dumps(
            {"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret,
             "force_refresh": False}
        ).encode()  # fmt: skip
        status, raw = _post(
            f"{self.endpoint}/cgi-bin/stable_token", body, {"Content-Type": "application/json"}, self.timeout
        )
        answer = _json(status, raw)
        token = answer.get("access_token")
        if not token:
            code = int(answer.get("errcode") or -2)
            raise GatewayError(
                f"wechat_{code}", str(answer.get("errmsg", "")), retriable=code in RETRIABLE_ERRORS
            )
        lifetime = int(answer.get("expires_in") or 7200)
        cache.set(key, token, max(lifetime - 300, 60))
        return token

    # --- sending ---

    def message(self, *, to: str, title: str, body: str, notification=None) -> dict:
        parts = {"title": title, "body": body, "text": f"{title}：{body}" if body else title}
        data = {
            field: {"value": _cut(parts.get(part, ""), self.field_max)} for field, part in self.fields.items()
        }
        message = {"touser": to, "template_id": self.template, "data": data}
        path = target_url(notification) if notification is not None else ""
        if self.site_url and path:
            message["url"] = f"{self.site_url}{path}"
        return message

    def send(self, *, to: str, title: str, body: str, notification=None) -> Accepted:
        payload = json.dumps(
            self.message(to=to, title=title, body=body, notification=notification), ensure_ascii=False
        ).encode()
        for fresh in (False, True):
            status, raw = _post(
                f"{self.endpoint}/cgi-bin/message/template/send?{urlencode({'access_token': self.token(fresh=fresh)})}",
                payload,
                {"Content-Type": "application/json; charset=utf-8"},
                self.timeout,
            )
            answer = _json(status, raw)
            code = int(answer.get("errcode") or 0)
            if status == 200 and code == 0:
                return Accepted(str(answer.get("msgid", "")), "ok")
            if code in TOKEN_ERRORS and not fresh:
                cache.delete(self._cache_key())
                continue
            retriable = status >= 500 or code in RETRIABLE_ERRORS
            raise GatewayError(f"wechat_{code or status}", str(answer.get("errmsg", "")), retriable=retriable)
        raise GatewayError("wechat_token", "the access token was refused twice", retriable=True)

    # --- connecting a person's WeChat (web authorisation, snsapi_base) ---

    def authorise_url(self, *, redirect_uri: str, state: str) -> str:
        query = urlencode(
            {"appid": self.app_id, "redirect_uri": redirect_uri, "response_type": "code", "scope": "snsapi_base",
             "state": state}
        )  # fmt: skip
        return f"{self.oauth_endpoint}/connect/oauth2/authorize?{query}#wechat_redirect"

    def openid_for_code(self, code: str) -> str:
        """Exchange the code WeChat sent back for the person's OpenID (the secret travels in the query, as
        this WeChat API requires; the URL is never logged)."""
        query = urlencode(
            {
                "appid": self.app_id,
                "secret": self.app_secret,
                "code": code,
                "grant_type": "authorization_code",
            }
        )
        request = urllib.request.Request(f"{self.endpoint}/sns/oauth2/access_token?{query}")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read() or b""
        except (urllib.error.URLError, TimeoutError, OSError):
            raise GatewayError("network", "WeChat could not be reached", retriable=True) from None
        answer = _json(status, raw)
        openid = answer.get("openid")
        if not openid:
            code = int(answer.get("errcode") or -2)
            raise GatewayError(
                f"wechat_{code}", str(answer.get("errmsg", "")), retriable=code in RETRIABLE_ERRORS
            )
        return str(openid)


GATEWAYS = {"logging": LoggingWeChat, "official_account": OfficialAccountGateway}


def wechat_gateway():
    """The configured WeChat gateway: ``NOTIFICATIONS_WECHAT_BACKEND`` is ``logging`` (default),
    ``official_account`` or the dotted path of a class with the same ``send``."""
    name = _setting("NOTIFICATIONS_WECHAT_BACKEND") or "logging"
    if name in GATEWAYS:
        return GATEWAYS[name]()
    return import_string(name)()


def wechat_needs_connection() -> bool:
    """Whether WeChat messages need the person's OpenID (any real gateway does; the logging one not)."""
    return bool(getattr(wechat_gateway(), "needs_connection", True))


def wechat_openid_for(user) -> str:
    return WeChatBinding.objects.filter(user_id=user.pk).values_list("openid", flat=True).first() or ""
