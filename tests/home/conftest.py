from tests.cases.conftest import city  # noqa: F401  (the cases world: a grid, its worker, its desks)
