"""Imports of history through the write services: a dry run that names every bad row and column, then an
all-or-nothing commit that queues one recompute of the fund."""

import datetime
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from portfolio.imports import reading
from portfolio.imports.importing import import_file
from portfolio.models import Disbursement, Project, StageChange, Tranche, TrancheCondition
from portfolio.notifications import DECIDED_TASK, REQUESTED_TASK
from portfolio.services.recompute import _PendingRecompute, forget_pending_marks
from tests.builders import D, M, eligible_tranche, project, team

pytestmark = pytest.mark.django_db


@pytest.fixture
def t():
    return team()


def csv(*lines: str, encoding="utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(t, kind, content, *, commit=False, user=None):
    return import_file(user=user or t.manager, fund=t.fund, kind=kind, content=content, commit=commit)


def errors_of(report):
    return [(error.row, error.column, error.message) for error in report.errors]


PROJECT_HEADER = "title,slug,total_budget,commitment,approval_date,stage,genre"
GOOD_PROJECT = "Kókpar,kokpar,900000000.00,300000000.00,2025-02-01,production,Drama"


# --- projects ----------------------------------------------------------------------------------------------


def test_a_dry_run_names_every_bad_row_and_column_and_saves_nothing(t):
    report = run(
        t,
        "projects",
        csv(
            PROJECT_HEADER,
            GOOD_PROJECT,
            "Steppe,steppe,900000000.00,1e6,2025-02-01,,",
            "Wolves,wolves,900000000.00,300000000.00,01.02.2025,shooting,",
            "Too big,too-big,900000000.00,850000000.00,2025-02-01,,",
            ",no-title,900000000.00,300000000.00,2025-02-01,,",
        ),
    )
    assert report.rows == 5
    assert not report.committed
    assert errors_of(report) == [
        (3, "commitment", "Write the amount out in full digits, without an exponent such as 1e3."),
        (4, "approval_date", "Enter a date as YYYY-MM-DD."),
        (
            4,
            "stage",
            "Choose one of: development, pre_production, production, post_production, delivery, released.",
        ),
        (
            5,
            "commitment",
            "The commitment exceeds the fund's concentration cap: 15.00% of the target, ₸825,000,000.00.",
        ),
        (6, "title", "This field is required."),
    ]
    assert not Project.objects.filter(fund=t.fund).exists()


def test_a_clean_file_commits_every_project_with_its_dated_history(t):
    content = csv(PROJECT_HEADER, GOOD_PROJECT, "Steppe,steppe,500000000,200000000.5,2025-03-01,,")
    assert errors_of(run(t, "projects", content)) == []
    assert not Project.objects.exists()  # the preview saved nothing
    report = run(t, "projects", content, commit=True)
    assert report.committed and report.rows == 2
    kokpar, steppe = Project.objects.filter(fund=t.fund).order_by("slug")
    assert (kokpar.title, kokpar.commitment, kokpar.stage) == ("Kókpar", M("300000000.00"), "production")
    assert steppe.commitment == M("200000000.50")
    assert list(StageChange.objects.filter(project=kokpar).values_list("stage", "date")) == [
        ("production", D(2025, 2, 1))
    ]
    assert kokpar.history.first().history_user == t.manager


def test_the_same_file_as_xlsx_with_typed_cells_is_read_alike(t):
    header = PROJECT_HEADER.split(",")
    content = xlsx(
        header,
        ["Kókpar", "kokpar", 900000000, 300000000.5, datetime.datetime(2025, 2, 1), "production", "Drama"],
        ["Steppe", "steppe", 900000000, "12,5", "2025-02-01", None, None],
        [None] * len(header),  # blank rows are skipped
    )
    report = run(t, "projects", content)
    assert errors_of(report) == [
        (
            3,
            "commitment",
            "Write the amount without underscores, spaces or thousands separators, with a point before the "
            "cents: 1000000.50.",
        )
    ]
    clean = xlsx(header, ["Kókpar", "kokpar", 9e8, 300000000.5, D(2025, 2, 1)])
    assert run(t, "projects", clean).errors == []
    assert run(t, "projects", clean, commit=True).committed
    assert Project.objects.get(fund=t.fund).commitment == M("300000000.50")


def test_one_bad_row_keeps_the_whole_commit_out(t):
    report = run(
        t, "projects", csv(PROJECT_HEADER, GOOD_PROJECT, "Steppe,steppe,x,1,2025-02-01,,"), commit=True
    )
    assert not report.committed
    assert [(error.row, error.column) for error in report.errors] == [(3, "total_budget")]
    assert not Project.objects.exists()


JUNK = [
    " ",
    "-1",
    "0",
    "1e400",
    "NaN",
    "9999-99-99",
    "０",
    "=1+1",
    True,
    1.5,
    -3,
    datetime.time(9, 30),
    "x" * 400,
]


@pytest.mark.parametrize("kind", ["projects", "tranches", "disbursements"])
def test_junk_in_any_cell_of_any_kind_is_refused_in_words_never_by_a_crash(t, kind):
    """Each junk value in turn in every column of an otherwise filled row: a report, never an exception."""
    from portfolio.imports.columns import KINDS

    names = KINDS[kind].names
    p = project(t)
    base = {"project": p.slug, "tranche": 1, "number": 1, "requested_by": t.manager.username}
    rows = [names]
    for junk in JUNK:
        for position in range(len(names)):
            row = [base.get(name, "2025-03-10") for name in names]
            row[position] = junk
            rows.append(row)
    report = run(t, kind, xlsx(*rows[: reading.MAX_ROWS + 1]))
    assert report.errors and not report.committed
    assert all(error.row >= 2 and error.message for error in report.errors)


# --- the file itself ---------------------------------------------------------------------------------------


def test_a_wrong_header_names_each_column_and_imports_nothing(t):
    content = csv("title,slug,budget,approval_date,stage,stage", "Kókpar,kokpar,900,2025-02-01,x,y")
    report = run(t, "projects", content, commit=True)
    assert not report.committed
    columns = "title, slug, total_budget, commitment, approval_date, stage, original_title, format, genre, "
    columns += "language, director, producer, production_company, instrument, expected_release"
    assert errors_of(report) == [
        (1, "total_budget", "This required column is missing."),
        (1, "commitment", "This required column is missing."),
        (1, "stage", "This column appears twice."),
        (1, "budget", f"Unknown column. The columns of this file are: {columns}."),
    ]
    assert not Project.objects.exists()


def test_a_file_not_in_utf8_names_each_bad_row_and_column(t):
    good = GOOD_PROJECT.replace("Kókpar", "Kokpar")
    content = csv(PROJECT_HEADER, good, "Жусан,zhusan,9,3,2025-02-01,,Драма", encoding="cp1251")
    report = run(t, "projects", content, commit=True)
    assert not report.committed
    message = "This cell is not UTF-8 text; save the file as UTF-8."
    assert errors_of(report) == [(3, "title", message), (3, "genre", message)]
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", [(0, "", "The file is empty.")]),
        (
            PROJECT_HEADER.encode("utf-16"),
            [(1, "1", "The header is not UTF-8 text; save the file as UTF-8.")],
        ),
        (csv(PROJECT_HEADER), [(0, "", "The file has a header but no rows.")]),
        (b"PK\x03\x04 not really a workbook", [(0, "", "The file is not a readable CSV or XLSX file.")]),
        (
            csv(PROJECT_HEADER, GOOD_PROJECT + ',"x'),
            [(2, "", "This row cannot be read as CSV (a stray quote?).")],
        ),
        (csv(PROJECT_HEADER, GOOD_PROJECT + ",extra"), [(2, "", "This row has more cells than the header.")]),
    ],
)
def test_files_that_cannot_be_read_import_nothing(t, content, expected):
    report = run(t, "projects", content, commit=True)
    assert not report.committed
    assert errors_of(report)[: len(expected)] == expected
    assert not Project.objects.exists()


