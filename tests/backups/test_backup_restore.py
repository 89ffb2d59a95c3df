"""A backup restores into an empty database of the same kind (SQLite here, PostgreSQL when DATABASE_URL says
so): the disclosure hash chains, the audit log, the encrypted personal data and the media come back, the
keys never travel with it, and key rotation works before the backup and again on the restored site."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import timezone

from grassroots import clock, fieldcrypt, personal
from grassroots.accounts.models import AuditLog, Role, User
from grassroots.accounts.services import audit_record
from grassroots.backups import dumps, services
from grassroots.backups.errors import ArchiveInvalid, TargetNotEmpty
from grassroots.disclosure import selectors as disclosure_selectors
from grassroots.disclosure.models import Attachment, Notice
from grassroots.people.models import Household, Resident
from tests.factories import area, grid, user_with

pytestmark = pytest.mark.django_db(transaction=True)

VILLAGE = "150802101201"
GRID = VILLAGE + "001"
OLD_KEY, NEW_KEY, THIRD_KEY = (Fernet.generate_key().decode() for _ in range(3))
HASH_KEY = "hash-key-of-this-site-" + uuid.uuid4().hex
SECRET = "secret-key-of-this-site-" + uuid.uuid4().hex
ID_NUMBERS = ["11010519491231002X", "440524188001010014", "150802199001010019"]
PHONES = ["13800138000", "13912345678", "17000000001"]


def _keys(settings, *keys: str) -> None:
    settings.FIELD_ENCRYPTION_KEYS = list(keys)
    fieldcrypt.reset_keys()


def _village(settings, media: Path) -> dict:
    """A village with a board, a notice published and corrected (a chain of two versions) with an attachment,
    residents and a login with ID and phone numbers, and audit records."""
    from grassroots.cases.models import Category, CategoryLimit
    from grassroots.cases.seed import seed_categories
    from grassroots.disclosure import services as disclosure
    from grassroots.worktime.calendar import seed_year

    settings.MEDIA_ROOT = media
    seed_categories(Category, CategoryLimit)
    seed_year(2026)
    village = area(VILLAGE, "民主村")
    g = grid(GRID, (107.0, 40.0, 107.1, 40.1))
    staff = user_with(Role.VILLAGE_STAFF, VILLAGE, username="staff")
    staff.phone, staff.phone_hash, _mask = personal.phone_columns(PHONES[0])
    staff.save()
    moment = timezone.make_aware(dt.datetime(2026, 3, 2, 10))
    with clock.frozen(moment):
        board = disclosure.board_create(actor=staff, village=village, name="民主村村务公开栏")
        notice = disclosure.notice_create(actor=staff, board=board, kind="text", title="公告", body="正文")
        disclosure.attachment_add(
            actor=staff,
            notice=notice,
            file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", "application/pdf"),
        )
        disclosure.notice_publish(actor=staff, notice=notice)
    with clock.frozen(moment + dt.timedelta(days=1)):
        disclosure.notice_correct(actor=staff, notice=notice, reason="错别字", body="正文（更正）")
    household = Household.objects.create(area=g.area, area_code=GRID, number="001", address="幸福路1号")
    for n, (number, phone) in enumerate(zip(ID_NUMBERS, PHONES, strict=True)):
        Resident.objects.create(
            household=household, area_code=GRID, name=f"居民{n}", id_number=number,
            id_hash=personal.id_hash(number), phone=phone, phone_hash=personal.phone_hash(phone),
        )  # fmt: skip
    for resident in Resident.objects.all():
        audit_record(
            actor=staff, action="resident.reveal", target=resident, reason="入户核实", detail={"n": 1}
        )
    return {"notice": notice, "staff": staff}


def _restored_alias(alias: str, tmp_path: Path) -> None:
    """A second database alias on a new, empty database of the kind the tests run on (a connection made
    here, not declared in settings, which the test case would refuse)."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict["NAME"] = f"{connection.settings_dict['NAME'][:40]}_{alias}"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    else:
        settings_dict["NAME"] = str(tmp_path / f"{alias}.sqlite3")
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)


