"""Evidence: files and links attached to an entry, validated by extension and content, files stored
only once the row naming them is committed."""

import functools
import logging
import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    Evidence,
    ProgressEntry,
)
from ..permissions import Action
from .entries import _contribute, _lock, progress_entry_create, progress_entry_update

log = logging.getLogger(__name__)
# --- evidence ------------------------------------------------------------------------------------

# Extension → (content type, signatures the file must start with; empty: plain text)
EVIDENCE_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".csv": ("text/csv", ()),
    ".txt": ("text/plain", ()),
}


def evidence_max_bytes() -> int:
    return settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024


def validate_evidence_file(upload) -> str:
    """Check an uploaded file's type (by extension and content) and size; return its content type."""
    name = PurePath(upload.name).name
    extension = PurePath(name).suffix.lower()
    if extension not in EVIDENCE_TYPES:
        accepted = ", ".join(sorted({e.lstrip(".").upper() for e in EVIDENCE_TYPES} - {"JPEG"}))
        raise ValidationError(
            {
                "file": _("“%(name)s” is not an accepted file type. Accepted: %(accepted)s.")
                % {"name": name, "accepted": accepted}
            }
        )
    if upload.size > evidence_max_bytes():
        raise ValidationError(
            {
                "file": _("“%(name)s” is %(size).1f MB; the limit is %(limit)s MB.")
                % {"name": name, "size": upload.size / 1_048_576, "limit": settings.EVIDENCE_MAX_UPLOAD_MB}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("“%(name)s” is empty.") % {"name": name}})
    content_type, signatures = EVIDENCE_TYPES[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if signatures and not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            {
                "file": _("“%(name)s” does not look like a %(type)s file.")
                % {"name": name, "type": extension.lstrip(".").upper()}
            }
        )
    if not signatures:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # The head may cut a multi-byte character in two; only an error before the end is real.
            if exc.start < len(head) - 3:
                raise ValidationError(
                    {"file": _("“%(name)s” is not a UTF-8 text file.") % {"name": name}}
                ) from exc
    return content_type


class EvidenceNotStored(ValidationError):
    """An evidence file could not be written to storage after its row was committed: the row has been
    removed again (the history says why), and this tells the person who uploaded it."""

    def __init__(self, names):
        super().__init__({"file": [not_stored_message(name) for name in names]})


def not_stored_message(name: str) -> str:
    return _("“%(name)s” could not be stored, so it was not added. Please try again.") % {"name": name}


def _files_not_stored() -> list[str]:
    connection = transaction.get_connection()
    if not hasattr(connection, "evidence_files_not_stored"):
        connection.evidence_files_not_stored = []
    return connection.evidence_files_not_stored


def evidence_files_not_stored() -> list[str]:
    """The names of the evidence files that could not be stored when their transactions committed (their
    evidence was removed again), each returned once: a page that saved evidence inside its own
    transaction (the admin) asks after its commit, to tell the user."""
    names = list(_files_not_stored())
    _files_not_stored().clear()
    return names


def _reserve_file_name(evidence: Evidence, upload) -> None:
    """Give the evidence its file's final storage name, without writing the file (see _store_file).
    A random folder keeps the original file name (downloads use it) and makes the name unique before
    the file exists, so that the name saved in the row is the name the file is stored under."""
    field = Evidence._meta.get_field("file")
    name = PurePath(upload.name).name[-200:]
    evidence.file = field.generate_filename(evidence, f"{secrets.token_hex(8)}/{name}")


def _store_file(evidence: Evidence, upload, user) -> None:
    """Write an evidence file once the row naming it has been committed (transaction.on_commit), so that
    a database write that fails, or a transaction rolled back after it (a later error on the same admin
    page, say), leaves no file in storage that no row knows of. If the storage fails, the row is removed
    again, with the reason in the history."""
    field = Evidence._meta.get_field("file")
    try:
        upload.seek(0)
        stored = field.storage.save(evidence.file.name, upload, max_length=field.max_length)
    except Exception:
        log.exception(
            "evidence file %s could not be stored; evidence %s removed", evidence.file.name, evidence.pk
        )
        with transaction.atomic():
            evidence._change_reason = "Removed: the file could not be stored"
            evidence._history_user = user
            evidence.delete()
        _files_not_stored().append(PurePath(upload.name).name)
        return
    if stored != evidence.file.name:  # the storage chose another name after all
        Evidence.objects.filter(pk=evidence.pk).update(file=stored)
        evidence.file.name = stored


def evidence_add(
    *, user, entry, title: str = "", url: str = "", file=None, restricted: bool = False
) -> Evidence:
    """Attach a link or a file to a progress entry. A file is written to storage when the transaction
    commits, never before (_store_file); EvidenceNotStored says when that failed, if this call is the
    transaction (inside a longer one, ask evidence_files_not_stored() after it commits)."""
    outermost = not transaction.get_connection().in_atomic_block
    evidence = _evidence_add(user=user, entry=entry, title=title, url=url, file=file, restricted=restricted)
    if outermost and (names := evidence_files_not_stored()):
        raise EvidenceNotStored(names)
    return evidence


@transaction.atomic
def _evidence_add(*, user, entry, title, url, file, restricted) -> Evidence:
    current = _lock(entry)
    permissions.require(user, Action.EDIT, current)
    if bool(url) == bool(file):
        raise ValidationError(_("Give either a link or a file."))
    evidence = Evidence(entry=current, title=title.strip(), url=url, restricted=restricted, added_by=user)
    if file is not None:
        evidence.content_type = validate_evidence_file(file)
        evidence.size = file.size
        _reserve_file_name(evidence, file)
    evidence._change_reason = "Added"
    evidence._history_user = user
    evidence.full_clean()
    evidence.save()
    _contribute(current, user)
    if file is not None:
        # robust: one file that cannot be stored must not stop the others of the same commit
        transaction.on_commit(functools.partial(_store_file, evidence, file, user), robust=True)
    return evidence


def progress_entry_create_with_evidence(*, user, evidence=(), **fields) -> tuple[ProgressEntry, list[str]]:
    """progress_entry_create and evidence_add for each of `evidence` (dicts of evidence_add's arguments),
    in one transaction: a refused file or link saves neither the entry nor any evidence. Files are
    written after the commit (_store_file); returns the entry and the names of the files that could not
    be stored (their evidence was removed again)."""
    with transaction.atomic():
        entry = progress_entry_create(user=user, **fields)
        for item in evidence:
            evidence_add(user=user, entry=entry, **item)
    return entry, evidence_files_not_stored()


def progress_entry_update_with_evidence(
    *, user, entry, evidence=(), **changes
) -> tuple[ProgressEntry, list[str]]:
    """progress_entry_update and evidence_add for each of `evidence`, in one transaction, as
    progress_entry_create_with_evidence."""
    with transaction.atomic():
        entry = progress_entry_update(user=user, entry=entry, **changes)
        for item in evidence:
            evidence_add(user=user, entry=entry, **item)
    return entry, evidence_files_not_stored()


@transaction.atomic
def evidence_remove(*, user, evidence) -> None:
    """Detach evidence from its entry. The history keeps the record, and an uploaded file stays in
    storage for it; only the download view serves files, and only of evidence that still exists."""
    current = _lock(evidence.entry)
    permissions.require(user, Action.EDIT, current)
    evidence._change_reason = "Removed"
    evidence._history_user = user
    evidence.delete()
    _contribute(current, user)
