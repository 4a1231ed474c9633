"""Benchmark of the progress engine at the scale domain.md asks for; prints a Markdown table.

    scripts/with-services.sh .venv/bin/python scripts/bench.py [--small] [--regenerate] [--runs N] [--explain]
        [--no-workers]

The data set lives in its own database next to the one DATABASE_URL names (see bench_data.py). The engine's
figures come from bench_engine.py; the nightly job also runs through real Celery workers (1 and 2 pool
processes) on a queue of its own.

This is a measurement, not a test: a figure that misses its target is printed as "no", never hidden.
"""

import argparse
import datetime
import logging
import os
import random
import statistics
import sys
import types
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench_data import (  # noqa: E402  (the project root must be importable first)
    COUNTED_TABLES,
    MARKER_TABLE,
    bench_database_url,
    data_set_complete,
    ensure_database,
    generate,
    log,
)

AS_OF = datetime.date(2025, 6, 30)
FULL_FUNDS = 1000


def api_rows(slugs: list[str], as_of) -> list[tuple]:
    """The progress API on a stored snapshot against a bare DRF view with the same authentication."""
    from bench_engine import ok, queries_of, timed_ms
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from portfolio.api.views import FundViewSet

    class BareView(APIView):
        authentication_classes = FundViewSet.authentication_classes
        permission_classes = FundViewSet.permission_classes

        def get(self, request):
            return Response({"ok": True})

    urlconf = types.ModuleType("bench_urls")
    urlconf.urlpatterns = [path("api/v1/", include("portfolio.api.urls")), path("bare/", BareView.as_view())]
    sys.modules["bench_urls"] = urlconf
    client = Client()
    # A superuser: the one role that reads every fund (staff alone sees none since roles.py).
    reader = get_user_model().objects.get(username="bench-staff")
    if not reader.is_superuser:
        reader.is_superuser = True
        reader.save(update_fields=["is_superuser"])
    client.force_login(reader)
    urls = [f"/api/v1/funds/{slug}/progress/?as_of={as_of.isoformat()}" for slug in slugs]
    api_ms, bare_ms = [], []
    with override_settings(ROOT_URLCONF="bench_urls"):
        for url in urls[:3]:
            check = client.get(url)
            assert check.status_code == 200, check.content[:300]
            assert check.json()["source"] == "snapshot", "the API should read the stored snapshot"
        api_queries, bare_queries = queries_of(client.get, urls[0]), queries_of(client.get, "/bare/")
        for url in urls:  # interleaved, so drift (caches, autovacuum) hits both alike
            api_ms.append(timed_ms(client.get, url))
            bare_ms.append(timed_ms(client.get, "/bare/"))
    api, bare = statistics.median(api_ms), statistics.median(bare_ms)
    return [
        (
            f"progress API, stored snapshot (median of {len(api_ms)})",
            f"{api:.1f} ms",
            f"≤ 3 × bare = {3 * bare:.1f} ms",
            ok(api <= 3 * bare),
        ),
        (f"bare DRF view, same auth (median of {len(bare_ms)})", f"{bare:.1f} ms", "—", "—"),
        ("queries per request: progress API / bare view", f"{api_queries} / {bare_queries}", "—", "—"),
    ]


def explain_slowest(fund_id: int, count: int = 3) -> None:
    """EXPLAIN ANALYZE the slowest SELECTs of one fund's snapshot (stderr), rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from portfolio.services.progress import progress_snapshot_refresh

    with CaptureQueriesContext(connection) as captured:
        progress_snapshot_refresh(fund_id=fund_id, as_of=AS_OF)
    selects = [query for query in captured.captured_queries if "SELECT" in query["sql"].upper()[:200]]
    selects.sort(key=lambda query: float(query["time"]), reverse=True)
    with transaction.atomic(), connection.cursor() as cursor:
        for query in selects[:count]:
            print(f"\n-- {query['time']} s\n{query['sql']}", file=sys.stderr)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()), file=sys.stderr)
        transaction.set_rollback(True)


def measure(runs: int, explain: bool, workers: bool) -> list[tuple]:
    import bench_engine

    from portfolio.models import Fund

    funds = list(Fund.objects.order_by("pk").values_list("pk", "slug"))
    sample = random.Random(42).sample(funds, min(runs, len(funds)))
    fund_ids = [fund_id for fund_id, _slug in funds]
    raw_ms = bench_engine.raw_aggregate_ms(AS_OF)
    rows = bench_engine.one_fund_and_every_fund([fund_id for fund_id, _ in sample], fund_ids, AS_OF, raw_ms)
    if workers:
        rows += [bench_engine.through_workers(AS_OF, processes, raw_ms) for processes in (1, 2)]
    rows += bench_engine.back_dated_year(fund_ids[-1])
    rows += bench_engine.quiet_sweep()
    rows += api_rows([slug for _id, slug in sample], AS_OF)
    if explain:
        explain_slowest(sample[0][0])
    return rows


def print_table(rows, header: str) -> None:
    print(header)
    print()
    print("| measure | value | target | ok? |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="1/100 of the scale (10 funds), a quick check")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data set even if complete")
    parser.add_argument("--runs", type=int, default=20, help="samples per per-fund and per-request figure")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest snapshot queries")
    parser.add_argument("--no-workers", action="store_true", help="skip the runs through Celery workers")
    args = parser.parse_args()

    funds = FULL_FUNDS // 100 if args.small else FULL_FUNDS
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fundtracker")
    bench_url, name, maintenance_url = bench_database_url(base_url, args.small)
    ensure_database(maintenance_url, name)
    os.environ["DATABASE_URL"] = bench_url
    # Timings as production runs them: DEBUG off (no query log kept on every cursor). The workers the bench
    # starts inherit this environment, and a queue of their own.
    os.environ["DEBUG"] = "0"
    os.environ["CELERY_QUEUE"] = os.environ.get("CELERY_QUEUE", "fundtracker") + "-bench"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundtracker.settings")

    import django

    django.setup()
    # A login per run is not news; a missing collectstatic directory does not matter here.
    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("portfolio").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    from django.core.management import call_command
    from django.db import connection

    assert connection.settings_dict["NAME"] == name, "refusing to work outside the bench database"
    log(f"database {name}: migrate")
    call_command("migrate", interactive=False, verbosity=0)

    with connection.cursor() as cursor:
        complete = data_set_complete(cursor, funds)
    if complete and not args.regenerate:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT seconds FROM {MARKER_TABLE} WHERE funds = %s", [funds])
            generation_s = float(cursor.fetchone()[0])
        log(f"reusing the complete data set ({funds} funds); --regenerate rebuilds it")
        generated_now = False
    else:
        log(f"generating {funds} funds")
        generation_s = generate(funds)
        log(f"generated in {generation_s:.1f} s")
        generated_now = True

    with connection.cursor() as cursor:
        counts = {}
        for table in COUNTED_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table.removeprefix("portfolio_")] = cursor.fetchone()[0]

    rows = measure(args.runs, args.explain, workers=not args.no_workers)
    print_table(
        rows,
        f"## fundtracker bench: {funds} funds, as of {AS_OF.isoformat()}, database {name}, "
        f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} CPUs",
    )
    print()
    print(
        "Data: " + ", ".join(f"{table} {count:,}" for table, count in counts.items()) + ". "
        f"Generation {'took' if generated_now else 'took (earlier run)'} {generation_s:.1f} s."
    )


if __name__ == "__main__":
    main()
