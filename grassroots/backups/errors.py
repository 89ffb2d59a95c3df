"""Why a backup or a restore stopped. Each failure has its own stable code; nothing is half-written."""

from __future__ import annotations

from grassroots.errors import DomainError


class BackupError(DomainError):
    code = "backup_error"


class ArchiveInvalid(BackupError):
    """The archive is not a Grassroots backup, or a member's checksum does not match its manifest."""

    code = "backup_archive_invalid"


class TargetNotEmpty(BackupError):
    """A restore goes into an empty database (and a media storage without other versions of its files)."""

    code = "backup_target_not_empty"


class Incompatible(BackupError):
    """The backup was made from another kind of database, or by a newer version of the code."""

    code = "backup_incompatible"


class ToolFailed(BackupError):
    """pg_dump or pg_restore exited with an error."""

    code = "backup_tool_failed"
