from grassroots.downloads import attachment


def test_a_download_keeps_a_chinese_name_and_is_never_cached():
    response = attachment(b"data", "150825-网格员名册.xlsx", "application/octet-stream")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''150825-")
    assert "%E7%BD%91%E6%A0%BC" in response["Content-Disposition"]  # 网格, percent-encoded
    assert response["Cache-Control"] == "no-store" and response.content == b"data"
