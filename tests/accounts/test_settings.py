from grassroots import settings as project_settings


def test_passwords_are_hashed_with_argon2_in_production_settings():
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_embedded_default_is_sqlite_in_wal_mode_in_shanghai_time_speaking_chinese():
    db = project_settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert project_settings.TIME_ZONE == "Asia/Shanghai"
    assert project_settings.USE_TZ is True
    assert project_settings.LANGUAGE_CODE == "zh-hans"
