"""The bench data set: the scale of domain.md in its own database, built with set-based SQL.

It never touches the database DATABASE_URL names: it works in a sibling database on the same server
(`<name>_bench`, or `<name>_bench_small` for --small), created when missing and filled with set-based SQL
(INSERT ... SELECT generate_series) after `migrate`. A complete data set is reused on later runs. Every CHECK
constraint and trigger stays on while loading, so the data is data the app could hold.
"""

import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PROJECTS_PER_FUND = 20
INVESTORS_PER_FUND = 100
DISBURSEMENTS_PER_PROJECT = 50
TRANCHES_PER_PROJECT = 3


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- the bench database --------------------------------------------------------------------------------


def bench_database_url(base_url: str, small: bool) -> tuple[str, str, str]:
    """(bench URL, bench database name, maintenance URL) on the server `base_url` points at."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"bench.py needs PostgreSQL; DATABASE_URL is {parts.scheme!r}")
    base_name = parts.path.lstrip("/") or "fundtracker"
    name = f"{base_name}_bench_small" if small else f"{base_name}_bench"
    bench = urlunsplit(parts._replace(path=f"/{name}"))
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    return bench, name, maintenance


def ensure_database(maintenance_url: str, name: str) -> None:
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


# --- data generation (set-based SQL) ---------------------------------------------------------------------

# Layout, with ids chosen so that every parent can be computed from a child's id:
#   fund f (1..F), its projects p = (f-1)*20 + j (j 1..20),
#   investors and commitments n = (f-1)*100 + k (k 1..100), tranches (p-1)*3 + t,
#   disbursements (p-1)*50 + k, capital calls (f-1)*2 + c, capital call items (call-1)*100 + k.
# Amounts are multiples of 10,000 KZT so every split below is exact to the cent.
GENERATION_STEPS = [
    (
        "funds",
        """
        INSERT INTO portfolio_fund (id, name, slug, legal_form, base_currency, target_size, project_band_min,
            project_band_max, investment_period_start, investment_period_end, concentration_cap_pct, status,
            created_at)
        SELECT i, 'Bench Fund ' || lpad(i::text, 4, '0'), 'bench-fund-' || lpad(i::text, 4, '0'),
            'OEIC (AIFC)', 'KZT', 5500000000.00, 15, 20, s, (s + interval '3 years')::date, 15.00,
            'investing', now()
        FROM generate_series(1, %(funds)s) AS i
        CROSS JOIN LATERAL (SELECT DATE '2022-01-01' + mod(i * 7, 365) AS s) AS period
        """,
    ),
    (
        "fund managers",
        """
        INSERT INTO portfolio_fund_managers (fund_id, user_id)
        SELECT f.id, u.id FROM portfolio_fund f CROSS JOIN (VALUES (%(manager_a)s), (%(manager_b)s)) AS u (id)
        """,
    ),
    (
        "investors",
        """
        INSERT INTO portfolio_investor (id, name, kind, country, email, created_at)
        SELECT n, 'Investor ' || lpad(n::text, 6, '0'),
            CASE WHEN mod(n, 100) < 10 THEN 'institutional' ELSE 'individual' END, 'KZ', '', now()
        FROM generate_series(1, %(funds)s * 100) AS n
        """,
    ),
    (
        "commitments",
        """
        INSERT INTO portfolio_commitment (id, original_currency, amount, date, fund_id, investor_id)
        SELECT i.id, '', 40000000.00 + (mod(i.id - 1, 100) + 1) * 200000,
            f.investment_period_start - 60 + mod(i.id, 30)::int, f.id, i.id
        FROM portfolio_investor i JOIN portfolio_fund f ON f.id = (i.id - 1) / 100 + 1
        """,
    ),
    (
        "projects",
        """
        INSERT INTO portfolio_project (id, title, original_title, slug, format, genre, language, director,
            producer, production_company, total_budget, commitment, instrument, approval_date,
            expected_release, stage, fund_id)
        SELECT x.p, 'Film ' || lpad(x.p::text, 5, '0'), '', 'film-' || lpad(x.j::text, 2, '0'),
            (ARRAY['feature', 'documentary', 'animation', 'series'])[mod(x.j, 4) + 1], 'drama',
            (ARRAY['kk', 'ru', 'en', 'other'])[mod(x.j, 4) + 1], '', '', '',
            2 * (140000000.00 + x.j * 10000000), 140000000.00 + x.j * 10000000,
            (ARRAY['equity', 'loan', 'gap'])[mod(x.j, 3) + 1],
            f.investment_period_start + (x.j - 1) * 20, f.investment_period_start + (x.j - 1) * 20 + 730,
            CASE WHEN x.j = 20 THEN 'abandoned'
                ELSE (ARRAY['development', 'pre_production', 'production', 'post_production', 'delivery',
                            'released'])[mod(x.j, 6) + 1] END,
            f.id
        FROM generate_series(1, %(funds)s * 20) AS g (p)
        CROSS JOIN LATERAL (SELECT g.p AS p, mod(g.p - 1, 20)::int + 1 AS j, (g.p - 1) / 20 + 1 AS fund) AS x
        JOIN portfolio_fund f ON f.id = x.fund
        """,
    ),
    (
        "stage changes",
        """
        INSERT INTO portfolio_stagechange (stage, date, note, recorded_at, project_id, recorded_by_id)
        SELECT 'development', p.approval_date, '', now(), p.id, %(manager_a)s FROM portfolio_project p
        UNION ALL
        SELECT p.stage, p.approval_date + 180 + mod(p.id, 400)::int, '', now(), p.id, %(manager_a)s
        FROM portfolio_project p WHERE p.stage <> 'development'
        """,
    ),
    (
        # The commitment history (decision 1 of DESIGN.md): each project's first record, at its approval.
        "commitment changes",
        """
        INSERT INTO portfolio_projectcommitmentchange (date, amount, reason, recorded_at, project_id)
        SELECT p.approval_date, p.commitment, 'Approved', now(), p.id FROM portfolio_project p
        """,
    ),
    (
        "tranches",
        """
        INSERT INTO portfolio_tranche (id, number, amount, planned_date, trigger, trigger_stage, trigger_date,
            status, cancelled_on, cancel_reason, project_id)
        SELECT (p.id - 1) * 3 + t, t,
            CASE t WHEN 1 THEN p.commitment / 2 WHEN 2 THEN round(p.commitment / 3, 2)
                ELSE p.commitment - p.commitment / 2 - round(p.commitment / 3, 2) END,
            p.approval_date + CASE t WHEN 1 THEN 0 WHEN 2 THEN 300 ELSE 900 + mod(p.id, 200)::int END,
            CASE t WHEN 1 THEN 'date' ELSE 'stage' END,
            CASE t WHEN 1 THEN '' WHEN 2 THEN 'production' ELSE 'delivery' END,
            CASE t WHEN 1 THEN p.approval_date END,
            CASE WHEN t = 1 THEN 'paid' WHEN t = 2 THEN 'eligible'
                WHEN p.stage = 'abandoned' THEN 'cancelled' ELSE 'planned' END,
            CASE WHEN t = 3 AND p.stage = 'abandoned' THEN p.approval_date + 200 END,
            CASE WHEN t = 3 AND p.stage = 'abandoned' THEN 'Project abandoned' ELSE '' END,
            p.id
        FROM portfolio_project p CROSS JOIN generate_series(1, 3) AS t
        """,
    ),
    (
        # 45 paid, 3 approved, 2 requested per project; every 50th project has its first payment reversed
        # (the reversal takes the 50th slot, so the ledger holds exactly 50 rows per project).
        "disbursements",
        """
        INSERT INTO portfolio_disbursement (id, original_currency, amount, status, requested_at, approved_at,
            paid_date, bank_reference, note, approved_by_id, requested_by_id, reverses_id, project_id,
            tranche_id, rejection_reason)
        SELECT (p.id - 1) * 50 + k, '', p.commitment / 100,
            CASE WHEN k <= 45 THEN 'paid' WHEN k <= 48 THEN 'approved' ELSE 'requested' END,
            r.requested_at,
            CASE WHEN k <= 48 THEN r.requested_at + interval '2 days' END,
            CASE WHEN k <= 45 THEN (r.requested_at + interval '5 days')::date END,
            CASE WHEN k <= 45 THEN 'BR-' || ((p.id - 1) * 50 + k) ELSE '' END,
            '',
            CASE WHEN k <= 48 THEN %(manager_b)s::int END, %(manager_a)s, NULL, p.id,
            (p.id - 1) * 3 + CASE WHEN k <= 25 THEN 1 WHEN k <= 45 THEN 2 ELSE 3 END, ''
        FROM portfolio_project p CROSS JOIN generate_series(1, 50) AS k
        CROSS JOIN LATERAL (
            SELECT ((p.approval_date + k * 14) + time '10:00')::timestamptz AS requested_at
        ) AS r
        WHERE NOT (k = 50 AND mod(p.id, 50) = 0)
        """,
    ),
    (
        "reversals",
        """
        INSERT INTO portfolio_disbursement (id, original_currency, amount, status, requested_at, approved_at,
            paid_date, bank_reference, note, approved_by_id, requested_by_id, reverses_id, project_id,
            tranche_id, rejection_reason)
        SELECT d.id + 49, '', -d.amount, 'paid', d.requested_at + interval '30 days',
            d.approved_at + interval '30 days', d.paid_date + 30, 'REV-' || d.id, 'Bank returned the payment',
            %(manager_b)s, %(manager_a)s, d.id, d.project_id, d.tranche_id, ''
        FROM portfolio_disbursement d
        WHERE d.id IN (SELECT (p.id - 1) * 50 + 1 FROM portfolio_project p WHERE mod(p.id, 50) = 0)
        """,
    ),
    (
        "receipts",
        """
        INSERT INTO portfolio_receipt (original_currency, date, amount, source, note, project_id)
        SELECT '', p.approval_date + 500 + m * 45, 1000000.00 * m + mod(p.id, 97) * 10000,
            (ARRAY['box_office', 'streaming', 'tv', 'sales', 'other'])[m], '', p.id
        FROM portfolio_project p CROSS JOIN generate_series(1, 5) AS m
        WHERE p.stage IN ('delivery', 'released')
        """,
    ),
    (
        "valuations",
        """
        INSERT INTO portfolio_valuation (date, amount, note, project_id, recorded_by_id)
        SELECT p.approval_date + 365 * v, p.commitment * CASE v WHEN 1 THEN 0.50 ELSE 0.55 END, '', p.id,
            %(manager_a)s
        FROM portfolio_project p CROSS JOIN generate_series(1, 2) AS v
        WHERE mod(p.id, 2) = 0
        """,
    ),
    (
        "capital calls",
        """
        INSERT INTO portfolio_capitalcall (id, number, call_date, due_date, purpose, amount, note, fund_id)
        SELECT (f.id - 1) * 2 + c, c, f.investment_period_start + CASE c WHEN 1 THEN 10 ELSE 400 END,
            f.investment_period_start + CASE c WHEN 1 THEN 24 ELSE 414 END, 'investment',
            (SELECT sum(m.amount) FROM portfolio_commitment m WHERE m.fund_id = f.id)
                * CASE c WHEN 1 THEN 0.30 ELSE 0.20 END,
            '', f.id
        FROM portfolio_fund f CROSS JOIN generate_series(1, 2) AS c
        """,
    ),
    (
        "capital call items",
        """
        INSERT INTO portfolio_capitalcallitem (id, amount, capital_call_id, investor_id)
        SELECT (cc.id - 1) * 100 + mod(m.investor_id - 1, 100) + 1,
            m.amount * CASE cc.number WHEN 1 THEN 0.30 ELSE 0.20 END, cc.id, m.investor_id
        FROM portfolio_capitalcall cc JOIN portfolio_commitment m ON m.fund_id = cc.fund_id
        """,
    ),
    (
        # Call 1 paid by everyone (every 10th investor in two parts); call 2 paid by nine in ten.
        "capital call payments",
        """
        INSERT INTO portfolio_capitalcallpayment (original_currency, date, amount, bank_reference, item_id)
        SELECT '', cc.due_date - mod(i.investor_id, 10)::int, i.amount, 'PIC-' || i.id, i.id
        FROM portfolio_capitalcallitem i JOIN portfolio_capitalcall cc ON cc.id = i.capital_call_id
        WHERE cc.number = 1 AND mod(i.investor_id, 10) <> 0
        UNION ALL
        SELECT '', cc.due_date + part * 20 - 3,
            CASE part WHEN 0 THEN round(i.amount / 2, 2) ELSE i.amount - round(i.amount / 2, 2) END,
            'PIC-' || i.id || '-' || part, i.id
        FROM portfolio_capitalcallitem i JOIN portfolio_capitalcall cc ON cc.id = i.capital_call_id
        CROSS JOIN generate_series(0, 1) AS part
        WHERE cc.number = 1 AND mod(i.investor_id, 10) = 0
        UNION ALL
        SELECT '', cc.due_date - mod(i.investor_id, 7)::int, i.amount, 'PIC-' || i.id, i.id
        FROM portfolio_capitalcallitem i JOIN portfolio_capitalcall cc ON cc.id = i.capital_call_id
        WHERE cc.number = 2 AND mod(i.investor_id, 10) <> 5
        """,
    ),
    (
        # Items cannot be added to a paid distribution (trigger), so it is paid once its items are in.
        "distributions",
        """
        INSERT INTO portfolio_distribution (id, number, date, kind, status, note, fund_id)
        SELECT f.id, 1, f.investment_period_start + 900, 'return_of_capital', 'planned', '', f.id
        FROM portfolio_fund f WHERE mod(f.id, 3) = 0
        """,
    ),
    (
        "distribution items",
        """
        INSERT INTO portfolio_distributionitem (original_currency, amount, distribution_id, investor_id)
        SELECT '', m.amount * 0.05, d.id, m.investor_id
        FROM portfolio_distribution d JOIN portfolio_commitment m ON m.fund_id = d.fund_id
        """,
    ),
    ("distributions paid", "UPDATE portfolio_distribution SET status = 'paid'"),
]

# Tables whose ids were given explicitly: their identity sequences must continue after the largest id.
EXPLICIT_ID_TABLES = [
    "portfolio_fund",
    "portfolio_investor",
    "portfolio_commitment",
    "portfolio_project",
    "portfolio_tranche",
    "portfolio_disbursement",
    "portfolio_capitalcall",
    "portfolio_capitalcallitem",
    "portfolio_distribution",
]

COUNTED_TABLES = [
    "portfolio_fund",
    "portfolio_investor",
    "portfolio_commitment",
    "portfolio_project",
    "portfolio_stagechange",
    "portfolio_projectcommitmentchange",
    "portfolio_tranche",
    "portfolio_disbursement",
    "portfolio_receipt",
    "portfolio_valuation",
    "portfolio_capitalcall",
    "portfolio_capitalcallitem",
    "portfolio_capitalcallpayment",
    "portfolio_distribution",
    "portfolio_distributionitem",
]

MARKER_TABLE = "bench_dataset"


def data_set_complete(cursor, funds: int) -> bool:
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (funds int PRIMARY KEY, seconds numeric)")
    cursor.execute(f"SELECT 1 FROM {MARKER_TABLE} WHERE funds = %s", [funds])
    if cursor.fetchone() is None:
        return False
    cursor.execute("SELECT count(*) FROM portfolio_fund")
    fund_count = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM portfolio_disbursement")
    disbursement_count = cursor.fetchone()[0]
    return fund_count == funds and disbursement_count == funds * PROJECTS_PER_FUND * DISBURSEMENTS_PER_PROJECT


def generate(funds: int) -> float:
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    started = time.perf_counter()
    tables = [model._meta.db_table for model in apps.get_app_config("portfolio").get_models()]
    with connection.cursor() as cursor:
        log("emptying the bench database")
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(f"TRUNCATE {', '.join(tables)}, auth_user RESTART IDENTITY CASCADE")

    user_model = get_user_model()
    with transaction.atomic():
        # Four eyes: one manager requests, the other approves. Unusable passwords: nobody logs in as them.
        manager_a = user_model.objects.create_user("bench-manager-a", password=None)
        manager_b = user_model.objects.create_user("bench-manager-b", password=None)
        user_model.objects.create_user("bench-staff", password=None, is_staff=True, is_superuser=True)

    params = {"funds": funds, "manager_a": manager_a.pk, "manager_b": manager_b.pk}
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        for label, sql in GENERATION_STEPS:
            step = time.perf_counter()
            with transaction.atomic():
                cursor.execute(sql, params)
                rows = cursor.rowcount
            log(f"  {label:<24} {rows:>10,} rows  {time.perf_counter() - step:6.1f} s")
        for table in EXPLICIT_ID_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        # VACUUM as well as ANALYZE: right after a bulk load no row has its hint bits set, so the first reads
        # would also write every page; autovacuum would get there later. This measures the steady state.
        step = time.perf_counter()
        cursor.execute("VACUUM (ANALYZE)")
        log(f"  {'VACUUM (ANALYZE)':<24} {'':>10}       {time.perf_counter() - step:6.1f} s")
        seconds = time.perf_counter() - started
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (funds, seconds) VALUES (%s, %s)", [funds, seconds])
        cursor.execute("RESET synchronous_commit")
        cursor.execute("RESET work_mem")
    return seconds
