"""A private PostgreSQL cluster, Redis server and Celery worker for the fault tests to stop and start.

The shared servers (127.0.0.1:5432 and :6379) serve every checkout's test run at once: they are never stopped.
These run under .tmp/ on free ports, like scripts/with-services.sh's throwaway path; as root (CI), the
cluster belongs to the postgres user, since initdb refuses to run as root.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivatePostgres:
    def __init__(self, base: Path):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(path.split("/")[-2]))
        if not bins:
            raise RuntimeError("PostgreSQL server binaries are not installed")
        self.bin = Path(bins[-1])
        self.dir = base / "pg"
        self.data = self.dir / "data"
        self.port = free_port()
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        subprocess.run(
            [
                *_as_postgres(),
                self.bin / "initdb",
                "-D",
                self.data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        self.start()
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE fundtracker")

    def url(self, name: str = "fundtracker") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres(), self.bin / "pg_ctl", "-D", self.data, *args], check=True, capture_output=True
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-o", options, "-l", str(self.dir / "log"), "-w", "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def query(self, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()


class PrivateRedis:
    def __init__(self, base: Path):
        self.port = free_port()
        self.dir = base
        self.process = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private Redis did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Services:
    """PostgreSQL, Redis, the environment a Django process needs for them, and workers started on demand."""

    def __init__(self):
        self.base = ROOT / ".tmp" / f"faults-{uuid.uuid4().hex[:8]}"
        self.base.mkdir(parents=True)
        self.postgres = PrivatePostgres(self.base)
        self.redis = PrivateRedis(self.base)
        self.workers = []

    def env(self) -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
        env.update(
            DATABASE_URL=self.postgres.url(),
            REDIS_URL=self.redis.url,
            CELERY_QUEUE="faults",
            REDIS_KEY_PREFIX="faults",
            PROGRESS_RECOMPUTE_DELAY="1",
            PROGRESS_SWEEP_INTERVAL="3",
            PROGRESS_SWEEP_GRACE="2",
            CONN_MAX_AGE="0",
            DJANGO_SETTINGS_MODULE="fundtracker.settings",
        )
        return env

    def django(self, code: str, timeout: float = 120) -> str:
        """Run `code` in a fresh Django process against the private services; returns its output."""
        result = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(f"django process failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_worker(self) -> "Worker":
        worker = Worker(self)
        self.workers.append(worker)
        return worker

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        try:
            self.redis.stop()
        finally:
            try:
                self.postgres.stop()
            except subprocess.CalledProcessError:
                pass  # already stopped by the test
            shutil.rmtree(self.base, ignore_errors=True)


class Worker:
    """A Celery worker with an embedded beat (the sweep), in its own process group, to be killed whole."""

    def __init__(self, services: Services):
        name = uuid.uuid4().hex[:6]
        self.log = services.base / f"worker-{name}.log"
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "fundtracker",
                "worker",
                "--beat",
                "--loglevel=INFO",
                "--concurrency=1",
                "-Q",
                "faults",
                "-n",
                f"faults-{name}@%h",
                "--schedule",
                str(services.base / f"beat-{name}"),
            ],
            cwd=ROOT,
            env=services.env(),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"the worker never logged {text!r}:\n{self.output()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the whole worker (main process, pool and beat), as a crashed machine would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def wait_until(condition, timeout: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except psycopg.OperationalError:
            pass
        time.sleep(interval)
    return False
