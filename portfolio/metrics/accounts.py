"""Capital accounts computed set-based on PostgreSQL: grouped sums over the ledger and the ratios in SQL,
straight into a session's work table, the XIRRs solved for the whole batch at once (`xirr_batch`).

A fixed number of statements whatever the number of funds, dates or investors, and no Python per investor:

1. `stage` sums each investor's commitment, paid-in and distributions per (fund, as-of date), shares out the
   fund's NAV by paid-in and computes DPI/RVPI/TVPI, rounded half-up to the cent and to 10 places
   (PostgreSQL's round(numeric) is half away from zero, as `portfolio.money` rounds);
2. it reads every account's dated flows as three flat arrays, netted per day as `xirr.xirr` nets them
   (floats added in the same order), solves them together and writes the rates back;
3. `store` copies the accounts of the snapshots actually written into the table, in the writer's
   transaction; `rows` reads them for a live answer.

The work table is a temporary table of the session (kept between the reading and the writing transaction,
emptied at each stage), so this needs a session of its own per process: no transaction-mode pooler.
`investors.capital_accounts` is the same computation in Python: the SQLite demo's path and the reference the
tests compare this one with.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from django.db import connection

from portfolio.models import (
    CapitalAccount,
    CapitalCall,
    CapitalCallItem,
    CapitalCallPayment,
    Commitment,
    Distribution,
    DistributionItem,
    Investor,
)

from . import schema
from .common import plain
from .xirr_batch import solve_many

Target = tuple[int, datetime.date]

WORK = "progress_capital_account_work"
RATES = "progress_capital_account_rates"
MONEY_COLUMNS = schema.names(schema.INVESTOR_METRICS, schema.MONEY)
RATIO_COLUMNS = schema.names(schema.INVESTOR_METRICS, schema.RATIO)
_EPOCH = datetime.date(2000, 1, 1)
# Divisions carry 30 places before rounding to 10 (PostgreSQL keeps the larger scale of its operands), so
# rounding the quotient is rounding the exact ratio, as Python's 28 digits do.
_WIDE = "1.000000000000000000000000000000"

_CREATE = f"""
    CREATE TEMPORARY TABLE IF NOT EXISTS {WORK} (
        n integer PRIMARY KEY, fund_id bigint NOT NULL, as_of date NOT NULL, investor_id bigint NOT NULL,
        commitment numeric, paid_in numeric, unfunded numeric, distributed numeric, nav_share numeric,
        nav_exact numeric, dpi numeric, rvpi numeric, tvpi numeric
    );
    CREATE TEMPORARY TABLE IF NOT EXISTS {RATES} (n integer PRIMARY KEY, rate float8 NOT NULL);
    DELETE FROM {WORK};
    DELETE FROM {RATES}
"""

# Each investor's payments and distributions per day, up to each target's date.
_FLOWS = f"""
    paid AS (
        SELECT t.fund_id, t.as_of, i.investor_id, p.date AS day, SUM(p.amount) AS amount
        FROM targets t
        JOIN {CapitalCall._meta.db_table} c ON c.fund_id = t.fund_id
        JOIN {CapitalCallItem._meta.db_table} i ON i.capital_call_id = c.id
        JOIN {CapitalCallPayment._meta.db_table} p ON p.item_id = i.id AND p.date <= t.as_of
        GROUP BY t.fund_id, t.as_of, i.investor_id, p.date
    ),
    distributed AS (
        SELECT t.fund_id, t.as_of, di.investor_id, d.date AS day, SUM(di.amount) AS amount
        FROM targets t
        JOIN {Distribution._meta.db_table} d
            ON d.fund_id = t.fund_id AND d.status = '{Distribution.Status.PAID}' AND d.date <= t.as_of
        JOIN {DistributionItem._meta.db_table} di ON di.distribution_id = d.id
        GROUP BY t.fund_id, t.as_of, di.investor_id, d.date
    )
