"""The registry's errors: each with a stable code and a message that says what to do."""

from __future__ import annotations

from grassroots.errors import DomainError


class PeopleError(DomainError):
    code = "people_error"


class IdNumberError(PeopleError):
    """An ID number that GB 11643 does not allow; ``code`` says which rule failed."""

    code = "bad_id_number"


class DuplicateResident(PeopleError):
    code = "duplicate_resident"
    status = 409


class ImportRejected(PeopleError):
    """The whole file was refused (not a spreadsheet, wrong columns, too large, or rows with errors)."""

    code = "import_rejected"
