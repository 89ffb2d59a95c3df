import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from grassroots import fieldcrypt
from grassroots.people.models import Household, Resident

from .factories import household, resident, synthetic_id

pytestmark = pytest.mark.django_db


def _raw_id(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_resident WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_rotation_re_encrypts_everything_so_the_old_key_can_be_dropped(settings):
    # given data encrypted with an old key
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    fieldcrypt.reset_keys()
    number = synthetic_id()
    hh = household(phone="13600136000")
    person = resident(hh, id_number=number, phone="13500135000")
    before = _raw_id(person.pk)
    # when the new key is prepended and the command runs
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_field_keys", "--batch-size", "1", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then the old key can go and every value still reads
    settings.FIELD_ENCRYPTION_KEYS = [new]
    fieldcrypt.reset_keys()
    assert _raw_id(person.pk) != before
    person = Resident.objects.get(pk=person.pk)
    assert (person.id_number, person.phone) == (number, "13500135000")
    assert Household.objects.get(pk=hh.pk).phone == "13600136000"
    # and the keyed hash did not change, so lookups still work
    assert person.id_hash == Resident.objects.get(pk=person.pk).id_hash


def test_rotation_stops_with_a_clear_message_when_a_key_is_missing(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    fieldcrypt.reset_keys()
    resident(id_number=synthetic_id())
    settings.FIELD_ENCRYPTION_KEYS = [new]
    with pytest.raises(CommandError, match="must stay in FIELD_ENCRYPTION_KEYS"):
        call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_batch_encryption_gives_fernet_tokens_of_the_newest_key(settings):
    # given two keys, the new one first
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    fieldcrypt.reset_keys()
    values = ["150826199001011234", "13500135000", "", "x" * 16, "张三" * 9, "1234567"]
    # when a batch is encrypted at once
    tokens = fieldcrypt.encrypt_many(values)
    # then each token is a Fernet token of the newest key alone, with its own IV
    assert [Fernet(new.encode()).decrypt(t.encode()).decode() for t in tokens] == values
    assert [fieldcrypt.decrypt(t) for t in tokens] == values
    assert len({t[:60] for t in tokens}) == len(values)
    assert [len(t) for t in tokens] == [len(fieldcrypt.encrypt(v)) for v in values]
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(tokens[0].encode())
    # and rotating away from that key keeps them readable
    settings.FIELD_ENCRYPTION_KEYS = [old, new]
    fieldcrypt.reset_keys()
    rotated = [fieldcrypt.rotate(t) for t in tokens]
    assert [Fernet(old.encode()).decrypt(t.encode()).decode() for t in rotated] == values
