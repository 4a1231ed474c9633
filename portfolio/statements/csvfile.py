"""The statement as CSV: one table with one header, so that a spreadsheet or a script reads it alike.

Columns: section, key, label, date, reference, detail, due_date, value. `section` and `key` are stable English
codes (the metric names of the schema); `label` and `detail` are in the reader's language. Amounts and ratios
are plain decimal strings ("1500000.00", "0.5"; empty when undefined), dates ISO. UTF-8 with a byte order
mark: Excel otherwise reads Cyrillic as Latin-1.
"""

import csv
import io

from django.utils.translation import gettext as _

from portfolio.metrics.common import plain
from portfolio.metrics.schema import MONEY

from .queries import NO_ACCOUNT, NO_ACTIVITY, Statement

HEADER = ("section", "key", "label", "date", "reference", "detail", "due_date", "value")
# A text cell starting with one of these is a formula to a spreadsheet (CSV injection): such text is
# quoted with a leading apostrophe. Amounts are never text, so "-5.00" stays a number.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _value(metric, value) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if metric.kind == MONEY else str(plain(value))


def statement_rows(statement: Statement) -> list[tuple]:
    as_of = statement.as_of.isoformat()
    rows = [
        ("statement", "fund", _("Fund"), "", "", "", "", _text(statement.fund.name)),
        ("statement", "investor", _("Investor"), "", "", "", "", _text(statement.investor.name)),
        ("statement", "requested", _("Date asked for"), statement.requested.isoformat(), "", "", "", ""),
        ("statement", "as_of", _("Figures as of"), as_of, "", "", "", ""),
        ("statement", "currency", _("Currency"), "", "", "", "", statement.fund.base_currency),
    ]
    if statement.account is None:
        rows.append(("note", "no_account", str(NO_ACCOUNT), "", "", "", "", ""))
    for metric, value in statement.figures:
        rows.append(("figure", metric.name, str(metric.label), as_of, "", "", "", _value(metric, value)))
    if not statement.has_activity:
        rows.append(("note", "no_activity", str(NO_ACTIVITY), as_of, "", "", "", ""))
    for line in statement.lines:
        rows.append(
            (
                line.kind,
                "",
                line.label,
                line.date.isoformat(),
                _text(line.reference),
                _text(line.detail),
                line.due_date.isoformat() if line.due_date else "",
                f"{line.amount:.2f}",
            )
        )
    return rows


def statement_csv(statement: Statement) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(statement_rows(statement))
    return buffer.getvalue().encode("utf-8-sig")
