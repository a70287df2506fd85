"""Optimistic locking: a save based on an older version of a row is refused, never silently applied.

Rows that two people may edit carry a `version_id` (the mapper's version_id_col); forms send back the
version they showed, and the flush refuses a row that changed underneath (StaleDataError).
"""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.errors import ConflictError
from portal.extensions import db


def sent_version(value) -> int | None:
    """The version a form sent back; None (no check) when it sent none or something unreadable."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_version(obj, expected_version: int | None, message) -> None:
    if expected_version is not None and obj.version_id != expected_version:
        raise ConflictError(message, code="conflict")


def flush_or_conflict(message) -> None:
    """Flushes; a row changed underneath, or a unique row someone else inserted at the same moment (two first
    saves of a one-per-parent row), is a conflict: the caller rolls back and shows the page again."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as err:
        raise ConflictError(message, code="conflict") from err
