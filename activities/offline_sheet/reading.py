"""Reading an upload: the data sheet's rows out of an XLSX, or SheetRefused for a file that cannot be
read as a whole."""

import io
import zipfile

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .columns import COLUMNS, max_bytes, max_rows


class SheetRefused(Exception):
    """The file as a whole cannot be read (not XLSX, too big, too many rows, wrong columns)."""


def _damaged() -> SheetRefused:
    return SheetRefused(_("This is not an XLSX file. Upload the spreadsheet you downloaded, saved as .xlsx."))


def _data_sheet(book):
    """The sheet whose first cell is the identity column's header (in any language): a file saved while
    the instructions were open has those as its active sheet."""
    identity = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            identity.add(str(COLUMNS[0][1]))
    for sheet in book.worksheets:
        first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=1, values_only=True), (None,))
        if first and _text(first[0]) in identity:
            return sheet
    return book.active


def read_upload(upload) -> list[tuple[int, list]]:
    """The data sheet's rows (sheet row number, cell values) after its header row, whose values come
    first as row 1. Raises SheetRefused for a file that is not a readable XLSX, too big, or with too
    many rows."""
    from openpyxl import load_workbook

    if upload.size > max_bytes():
        raise SheetRefused(
            _("The file is too big: at most %(mb)s MB.") % {"mb": f"{max_bytes() / 1024 / 1024:.1f}"}
        )
    content = upload.read()
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _damaged()
    try:
        unpacked = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(content)).infolist())
    except zipfile.BadZipFile:
        raise _damaged() from None
    # An XLSX is a zip: a small file can unpack to gigabytes. A filled sheet unpacks to some 10 times
    # its size; refuse what would unpack to more than 50 times the largest upload.
    if unpacked > 50 * max_bytes():
        raise SheetRefused(
            _("The file is too big: at most %(mb)s MB.") % {"mb": f"{max_bytes() / 1024 / 1024:.1f}"}
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        raise _damaged() from None
    try:
        sheet = _data_sheet(book)
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > max_rows() + 1:
                raise SheetRefused(
                    _("The sheet has more than %(rows)s rows; upload at most %(rows)s activities at once.")
                    % {"rows": max_rows()}
                )
            rows.append((number, list(values)))
        return rows
    except SheetRefused:
        raise
    except Exception:  # a damaged sheet inside a readable package
        raise _damaged() from None
    finally:
        book.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
