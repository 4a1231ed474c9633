"""Settings of `make bench`'s page measurement only: production settings, plus a URLconf with a bare view.

Never used by the application: gunicorn loads it by name in scripts/bench_pages.py."""

from fundtracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench_pages_urls"