def _drop_alias(alias: str) -> None:
    name = connections[alias].settings_dict["NAME"]
    connections[alias].close()
    del connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _database_text(archive: Path, tmp_path: Path) -> bytes:
    """The dump inside the archive as bytes one can search (PostgreSQL's custom format is compressed)."""
    with tarfile.open(archive) as tar:
        manifest = services.read_manifest(tar)
        member = tar.extractfile(manifest["database"]["file"])
        assert member is not None
        raw = member.read()
    if manifest["database"]["vendor"] != "postgresql":
        return raw
    dump = tmp_path / "database.pgdump"
    dump.write_bytes(raw)
    return subprocess.run(  # noqa: S603
        [shutil.which("pg_restore") or "pg_restore", "--file=-", str(dump)], capture_output=True, check=True
    ).stdout


@pytest.fixture
def aliases(tmp_path):
    made: list[str] = []

    def make(alias: str) -> str:
        _restored_alias(alias, tmp_path)
        made.append(alias)
        return alias

    yield make
    for alias in made:
        _drop_alias(alias)


def test_backup_restores_chains_audit_log_encrypted_values_and_media_with_rotated_keys(
    settings, tmp_path, aliases
):
    # given a village's data encrypted with the old key, then rotated to the new one
    settings.SECRET_KEY = SECRET
    settings.FIELD_HASH_KEY = HASH_KEY
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    _keys(settings, OLD_KEY)
    world = _village(settings, tmp_path / "media")
    before_rotation = dict(Resident.objects.values_list("pk", "id_number"))
    _keys(settings, NEW_KEY, OLD_KEY)
    call_command("rotate_field_keys", stdout=io.StringIO())
    _keys(settings, NEW_KEY)  # the old key retired: everything must open with the new one alone
    assert dict(Resident.objects.values_list("pk", "id_number")) == before_rotation

    # when the site is backed up
    archive = tmp_path / "backups" / "site.tar"
    out = io.StringIO()
    call_command("backup_create", str(archive), stdout=out)
    assert "Backup written" in out.getvalue()
    assert archive.stat().st_mode & 0o077 == 0  # its owner's only

    # then the archive holds the dump, the attachment and a manifest, and none of the keys
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = services.read_manifest(tar)
    attachment = Attachment.objects.get()
    assert set(names) == {manifest["database"]["file"], "media/" + attachment.file.name, "manifest.json"}
    assert manifest["audit_log"]["records"] == 3
    assert manifest["disclosure_chains"] == {"notices": 1, "versions": 2, "broken": []}
    assert manifest["encrypted_columns"]["people.Resident.id_number"] == 3
    assert manifest["tables"]["people_resident"] == 3
    assert manifest["versions"]["django"] and manifest["versions"]["database"].startswith(connection.vendor)
    searchable = archive.read_bytes() + _database_text(archive, tmp_path)
    for secret in (OLD_KEY, NEW_KEY, HASH_KEY, SECRET):
        assert secret.encode() not in searchable
    assert ID_NUMBERS[0].encode() not in searchable  # personal data stays encrypted in the dump

    # when it is restored into an empty database and empty media, on a site with the same keys
    restored = aliases("restored")
    settings.MEDIA_ROOT = tmp_path / "media-restored"
    out = io.StringIO()
    call_command("backup_restore", str(archive), database=restored, stdout=out)
    assert "Restored the backup" in out.getvalue()

    # then the audit log, the hash chains, the encrypted values and the media are what they were
    def audit(using):
        return list(AuditLog.objects.using(using).order_by("id").values())

    assert audit(restored) == audit("default")
    notice = Notice.objects.using(restored).get(pk=world["notice"].pk)
    report = disclosure_selectors.verify_notice(notice)
    assert report.ok and report.checked == 2
    assert dict(Resident.objects.using(restored).values_list("pk", "id_number")) == before_rotation
    staff = User.objects.using(restored).get(username="staff")
    assert staff.phone == PHONES[0] and staff.phone_hash == personal.phone_hash(PHONES[0])
    assert (tmp_path / "media-restored" / attachment.file.name).read_bytes() == b"%PDF-1.4 plan"

    # and the restored site rotates its keys again (the old one gone with the backup's copy of it)
    _keys(settings, THIRD_KEY, NEW_KEY)
    call_command("rotate_field_keys", database=restored, stdout=io.StringIO())
    _keys(settings, THIRD_KEY)
    assert dict(Resident.objects.using(restored).values_list("pk", "id_number")) == before_rotation
    assert User.objects.using(restored).get(username="staff").phone == PHONES[0]
    with pytest.raises(fieldcrypt.DecryptionError):
        list(Resident.objects.values_list("id_number", flat=True))  # the original still needs the new key
    # a changed notice version is still caught on the restored copy
    notice.versions.filter(number=2).update(reason="改过")
    assert not disclosure_selectors.verify_notice(Notice.objects.using(restored).get(pk=notice.pk)).ok

    # and restoring again into the now full database is refused, nothing written
    with pytest.raises(CommandError, match="has tables"):
        call_command("backup_restore", str(archive), database=restored, stdout=io.StringIO())


