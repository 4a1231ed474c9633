"""The fund progress page under gunicorn, against a bare view measured in the same run; prints a table.

    scripts/with-services.sh .venv/bin/python scripts/bench_pages.py [--duration S] [--connections N]

What issue 9 asks of the page: gunicorn with 2 workers and the production settings (DJANGO_PRODUCTION=1,
a throwaway SECRET_KEY, persistent database connections), the demo seeded into a database of its own
next to the one DATABASE_URL names (which it never touches), and wrk over loopback at 16 connections
with the signed-in session of the demo's `investor`, as if behind the README's TLS proxy
(X-Forwarded-Proto: https). It loads `/funds/tolqyn/` and a bare view (scripts/bench_pages_urls.py: the
same middleware and session, a one-line template), and prints requests/s, p50 and p99 of each and the
targets: the page at least 1/3 of the bare view's throughput, and its p99 under 100 ms.

wrk is Debian's package; as root it is installed when missing. This is a measurement, not a test: a
figure that misses its target is printed as "no", never hidden.
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
PAGE, BARE = "/funds/tolqyn/", "/bench/bare/"
USERNAME = "investor"
WORKERS = 2


def log(message: str) -> None:
    print(f"[bench_pages] {message}", file=sys.stderr, flush=True)


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"]
        if subprocess.run(install, env=env, capture_output=True).returncode:
            subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
            subprocess.run(install, env=env, check=True, capture_output=True)
        return shutil.which("wrk") or sys.exit("wrk is still missing after apt-get install")
    sys.exit("wrk is missing: install Debian's package wrk (apt-get install wrk)")


def bench_environment(static_root: str) -> tuple[dict, str, str]:
    """(environment, database name, maintenance URL): production settings with the bench's own database."""
    base = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(base)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(
            f"bench_pages.py needs PostgreSQL in DATABASE_URL (make bench sets it); got {parts.scheme!r}"
        )
    name = f"{parts.path.lstrip('/') or 'fundtracker'}_bench_pages"
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")),
        "DJANGO_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway: sessions of this run only
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(SCRIPTS)]),
    }
    # Tasks run in-process (no broker): the seed's snapshots are written before the server starts.
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env, name, urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def prepare(env: dict, name: str, maintenance_url: str) -> str:
    """Create and seed the database, gather the static files; return a signed-in session key."""
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fundtracker.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from portfolio.middleware import LAST_ACTIVITY

    log("migrating and seeding the demo (idempotent)")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", force=True, verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    user = get_user_model().objects.get(username=USERNAME)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[LAST_ACTIVITY] = int(time.time())
    session.create()
    return session.session_key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


HEADERS = {"X-Forwarded-Proto": "https"}


def fetch(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={**HEADERS, "Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def serve(env: dict, port: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "fundtracker.wsgi",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "bench_pages_settings"}
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not start within 60 s")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(binary: str, url: str, cookie: str, *, seconds: int, connections: int) -> dict:
    command = [binary, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in {**HEADERS, "Cookie": cookie}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors or set(percentiles) != {"50", "99"}:
        sys.exit(f"{url}: errors or no latencies under load:\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1)),
        "p50": _ms(percentiles["50"]),
        "p99": _ms(percentiles["99"]),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per URL (default 15)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    args = parser.parse_args()

    binary = ensure_wrk()
    static_root = tempfile.mkdtemp(prefix="bench-pages-static-")
    env, name, maintenance = bench_environment(static_root)
    session_key = prepare(env, name, maintenance)
    cookie = f"sessionid={session_key}"
    port = free_port()
    server = serve(env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        for path in (PAGE, BARE):
            status, body = fetch(base + path, cookie)
            if status != 200:
                sys.exit(f"{path} answered {status} to the signed-in session, not 200")
        if "Tolqyn" not in fetch(base + PAGE, cookie)[1]:
            sys.exit(f"{PAGE} does not show the Tolqyn fund")
        log(f"gunicorn ({WORKERS} workers) on 127.0.0.1:{port}; warming up")
        for path in (PAGE, BARE):
            wrk(binary, base + path, cookie, seconds=3, connections=args.connections)
        results = {}
        for label, path in (("page", PAGE), ("bare", BARE)):
            log(f"loading {path} for {args.duration} s at {args.connections} connections")
            results[label] = wrk(
                binary, base + path, cookie, seconds=args.duration, connections=args.connections
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)

    page, bare = results["page"], results["bare"]
    ratio = page["rps"] / bare["rps"]
    print(
        f"\nPages under gunicorn ({WORKERS} workers, production settings), wrk -t2 -c{args.connections} "
        f"-d{args.duration}s over loopback, signed in as `{USERNAME}`:\n"
    )
    print("| URL | requests/s | p50 | p99 | requests |")
    print("|---|---|---|---|---|")
    for label, path in (("page", PAGE), ("bare", BARE)):
        row = results[label]
        what = "fund progress page" if label == "page" else "bare view (same middleware, one-line template)"
        print(
            f"| `{path}` {what} | {row['rps']:,.0f} | {row['p50']:.1f} ms | {row['p99']:.1f} ms "
            f"| {row['requests']:,} |"
        )
    print()
    print("| target | measured | ok? |")
    print("|---|---|---|")
    print(f"| page throughput ≥ 1/3 of the bare view's | {ratio:.2f} | {'yes' if ratio >= 1 / 3 else 'no'} |")
    print(f"| page p99 < 100 ms | {page['p99']:.1f} ms | {'yes' if page['p99'] < 100 else 'no'} |")


if __name__ == "__main__":
    main()
