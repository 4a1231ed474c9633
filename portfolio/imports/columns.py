"""What each kind of import file holds: its columns, which are required, and how each cell is read.

A cell reader returns the value the write service takes, or raises ValidationError with a message for the
person who made the file. Only the form of a value is checked here (a date, an amount, a known stage); every
rule about the value is the write service's, so the preview shows the service's own words."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portfolio.models import PIPELINE, Project
from portfolio.money import parse_money

from .reading import UNREADABLE, RowError, Table


def _text(value) -> str:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def read_text(value) -> str:
    return _text(value)


def read_money(value) -> Decimal:
    if isinstance(value, bool):  # a spreadsheet's TRUE is an int to Python, not an amount
        value = _text(value)
    elif isinstance(value, float):
        # A spreadsheet stores numbers as binary floats; its shortest repr is the figure that was typed.
        value = repr(value)
    elif not isinstance(value, int | Decimal):
        value = _text(value)
    return parse_money(value)


def read_share(value) -> str:
    text = repr(value) if isinstance(value, float) else _text(value)
    try:
        Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Enter the share as a number, for example 0.25.")) from None
    return text


def read_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time():
            raise ValidationError(_("Enter a date without a time, as YYYY-MM-DD."))
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None


def read_moment(value) -> datetime.datetime:
    """A date, or a date and time (YYYY-MM-DD HH:MM), in the site's time zone."""
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    try:
        moment = datetime.datetime.fromisoformat(_text(value))
    except ValueError:
        raise ValidationError(
            _("Enter a date as YYYY-MM-DD, or a date and time as YYYY-MM-DD HH:MM.")
        ) from None
    if moment.tzinfo is not None:
        raise ValidationError(_("Give the time in the site's time zone, without an offset."))
    return moment


def read_number(value) -> int:
    text = _text(value)
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValidationError(_("Enter a whole number from 1."))
    return int(text)


def choice(values) -> callable:
    values = [str(value) for value in values]

    def read(value) -> str:
        text = _text(value).lower()
        if text not in values:
            raise ValidationError(_("Choose one of: %(values)s.") % {"values": ", ".join(values)})
        return text

    return read


def read_list(value) -> list[str]:
    """Several values in one cell, separated by semicolons (a checklist of conditions)."""
    return [part.strip() for part in _text(value).split(";")] if _text(value) else []


def read_dates(value) -> list[datetime.date | None]:
    dates = []
    for part in read_list(value):
        dates.append(read_date(part) if part else None)
    return dates


@dataclass(frozen=True)
class Column:
    name: str
    read: callable
    required: bool = False


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


PROJECTS = Kind(
    "projects",
    gettext_lazy("Projects"),
    (
        Column("title", read_text, required=True),
        Column("slug", read_text, required=True),
        Column("total_budget", read_money, required=True),
        Column("commitment", read_money, required=True),
        Column("approval_date", read_date, required=True),
        Column("stage", choice(PIPELINE)),
        Column("original_title", read_text),
        Column("format", choice(Project.Format.values)),
        Column("genre", read_text),
        Column("language", choice(Project.Language.values)),
        Column("director", read_text),
        Column("producer", read_text),
        Column("production_company", read_text),
        Column("instrument", choice(Project.Instrument.values)),
        Column("expected_release", read_date),
    ),
)

TRANCHES = Kind(
    "tranches",
    gettext_lazy("Tranche schedules"),
    (
        Column("project", read_text, required=True),
        Column("number", read_number, required=True),
        Column("amount", read_money),
        Column("share", read_share),
        Column("planned_date", read_date, required=True),
        Column("trigger_stage", choice(PIPELINE)),
        Column("trigger_date", read_date),
        Column("conditions", read_list),
        Column("conditions_met_on", read_dates),
    ),
)

DISBURSEMENTS = Kind(
    "disbursements",
    gettext_lazy("Disbursements"),
    (
        Column("project", read_text, required=True),
        Column("tranche", read_number, required=True),
        Column("amount", read_money, required=True),
        Column("requested_by", read_text, required=True),
        Column("requested_at", read_moment, required=True),
        Column("note", read_text),
        Column("approved_by", read_text),
        Column("approved_at", read_moment),
        Column("rejected_by", read_text),
        Column("rejected_at", read_moment),
        Column("rejection_reason", read_text),
        Column("paid_date", read_date),
        Column("bank_reference", read_text),
    ),
)

KINDS = {kind.name: kind for kind in (PROJECTS, TRANCHES, DISBURSEMENTS)}


def check_header(kind: Kind, table: Table) -> list[RowError]:
    """The header names only this kind's columns, each once, and every required one."""
    errors = []
    seen = set()
    for name in table.header:
        if name and name not in kind.names:
            errors.append(
                RowError(
                    1,
                    name,
                    _("Unknown column. The columns of this file are: %(columns)s.")
                    % {"columns": ", ".join(kind.names)},
                )
            )
        elif name in seen:
            errors.append(RowError(1, name, _("This column appears twice.")))
        seen.add(name)
    for column in kind.columns:
        if column.required and column.name not in seen:
            errors.append(RowError(1, column.name, _("This required column is missing.")))
    return errors


def read_rows(kind: Kind, table: Table) -> tuple[list[tuple[int, dict, bool]], list[RowError]]:
    """Each data row's values read by its columns (blank cells left out) with whether any cell failed, and
    every cell that cannot be read."""
    rows, errors = [], []
    for number, cells in table.rows:
        values, bad = {}, False
        for column in kind.columns:
            cell = cells.get(column.name)
            if cell is UNREADABLE:
                bad = True
                continue
            if cell is None or (isinstance(cell, str) and not cell):
                if column.required and column.name in table.header:
                    errors.append(RowError(number, column.name, _("This field is required.")))
                    bad = True
                continue
            try:
                values[column.name] = column.read(cell)
            except ValidationError as error:
                errors.extend(RowError(number, column.name, message) for message in error.messages)
                bad = True
            except (TypeError, ValueError, ArithmeticError):
                # A cell type no reader expects (a spreadsheet can hold anything): refused, never a crash.
                errors.append(RowError(number, column.name, _("This value cannot be read here.")))
                bad = True
        rows.append((number, values, bad))
    return rows, errors