def test_restore_without_the_right_keys_names_what_does_not_decrypt(settings, tmp_path, aliases):
    settings.FIELD_HASH_KEY = HASH_KEY
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    _keys(settings, NEW_KEY)
    _village(settings, tmp_path / "media")
    archive = tmp_path / "site.tar"
    services.backup_create(path=archive)

    # a site configured with another encryption key and another hash key
    settings.FIELD_HASH_KEY = "another-hash-key"
    _keys(settings, OLD_KEY)
    settings.MEDIA_ROOT = tmp_path / "media-restored"
    cache.set("insights:hotspots:1:kept-before", ["computed from the data before"])
    report = services.backup_restore(path=archive, using=aliases("wrong_keys"))

    assert cache.get("insights:hotspots:1:kept-before") is None  # nothing kept answers for the restored rows
    assert not report.ok
    assert report.sample is not None
    assert "people.Resident.id_number" in report.sample.undecryptable
    assert any("do not decrypt" in problem for problem in report.problems)
    # the rest came back: the problems are the keys alone
    assert all("FIELD_" in problem for problem in report.problems)

    # with the right keys the same data checks clean
    settings.FIELD_HASH_KEY = HASH_KEY
    _keys(settings, NEW_KEY)
    sample = services.selectors.encrypted_sample("wrong_keys")
    assert sample.ok and sample.checked["people.Resident.id_number"] == 3


def test_a_damaged_archive_is_refused_before_anything_is_written(settings, tmp_path, aliases):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    _village(settings, tmp_path / "media")
    archive = tmp_path / "site.tar"
    services.backup_create(path=archive)
    with tarfile.open(archive) as tar:
        member = tar.getmember(services.read_manifest(tar)["database"]["file"])
    damaged = bytearray(archive.read_bytes())
    damaged[member.offset_data + member.size // 2] ^= 0xFF
    broken = tmp_path / "damaged.tar"
    broken.write_bytes(bytes(damaged))
    target = aliases("damaged")

    with pytest.raises(ArchiveInvalid, match="damaged"):
        services.backup_restore(path=broken, using=target)
    assert dumps.is_empty(connections[target])

    # and the sound archive is refused by a database that already has tables
    with pytest.raises(TargetNotEmpty):
        services.backup_restore(path=archive, using="default", check_only=True)
    # a file name that exists is never overwritten by a backup
    with pytest.raises(services.BackupError, match="exists"):
        services.backup_create(path=archive)
