from tests.cases.conftest import city  # noqa: F401 - the small city of the case tests
