"""An outside GeoReport v2 client (the ``georeport`` package from PyPI) reads our services and requests over
HTTP from a live server, in JSON and XML; reports are posted with plain HTTP, as a client would.

The client sends no key with its GETs: it is given one the standard way, as HTTP Basic credentials from a
netrc file (``requests`` reads ``$NETRC``), which the endpoint accepts like ``api_key``.
"""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from grassroots.cases.models import Case
from tests.cases.conftest import G1, INSIDE_G1

# The live server commits for real: the audit log's rows (the key's issue) must be emptied after each test.
from tests.e2e.conftest import _audit_log_flushable as _audit_log_flushable


@pytest.fixture
def key_in_netrc(county_key, tmp_path, monkeypatch):
    _key, raw = county_key
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine localhost login open311 password {raw}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    return raw


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_reads_services_and_requests(live_server, settings, key_in_netrc, fmt):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    root = f"{live_server.url}/open311/v2"
    lon, lat = INSIDE_G1
    posted = requests.post(
        f"{root}/requests.{fmt}",
        data={
            "api_key": key_in_netrc,
            "service_code": "0101",
            "description": "路口垃圾没人清",
            "lat": str(lat),
            "long": str(lon),
        },
        timeout=30,
    )
    assert posted.status_code == 200, posted.text
    case = Case.objects.get()
    assert case.area_code == G1

    client = GeoReport(root, output_format=fmt)
    services = client.get_service_list()
    assert "0101" in {s["service_code"] for s in services}
    definition = client.get_service_definition("0101")
    assert definition["service_code"] == "0101"

    listed = client.get_service_requests(service_code="0101", status="open")
    rows = listed if isinstance(listed, list) else [listed]  # xmltodict gives one element as a dict
    assert [r["service_request_id"] for r in rows] == [case.reference]
    one = client.get_service_request(case.reference)
    assert one["description"] == "路口垃圾没人清" and one["status"] == "open"
