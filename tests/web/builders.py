"""Scenario builders for page tests and demo screenshots, all through the domain services."""

from __future__ import annotations

import io
import itertools
from typing import Any

from PIL import Image, ImageDraw

from o2o.accounts.services import user_register
from o2o.catalogue.services import offering_create, offering_photo_add
from o2o.merchants.services import merchant_create, staff_add, store_create
from o2o.orders.services import order_create
from o2o.payments.services import order_pay

PASSWORD = "correct-horse-battery-9"
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CENTRE = (30.6570, 104.0658)
_n = itertools.count()


def user(name: str = "user") -> Any:
    return user_register(email=f"{name.lower().replace(' ', '.')}{next(_n)}@example.com", password=PASSWORD,
                         display_name=name)


def photo_bytes(colour: tuple[int, int, int] = (255, 120, 60), size: tuple[int, int] = (800, 600)) -> bytes:
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    w, h = size
    for i in range(0, h, 6):  # a soft vertical gradient
        shade = tuple(max(0, c - i // 8) for c in colour)
        draw.rectangle([0, i, w, i + 6], fill=shade)
    draw.ellipse([w * 0.3, h * 0.25, w * 0.7, h * 0.8], fill=tuple(min(255, c + 60) for c in colour))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def merchant_with_store(owner: Any, *, name: str = "Hotpot House", category: str = "restaurant",
                        lat: float = CENTRE[0], lng: float = CENTRE[1], hours: Any = None,
                        store_name: str | None = None, address: str = "1 Chunxi Road, Jinjiang") -> tuple[Any, Any]:
    merchant = merchant_create(owner=owner, name=name, category=category)
    store = store_create(merchant=merchant, name=store_name or f"{name} Chunxi Rd", address=address, lat=lat, lng=lng,
                         timezone="Asia/Shanghai", opening_hours=hours if hours is not None else ALL_DAY)
    return merchant, store


def deal(merchant: Any, owner: Any, stores: list[Any], *, title: str = "Hotpot for two", price: str = "99.00",
         list_price: str = "158.00", quantity: int = 10, limit: int = 5, photos: int = 0,
         description: str = "Spicy broth, 8 dishes, drinks included.", status: str = "live") -> Any:
    offering = offering_create(
        merchant=merchant, actor=owner, kind="deal", title=title, description=description,
        price={"amount": price, "currency": "CNY"}, list_price={"amount": list_price, "currency": "CNY"},
        quantity_total=quantity, per_customer_limit=limit, valid_days=30,
        redeemable_store_ids=[s.pk for s in stores], status=status)
    colours = [(255, 110, 64), (230, 80, 60), (250, 170, 60)]
    for i in range(photos):
        offering_photo_add(offering=offering, data=photo_bytes(colours[i % 3]), position=i)
    return offering


def clerk(merchant: Any, stores: list[Any], name: str = "Clerk") -> Any:
    person = user(name)
    staff_add(merchant=merchant, email=person.email, role="clerk", store_ids=[s.pk for s in stores])
    return person


def buy(customer: Any, offering: Any, quantity: int = 1, pay: bool = True) -> Any:
    order = order_create(customer=customer, lines=[{"offering_id": str(offering.pk), "quantity": quantity}])
    if pay:
        order_pay(customer=customer, order_id=order.pk, provider="sandbox", details={"card_number": GOOD_CARD})
        order.refresh_from_db()
    return order


def world() -> dict[str, Any]:
    """An owner with a store and a live deal, a clerk there, a customer, and a stranger merchant."""
    owner = user("Owner")
    merchant, store = merchant_with_store(owner)
    offering = deal(merchant, owner, [store])
    the_clerk = clerk(merchant, [store])
    customer = user("Customer")
    other_owner = user("Other owner")
    other_merchant, other_store = merchant_with_store(other_owner, name="Other Noodles", lat=30.66, lng=104.07)
    other_deal = deal(other_merchant, other_owner, [other_store], title="Noodles")
    return {"owner": owner, "merchant": merchant, "store": store, "deal": offering, "clerk": the_clerk,
            "customer": customer, "other_owner": other_owner, "other_merchant": other_merchant,
            "other_store": other_store, "other_deal": other_deal}