def test_a_file_past_the_row_limit_is_refused(t, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    lines = [f"Film {n},film-{n},900000000.00,10000000.00,2025-02-01,," for n in range(4)]
    report = run(t, "projects", csv(PROJECT_HEADER, *lines), commit=True)
    assert errors_of(report) == [(5, "", "A file holds at most 3 rows.")]
    assert not Project.objects.exists()


def test_a_workbook_that_unpacks_past_the_limit_is_refused_unread(t):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (reading.MAX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < reading.MAX_BYTES
    report = run(t, "projects", buffer.getvalue(), commit=True)
    assert errors_of(report) == [(0, "", "The workbook is larger than 30 MB once unpacked.")]


def test_a_semicolon_separated_file_with_a_byte_order_mark_is_read(t):
    content = b"\xef\xbb\xbf" + csv(PROJECT_HEADER.replace(",", ";"), GOOD_PROJECT.replace(",", ";"))
    assert run(t, "projects", content, commit=True).committed
    assert Project.objects.get(fund=t.fund).slug == "kokpar"


# --- tranche schedules -------------------------------------------------------------------------------------

TRANCHE_HEADER = (
    "project,number,amount,share,planned_date,trigger_stage,trigger_date,conditions,conditions_met_on"
)


def test_a_schedule_with_conditions_met_in_the_past_is_imported_through_the_services(t):
    p = project(t)
    content = csv(
        TRANCHE_HEADER,
        f"{p.slug},1,,0.4,2025-04-01,,2025-03-03,Chain of title; Completion bond,2025-03-05;2025-03-20",
        f"{p.slug},2,,0.6,2025-09-01,production,,Shooting script,",
        "nobody,1,100,,2025-04-01,production,,,",
    )
    report = run(t, "tranches", content)
    assert errors_of(report) == [(4, "project", "No project of this fund has this slug.")]
    report = run(t, "tranches", csv(*content.decode().splitlines()[:3]), commit=True)
    assert report.committed
    first, second = Tranche.objects.filter(project=p).order_by("number")
    assert (first.amount, second.amount) == (M("120000000.00"), M("180000000.00"))
    assert first.status == Tranche.Status.ELIGIBLE  # its date came and both conditions were met in March
    assert list(TrancheCondition.objects.filter(tranche=first).values_list("text", "met_on")) == [
        ("Chain of title", D(2025, 3, 5)),
        ("Completion bond", D(2025, 3, 20)),
    ]
    assert second.status == Tranche.Status.PLANNED


def test_a_schedule_that_misses_the_commitment_is_refused_on_its_first_row(t):
    p = project(t)
    report = run(
        t,
        "tranches",
        csv(TRANCHE_HEADER, f"{p.slug},1,100000000,,2025-04-01,production,,,", f"{p.slug},2,1,,x,,,,"),
    )
    assert errors_of(report) == [(3, "planned_date", "Enter a date as YYYY-MM-DD.")]
    report = run(t, "tranches", csv(TRANCHE_HEADER, f"{p.slug},1,100000000,,2025-04-01,production,,,"))
    assert [(error.row, error.column) for error in report.errors] == [(2, "")]
    assert "must add up to the commitment of ₸300,000,000.00 exactly" in report.errors[0].message


# --- disbursements -----------------------------------------------------------------------------------------

DISBURSEMENT_HEADER = (
    "project,tranche,amount,requested_by,requested_at,approved_by,approved_at,paid_date,bank_reference,"
    "rejected_by,rejected_at,rejection_reason"
)


@pytest.fixture
def history(t):
    """A project with two tranches of 150 M: the first due since 2025-03-03, the second at production."""
    p = project(t)
    eligible_tranche(t, p, shares=(M("0.5"), M("0.5")))
    m, a = t.manager.username, t.approver.username
    good = [
        f"{p.slug},1,60000000,{m},2025-03-10 09:30,{a},2025-03-11 10:00,2025-03-12,KZ-1,,,",
        # paid before the row above: the marks of the two payments would differ without the one mark
        f"{p.slug},1,40000000,{a},2025-03-09,{m},2025-03-10,2025-03-11,KZ-0,,,",
        f"{p.slug},1,10000000,{m},2025-03-08,,,,,{a},2025-03-09,Budget not approved",
        f"{p.slug},1,5000000,{m},2025-03-04 12:00,,,,,,,",
    ]
    bad = [
        f"{p.slug},2,1000,{m},2025-03-10,,,,,,,",
        f"nobody,1,1000,{m},2025-03-10,,,,,,,",
        f"{p.slug},1,1000,ghost,2025-03-10,,,,,,,",
        f"{p.slug},1,1000,{m},2025-03-10,{m},2025-03-11,,,,,",
        f"{p.slug},1,1000,{m},2025-03-10,,,2025-03-12,KZ-2,,,",
    ]
    return p, good, bad


def test_a_disbursement_history_dry_run_lists_every_bad_row(t, history):
    p, good, bad = history
    report = run(t, "disbursements", csv(DISBURSEMENT_HEADER, *good, *bad))
    assert errors_of(report) == [
        (
            6,
            "tranche",
            "This tranche is not eligible yet: its trigger or its conditions are not met.",
        ),
        (7, "project", "No project of this fund has this slug."),
        (8, "requested_by", "No user has this username."),
        (9, "approved_by", "A disbursement must be approved by someone other than its requester."),
        (10, "approved_by", "A paid disbursement needs its approval."),
    ]
    assert not Disbursement.objects.filter(project=p).exists()


def test_a_disbursement_history_commits_with_its_own_times_one_recompute_and_no_mail(
    t, history, django_capture_on_commit_callbacks
):
    p, good, _bad = history
    forget_pending_marks()  # as after the commit of the set-up: the import's marks start afresh
    with django_capture_on_commit_callbacks() as callbacks:
        report = run(t, "disbursements", csv(DISBURSEMENT_HEADER, *good), commit=True)
    assert report.committed, report.errors
    rows = {row.amount: row for row in Disbursement.objects.filter(project=p)}
    assert {amount: row.status for amount, row in rows.items()} == {
        M("60000000.00"): "paid",
        M("40000000.00"): "paid",
        M("10000000.00"): "rejected",
        M("5000000.00"): "requested",
    }
    paid = rows[M("60000000.00")]
    assert (paid.requested_by, paid.approved_by, paid.paid_date) == (t.manager, t.approver, D(2025, 3, 12))
    assert paid.requested_at.isoformat() == "2025-03-10T04:30:00+00:00"  # 09:30 in Almaty
    assert rows[M("10000000.00")].rejection_reason == "Budget not approved"
    # One recompute of the fund for the whole file, and nobody is mailed about history.
    assert [callback.fund_id for callback in callbacks if isinstance(callback, _PendingRecompute)] == [
        t.fund.pk
    ]
    tasks = [getattr(callback, "args", ()) for callback in callbacks]
    assert not [args for args in tasks if args and args[0] in (REQUESTED_TASK, DECIDED_TASK)]


def test_a_second_commit_of_the_same_upload_imports_nothing(t, history):
    _p, good, _bad = history
    content = csv(DISBURSEMENT_HEADER, good[3])
    first = import_file(
        user=t.manager, fund=t.fund, kind="disbursements", content=content, commit=True, token="x"
    )
    again = import_file(
        user=t.manager, fund=t.fund, kind="disbursements", content=content, commit=True, token="x"
    )
    assert first.committed and not again.committed
    assert errors_of(again) == [(0, "", "This file was imported already.")]
    assert Disbursement.objects.count() == 1


# --- cost --------------------------------------------------------------------------------------------------


def queries_of(t, kind, content) -> int:
    with CaptureQueriesContext(connection) as queries:
        run(t, kind, content)
    return len(queries)


def test_each_row_costs_its_services_queries_and_the_import_a_fixed_few(t, history):
    """The import reads what rows name (projects, tranches, users) in one query each, never per row: the
    cost is a fixed part plus the same per row, so 60 rows cost 20 times 3 rows' share."""
    p, good, _bad = history
    projects = [f"Film {n},film-x{n},900000000.00,1000000.00,2025-02-01,," for n in range(60)]
    per_row = (
        queries_of(t, "projects", csv(PROJECT_HEADER, *projects[:6]))
        - queries_of(t, "projects", csv(PROJECT_HEADER, *projects[:3]))
    ) // 3
    assert queries_of(t, "projects", csv(PROJECT_HEADER, *projects[:3])) == 4 + 3 * per_row
    assert queries_of(t, "projects", csv(PROJECT_HEADER, *projects)) == 4 + 60 * per_row
    paid = [good[0].replace("KZ-1", f"KZ-{n}").replace("60000000", "1000") for n in range(12)]
    per_row = (
        queries_of(t, "disbursements", csv(DISBURSEMENT_HEADER, *paid[:6]))
        - queries_of(t, "disbursements", csv(DISBURSEMENT_HEADER, *paid[:3]))
    ) // 3
    # the fund's lock, its one stale mark, and the projects, tranches and people named
    assert queries_of(t, "disbursements", csv(DISBURSEMENT_HEADER, *paid)) == 8 + 12 * per_row
