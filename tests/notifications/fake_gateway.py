"""A local HTTP server on 127.0.0.1 playing the SMS gateways (Aliyun, Tencent Cloud) and WeChat's official
account API: it records every request exactly as it arrived and answers from a script (the next scripted
answer for the path, else a success), so that tests can make the gateway fail, throttle and recover, and
then check what was sent.

The signature checks here are written from the vendors' documentation, independently of the adapters in
``grassroots/notifications/gateways.py``: a test that only compared the adapter with itself could not fail.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

ALIYUN_OK = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"}


def tencent_ok(serial="2028:f825e6b16e23f73f4123"):
    return {
        "Response": {
            "SendStatusSet": [
                {"SerialNo": serial, "PhoneNumber": "+8613812345678", "Fee": 1, "SessionContext": "",
                 "Code": "Ok", "Message": "send success", "IsoCode": "CN"}
            ],
            "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
        }
    }  # fmt: skip


def tencent_error(code, message="error"):
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "b1"}}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    @property
    def json(self) -> dict:
        return json.loads(self.body.decode())


@dataclass
class FakeGateway:
    """``script[path]``: answers (status, JSON body, extra headers) used in order for that path;
    ``delays[path]``: seconds to wait before answering that path (a slow API)."""

    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    script: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    delays: dict[str, float] = field(default_factory=dict)  # seconds the answer to a path waits
    pause: float = 0.0  # seconds each answer waits, after the request is recorded: a slow gateway

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, path: str, *answers) -> None:
        """Queue answers for ``path``: each (status, body) or (status, body, headers)."""
        for a in answers:
            self.script[path].append(a if len(a) == 3 else (*a, {}))

    def sent_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]


def _handler(fake: FakeGateway):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def _serve(self, method: str):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fake.requests.append(
                Recorded(method, parts.path, dict(parse_qsl(parts.query)), dict(self.headers.items()), body)
            )
            time.sleep(fake.delays.get(parts.path, 0) + fake.pause)
            queued = fake.script.get(parts.path)
            if queued:
                status, answer, headers = queued.popleft()
            else:
                status, answer, headers = self.default(parts)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            payload = json.dumps(answer, ensure_ascii=False).encode() if answer is not None else b""
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def default(self, parts):
            if parts.path == "/tencent/":
                return 200, tencent_ok(), {}
            if parts.path == "/cgi-bin/stable_token":
                return 200, {"access_token": "TOKEN-1", "expires_in": 7200}, {}
            if parts.path == "/cgi-bin/message/template/send":
                return 200, {"errcode": 0, "errmsg": "ok", "msgid": 200228332}, {}
            if parts.path == "/sns/oauth2/access_token":
                return 200, {"access_token": "AT", "expires_in": 7200, "openid": "oWECHAT-RESIDENT-0001",
                             "scope": "snsapi_base"}, {}  # fmt: skip
            if parts.path == "/connect/oauth2/authorize":
                query = dict(parse_qsl(parts.query))
                back = f"{query['redirect_uri']}?{urlencode({'code': 'CODE-1', 'state': query['state']})}"
                return 302, None, {"Location": back}
            return 200, ALIYUN_OK, {}

        def do_POST(self):
            self._serve("POST")

        def do_GET(self):
            self._serve("GET")

    return Handler


def start() -> FakeGateway:
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    fake = FakeGateway(server)
    server.RequestHandlerClass = _handler(fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake


# --- the vendors' signatures, checked from their documentation ----------------------------------------------


def aliyun_signature_ok(form: dict[str, str], secret: str, method: str = "POST") -> bool:
    """Aliyun RPC signature 1.0: the parameters but Signature, sorted, each name and value percent-encoded
    (RFC 3986, space %20), joined with & and = ; StringToSign = METHOD&%2F&encode(that);
    Signature = Base64(HMAC-SHA1(secret + "&", StringToSign))."""

    def enc(value: str) -> str:
        return quote(value, safe="-_.~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(form.items()) if k != "Signature")
    string_to_sign = f"{method}&%2F&{enc(canonical)}"
    expected = base64.b64encode(
        hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    )
    return hmac.compare_digest(expected.decode(), form.get("Signature", ""))


def tencent_signature_ok(request: Recorded, secret_id: str, secret_key: str) -> bool:
    """Tencent Cloud API 3.0 (TC3-HMAC-SHA256): the canonical request of the received method, path, headers
    content-type and host, and the SHA-256 of the body; signed with keys derived from "TC3" + SecretKey, the
    UTC date of X-TC-Timestamp, the service ("sms") and "tc3_request"."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    timestamp = int(headers["x-tc-timestamp"])
    date = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).strftime("%Y-%m-%d")
    canonical = (
        f"{request.method}\n{request.path}\n\n"
        f"content-type:{headers['content-type'].lower()}\nhost:{headers['host'].lower()}\n\n"
        f"content-type;host\n{hashlib.sha256(request.body).hexdigest()}"
    )
    scope = f"{date}/sms/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = f"TC3{secret_key}".encode()
    for part in (date, "sms", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    expected = f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    return hmac.compare_digest(expected, headers.get("authorization", ""))