"""

# An investor has an account from their commitment's date, or from a first payment or distribution if
# money moved before the commitment was recorded (it was paid, so it counts).
_STAGE = f"""
    WITH targets AS (
        SELECT * FROM unnest(%s::bigint[], %s::date[], %s::numeric[]) AS t (fund_id, as_of, nav)
    ),
    {_FLOWS},
    sums AS (
        SELECT fund_id, as_of, investor_id,
            SUM(commitment) AS commitment, SUM(paid) AS paid_in, SUM(dist) AS distributed
        FROM (
            SELECT t.fund_id, t.as_of, c.investor_id, c.amount AS commitment, 0.00 AS paid, 0.00 AS dist
            FROM targets t
            JOIN {Commitment._meta.db_table} c ON c.fund_id = t.fund_id AND c.date <= t.as_of
            UNION ALL SELECT fund_id, as_of, investor_id, 0.00, amount, 0.00 FROM paid
            UNION ALL SELECT fund_id, as_of, investor_id, 0.00, 0.00, amount FROM distributed
        ) AS rows
        GROUP BY fund_id, as_of, investor_id
    ),
    shares AS (
        SELECT s.*,
            CASE WHEN SUM(s.paid_in) OVER fund <> 0
                THEN t.nav * s.paid_in * {_WIDE} / SUM(s.paid_in) OVER fund ELSE 0.00 END AS nav_exact
        FROM sums s JOIN targets t USING (fund_id, as_of)
        WINDOW fund AS (PARTITION BY s.fund_id, s.as_of)
    ),
    staged AS (
        INSERT INTO {WORK} (n, fund_id, as_of, investor_id, commitment, paid_in, unfunded, distributed,
            nav_share, nav_exact, dpi, rvpi, tvpi)
        SELECT ROW_NUMBER() OVER (ORDER BY fund_id, as_of, investor_id) - 1, fund_id, as_of, investor_id,
            commitment, paid_in, commitment - paid_in, distributed, round(nav_exact, 2), nav_exact,
            CASE WHEN paid_in <> 0 THEN round(distributed * {_WIDE} / paid_in, 10) END,
            CASE WHEN paid_in <> 0 THEN round(nav_exact / paid_in, 10) END,
            CASE WHEN paid_in <> 0 THEN round((distributed + nav_exact) / paid_in, 10) END
        FROM shares
        RETURNING n, fund_id, as_of, investor_id, nav_exact
    ),
    -- Each account's flows per day as xirr.xirr builds them: paid-in negative, distributions positive, the
    -- NAV share on the as-of date; floats added in that order, so the day's net is the same float.
    days AS (
        SELECT fund_id, as_of, investor_id, day, -amount AS paid, NULL::numeric AS dist, NULL::numeric AS nav
        FROM paid
        UNION ALL SELECT fund_id, as_of, investor_id, day, NULL, amount, NULL FROM distributed
        UNION ALL SELECT fund_id, as_of, investor_id, as_of, NULL, NULL, nav_exact FROM staged
        WHERE nav_exact <> 0
    ),
    netted AS (
        SELECT s.n, d.day,
            COALESCE(SUM(d.paid)::float8, 0) + COALESCE(SUM(d.dist)::float8, 0)
                + COALESCE(SUM(d.nav)::float8, 0) AS amount
        FROM days d JOIN staged s USING (fund_id, as_of, investor_id)
        GROUP BY s.n, d.day
    )
    SELECT (SELECT COUNT(*) FROM staged), array_agg(n ORDER BY n, day),
        array_agg(day - DATE '{_EPOCH.isoformat()}' ORDER BY n, day), array_agg(amount ORDER BY n, day)
    FROM netted WHERE amount <> 0
"""

# The solved rates go in as they are; a reader takes the float's shortest decimal (Python's repr) rounded
# half-up to 10 places, as xirr.xirr writes it.
_SET_RATES = f"INSERT INTO {RATES} (n, rate) SELECT * FROM unnest(%s::integer[], %s::float8[])"
_COLUMNS = [*MONEY_COLUMNS, *RATIO_COLUMNS]
_SELECT = f"""
    SELECT w.fund_id, w.investor_id, w.as_of, {
    ", ".join("round(r.rate::text::numeric, 10) AS net_irr" if c == "net_irr" else f"w.{c}" for c in _COLUMNS)
}
    FROM {WORK} w LEFT JOIN {RATES} r ON r.n = w.n
"""


def stage(targets: Sequence[Target], navs: Sequence) -> int:
    """Compute the capital accounts of the targets (with each one's fund NAV) into the work table; three
    statements and one batch solve, whatever their number. Returns how many accounts."""
    with connection.cursor() as cursor:
        # One round trip: the tables exist from the session's first stage on, emptied at each.
        cursor.execute(_CREATE)
        if not targets:
            return 0
        cursor.execute(
            _STAGE,
            [[fund_id for fund_id, _day in targets], [day for _fund_id, day in targets], list(navs)],
        )
        count, owner, days, amounts = cursor.fetchone()
        if owner:
            rates = solve_many(owner, days, amounts, count)
            solved = np.flatnonzero(~np.isnan(rates))
            cursor.execute(_SET_RATES, [solved.tolist(), rates[solved].tolist()])
    return count


def store(targets: Sequence[Target], computed_at) -> None:
    """Replace the stored accounts of the targets with the staged ones (an investor no longer in the fund
    loses their row), in the caller's transaction."""
    if not targets:
        return
    table = CapitalAccount._meta.db_table
    pairs = [[fund_id for fund_id, _day in targets], [day for _fund_id, day in targets]]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""DELETE FROM {table} AS a USING unnest(%s::bigint[], %s::date[]) AS t (fund_id, as_of)
                WHERE a.fund_id = t.fund_id AND a.as_of = t.as_of""",
            pairs,
        )
        cursor.execute(
            f"""INSERT INTO {table} (fund_id, investor_id, as_of, {", ".join(_COLUMNS)}, computed_at)
                SELECT a.*, %s FROM ({_SELECT}) AS a
                JOIN unnest(%s::bigint[], %s::date[]) AS t (fund_id, as_of)
                    ON a.fund_id = t.fund_id AND a.as_of = t.as_of""",
            [computed_at, *pairs],
        )


def rows() -> dict[Target, list[dict]]:
    """The staged accounts by target, each target's by investor name: what a live answer shows."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT a.fund_id, a.as_of, a.investor_id, i.name, {", ".join(f"a.{c}" for c in _COLUMNS)}
                FROM ({_SELECT}) AS a JOIN {Investor._meta.db_table} i ON i.id = a.investor_id
                ORDER BY a.fund_id, a.as_of, i.name, a.investor_id"""
        )
        found = defaultdict(list)
        for fund_id, as_of, investor_id, name, *values in cursor.fetchall():
            account = {
                "investor_id": investor_id,
                "investor": name,
                **dict(zip(_COLUMNS, values, strict=True)),
            }
            # Ratios as the snapshot writes them: plain ("0.5", "0"), never "0.5000000000" or "0E-10".
            account.update({c: plain(account[c]) for c in RATIO_COLUMNS if account[c] is not None})
            found[(fund_id, as_of)].append(account)
    return found
