import pytest
from django.test import Client

from tests.api import world as world_module
from tests.once import built_once


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The API's world (tests/api/world.py), built once per module and rolled back after it."""
    with built_once(django_db_blocker, world_module.build, media=tmp_path_factory.mktemp("media")) as built:
        yield built


@pytest.fixture
def as_caller(world, db):
    """A test client that sends the bearer token of one of the world's callers."""

    def client(caller: str) -> Client:
        return Client(headers=world.headers(caller))

    return client
