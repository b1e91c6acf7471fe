"""The one place domain code reads configuration from."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings


@dataclass(frozen=True)
class O2OSettings:
    currency: str
    merchant_approval: bool
    order_hold: timedelta
    voucher_signing_key: str
    demo_centre: tuple[float, float]
    nearby_max_radius_m: int
    nearby_default_radius_m: int
    auth_rate: str
    login_max_failures: int
    login_lockout: timedelta
    trusted_proxies: int
    login_slowdown_after: int
    login_slowdown: timedelta
    group_checkout: bool
    store_timezone: str
    scan_rate: str
    post_video_max_bytes: int = 20 * 1024 * 1024


def get() -> O2OSettings:
    raw = settings.O2O
    return O2OSettings(
        currency=raw["CURRENCY"],
        merchant_approval=raw["MERCHANT_APPROVAL"],
        order_hold=timedelta(minutes=raw["ORDER_HOLD_MINUTES"]),
        voucher_signing_key=raw["VOUCHER_SIGNING_KEY"],
        demo_centre=raw["DEMO_CENTRE"],
        nearby_max_radius_m=raw["NEARBY_MAX_RADIUS_M"],
        nearby_default_radius_m=raw["NEARBY_DEFAULT_RADIUS_M"],
        auth_rate=raw["AUTH_RATE"],
        login_max_failures=raw.get("LOGIN_MAX_FAILURES", 5),
        login_lockout=timedelta(minutes=raw.get("LOGIN_LOCKOUT_MINUTES", 15)),
        trusted_proxies=max(0, int(raw.get("TRUSTED_PROXIES", 0))),
        login_slowdown_after=raw.get("LOGIN_SLOWDOWN_AFTER", 20),
        login_slowdown=timedelta(seconds=raw.get("LOGIN_SLOWDOWN_SECONDS", 10)),
        group_checkout=raw.get("GROUP_CHECKOUT", True),
        store_timezone=raw.get("STORE_TIMEZONE") or settings.TIME_ZONE,
        scan_rate=raw.get("SCAN_RATE", "30/m"),
        post_video_max_bytes=int(raw.get("POST_VIDEO_MAX_MB", 20)) * 1024 * 1024,
    )


def default_store_timezone() -> str:
    """A new store's timezone when none is given (settings.O2O["STORE_TIMEZONE"], else TIME_ZONE)."""
    return get().store_timezone
