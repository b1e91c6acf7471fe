"""The flash-sale bench's server settings: the project's own, with two more endpoints (server_urls)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.flashsale.server_urls"
