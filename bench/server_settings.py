"""The benchmarks' server settings: the project's own, with the baselines' endpoints (bench/server_urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.server_urls"
