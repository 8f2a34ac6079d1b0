"""A referral file as rows of text: CSV in any common dialect and encoding, or .xlsx.

The importer reads every source through :func:`read_source`; what it found (encoding,
delimiter, sheet) is kept on the result so the wizard can show it and a user can
override it. Nothing here knows mdtboard's columns: that is the mapping's job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from mdtboard.services.errors import ServiceError

#: delimiters a spreadsheet export uses (comma, semicolon in much of Europe, tab, pipe)
DELIMITERS = ",;\t|"
#: encodings offered when detection needs overriding, most common first
ENCODINGS = ("utf-8", "utf-16", "windows-1252", "latin-1")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_XLSX_MAGIC = b"PK\x03\x04"


class SourceError(ServiceError):
    """The file cannot be read as a table at all (one line naming the file and why)."""


@dataclass(frozen=True)
class Source:
    """One file's table: its header and a way to walk its data rows (each a list of
    text cells). ``problems`` are rows the reader could not read (row number, text)."""

    name: str
    digest: str
    kind: str  # "csv" or "xlsx"
    header: tuple[str, ...]
    encoding: str = ""  # CSV only: the codec the text was decoded with
    delimiter: str = ""  # CSV only
    sheet: str = ""  # xlsx only: the sheet read
    sheets: tuple[str, ...] = ()  # xlsx only: every sheet, in workbook order
    expected_rows: int = 0  # an estimate, for progress
    _text: str = field(default="", repr=False)
    _rows: tuple[tuple[str, ...], ...] = field(default=(), repr=False)

    def records(self, problems: list[tuple[int, str]] | None = None) -> Iterator[list[str]]:
        """The data rows, first to last. A CSV row the reader cannot read (a stray
        quote, a huge field) ends the walk and is reported in ``problems``."""
        if self.kind == "xlsx":
            for cells in self._rows:
                yield list(cells)
            return
        reader = csv.reader(
            io.StringIO(self._text, newline=None), delimiter=self.delimiter, strict=True
        )
        number = 0
        try:
            next(reader)  # the header
            for number, row in enumerate(reader, start=1):  # noqa: B007
                yield row
        except StopIteration:
            return
        except csv.Error as exc:
            if problems is not None:
                problems.append((number + 1, f"not readable as CSV ({exc})"))

    def describe(self) -> str:
        """One line for the wizard and the CLI: how the file was read."""
        if self.kind == "xlsx":
            return f"Excel workbook, sheet “{self.sheet}”"
        shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}
        return f"CSV, {self.encoding}, {shown.get(self.delimiter, repr(self.delimiter))}-separated"


def read_source(
    data: bytes,
    name: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Source:
    """Read ``data`` (the file's bytes) as a table. Encoding, delimiter and sheet are
    detected unless given."""
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(_XLSX_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, name, digest, sheet)
    text, used = decode(data, name, encoding)
    if delimiter is None:
        delimiter = sniff_delimiter(text)
    elif len(delimiter) != 1:
        raise SourceError(f"{name}: the delimiter must be one character, not {delimiter!r}")
    try:
        header_row = next(csv.reader(io.StringIO(text, newline=None), delimiter=delimiter))
    except StopIteration:
        header_row = []
    except csv.Error as exc:
        raise SourceError(f"{name}: the header row is not readable as CSV ({exc})") from exc
    return Source(
        name,
        digest,
        "csv",
        tuple(h.strip() for h in header_row),
        encoding=used,
        delimiter=delimiter,
        expected_rows=max(1, text.count("\n") - 1),
        _text=text,
    )


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the codec used: the one given, a byte-order mark's, UTF-8
    when it decodes, else charset-normalizer's best guess."""
    if encoding:
        try:
            codec = "utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding
            return data.decode(codec), encoding
        except LookupError:
            raise SourceError(f"{name}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise SourceError(f"{name} is not {encoding} text (byte {exc.start})") from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), "utf-16" if codec == "utf-16" else "utf-8"
            except UnicodeDecodeError as exc:
                raise SourceError(f"{name}: broken {codec} text (byte {exc.start})") from None
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guessed = _guess_encoding(data)
    if guessed is None:
        raise SourceError(
            f"{name}: the text encoding cannot be recognised (is it a spreadsheet saved as "
            "CSV? choose the encoding in the import wizard)"
        )
    return guessed


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte-order mark, recognised by its zero bytes (text files
    otherwise hold none; UTF-8 would decode them as NUL characters)."""
    sample = data[:4000]
    if len(sample) < 4 or sample.count(0) * 3 < len(sample):
        return None
    codec = "utf-16-le" if sample[1] == 0 else "utf-16-be"
    try:
        return data.decode(codec), "utf-16"
    except UnicodeDecodeError:
        return None


def _guess_encoding(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best guess, with the names people know."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "utf_16", "cp850", "iso8859_15"])
    match = best.best()
    if match is None:
        return None
    codec = match.encoding
    known = {"cp1252": "windows-1252", "latin_1": "latin-1", "iso8859_15": "latin-9"}
    try:
        return data.decode(codec), known.get(codec, codec.replace("_", "-"))
    except (UnicodeDecodeError, LookupError):
        return None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the same number of columns, the
    most of them (csv.Sniffer alone is fooled by a comma inside semicolon-separated
    text); a comma when none splits the header."""
    sample = text[:16384]
    best, best_score = ",", (False, 1)
    for d in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample, newline=None), delimiter=d))
        except csv.Error:
            continue
        if len(text) > len(sample):
            rows = rows[:-1]  # the sample may end inside a row
        rows = [r for r in rows[:50] if r]
        if not rows or len(rows[0]) < 2:
            continue
        score = (all(len(r) == len(rows[0]) for r in rows), len(rows[0]))
        if score > best_score:
            best, best_score = d, score
    return best


def _cell(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold (dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes, name: str, digest: str, sheet: str | None) -> Source:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(f"{name} is not a readable .xlsx workbook ({exc})") from None
    try:
        names = tuple(book.sheetnames)
        chosen = sheet if sheet is not None else names[0]
        if chosen not in names:
            raise SourceError(f"{name} has no sheet named {chosen!r} (it has: {', '.join(names)})")
        rows = [tuple(_cell(v) for v in r) for r in book[chosen].iter_rows(values_only=True)]
    finally:
        book.close()
    while rows and not any(rows[-1]):  # trailing empty rows a spreadsheet keeps
        rows.pop()
    header = _trim(rows[0]) if rows else ()
    body = tuple(_fit(r, len(header)) for r in rows[1:])
    return Source(
        name,
        digest,
        "xlsx",
        header,
        sheet=chosen,
        sheets=names,
        expected_rows=len(body),
        _rows=body,
    )


def _trim(header: Sequence[str]) -> tuple[str, ...]:
    """The header without the empty cells a sheet may carry to its right."""
    cells = list(header)
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


def _fit(row: Sequence[str], width: int) -> tuple[str, ...]:
    """A sheet row cut or padded to the header's width (empty cells to the right of the
    table are not values; a value there is kept, so it is reported)."""
    cells = list(row)
    while len(cells) > width and not cells[-1]:
        cells.pop()
    return tuple(cells) + ("",) * (width - len(cells))
