"""Template helpers for o2o's pages: money, distances, stars, voucher codes and QR codes."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from o2o.core.money import Money, discount_percent
from o2o.web import qr as qr_render

register = template.Library()


@register.filter
def money(value: Money | None) -> str:
    if value is None:
        return ""
    return value.display(get_language() or "en")


@register.filter
def discount(offering: Any) -> int:
    return discount_percent(offering.price, offering.list_price)


@register.filter
def distance(metres: float | None) -> str:
    if metres is None:
        return ""
    if metres < 1000:
        return _("%(n)d m") % {"n": round(metres / 10) * 10 if metres >= 100 else round(metres)}
    return _("%(n).1f km") % {"n": metres / 1000}


@register.filter
def grouped(code: str) -> str:
    """A 12-digit voucher code as '1234 5678 9012'."""
    code = str(code or "")
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


@register.filter
def qr_svg(payload: str) -> SafeString:
    """The payload as an inline SVG QR code: o2o/web/qr.py, the one renderer every page uses."""
    return qr_render.qr_svg(payload)


@register.simple_tag
def qr(payload: str, label: str = "", module_px: int = qr_render.DEFAULT_MODULE_PX) -> SafeString:
    """``{% qr v.qr_payload label=... %}``: a scannable QR (viewBox, 4-module quiet zone, crisp edges)."""
    return qr_render.qr_svg(payload, label=label, module_px=module_px)


@register.filter
def status_label(value: str) -> str:
    """The human label of an order or voucher status."""
    from o2o.orders.enums import OrderStatus
    from o2o.vouchers.enums import VoucherStatus

    for enum in (OrderStatus, VoucherStatus):
        if value in enum.values:
            return str(enum(value).label)
    return value


@register.inclusion_tag("web/partials/stars.html")
def stars(rating: float | None, count: int | None = None, size: str = "") -> dict[str, Any]:
    pct = 0 if rating is None else max(0, min(100, round(float(rating) * 20)))
    return {"rating": rating, "count": count, "pct": pct, "size": size}


@register.simple_tag(takes_context=True)
def nav_roles(context: template.Context) -> dict[str, bool]:
    """Which console links the top bar shows for the signed-in user (cached per request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return {"staff": False, "counter": False, "manage": False}
    cached = getattr(request, "_o2o_nav_roles", None)
    if cached is not None:
        return cached
    from o2o.merchants.access import staff_roles

    result = staff_roles(user)
    request._o2o_nav_roles = result
    return result


@register.simple_tag
def field_error(errors: Any, name: str) -> str:
    if not errors:
        return ""
    value = errors.get(name) if hasattr(errors, "get") else None
    if not value:
        return ""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    return format_html('<p class="field-error">{}</p>', value)


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """How many of the signed-in user's notifications are unread (the nav's badge; once per request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return 0
    cached = getattr(request, "_o2o_unread", None)
    if cached is None:
        from o2o.community.selectors import unread_count

        cached = unread_count(user=user)
        request._o2o_unread = cached  # type: ignore[attr-defined]
    return int(cached)
