"""Request and response schemas (they make the OpenAPI document)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import StrictInt


class MoneyIn(Schema):
    amount: str = Field(..., examples=["39.00"], max_length=32)
    currency: str | None = Field(None, examples=["CNY"], max_length=3)


class MoneyOut(Schema):
    amount: str
    currency: str
    display: str


class UserOut(Schema):
    id: UUID
    email: str
    display_name: str


class MembershipOut(Schema):
    merchant_id: UUID
    role: str


class MeOut(UserOut):
    memberships: list[MembershipOut]


class RegisterIn(Schema):
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=128)
    display_name: str = Field(..., max_length=200)


class RegisterOut(Schema):
    user: UserOut
    token: str


class TokenIn(Schema):
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=128)


class TokenOut(Schema):
    token: str


class MerchantIn(Schema):
    name: str = Field(..., max_length=500)
    category: str = Field(..., max_length=40)
    description: str = Field("", max_length=8000)


class MerchantOut(Schema):
    id: UUID
    name: str
    category: str
    status: str


class StoreIn(Schema):
    name: str = Field(..., max_length=500)
    address: str = Field(..., max_length=1000)
    lat: float
    lng: float
    timezone: str | None = Field(None, max_length=64, description="IANA name; default: the site's store timezone")
    opening_hours: dict[str, Any] = {}
    phone: str = Field("", max_length=64)


class MerchantRefOut(Schema):
    id: UUID
    name: str
    category: str


class OfferingOut(Schema):
    id: UUID
    kind: str
    title: str
    description: str
    price: MoneyOut
    list_price: MoneyOut
    discount_percent: int
    quantity_total: int
    quantity_left: int
    per_customer_limit: int
    valid_days: int
    status: str
    merchant: MerchantRefOut
    redeemable_store_ids: list[UUID]
    photos: list[str]
    stock: list[dict[str, Any]] = Field([], description="products: [{store_id, quantity_left (null: unlimited), sold_out}]")
    options: list[dict[str, Any]] = Field([], description="products: [{name, required, max_choices, choices: [{name, price_delta}]}]")
    prep_minutes: int = 0
    section_id: UUID | None = None
    service: dict[str, Any] | None = Field(None, description=(
        "services: {duration_minutes, capacity, store_ids, schedule, exceptions, lead_minutes, horizon_days, "
        "cancel_minutes, resource_ids}"))


class StoreOut(Schema):
    id: UUID
    name: str
    address: str
    lat: float
    lng: float
    timezone: str
    opening_hours: dict[str, Any]
    merchant: MerchantRefOut
    rating: float | None
    review_count: int
    open_now: bool


class StoreDetailOut(StoreOut):
    offerings: list[OfferingOut]


class StaffIn(Schema):
    email: str = Field(..., max_length=254)
    role: str = Field(..., max_length=20)
    store_ids: list[str] = Field(default_factory=list, max_length=500)


class StaffOut(Schema):
    id: UUID
    user_id: UUID
    email: str
    role: str
    store_ids: list[UUID]
    invite_token: str | None = None


class OfferingIn(Schema):
    kind: str = Field(..., max_length=20)
    title: str = Field(..., max_length=500)
    description: str = Field("", max_length=20000)
    price: MoneyIn
    list_price: MoneyIn | None = None
    quantity_total: StrictInt | None = Field(None, description="deals: units for sale (required); products use stock")
    per_customer_limit: StrictInt = 0
    valid_days: StrictInt = 90
    redeemable_store_ids: list[str] = Field(default_factory=list, max_length=500)
    status: str = Field("draft", max_length=20)
    stock: list[dict[str, Any]] | None = Field(None, max_length=500,
                                              description="products: [{store_id, quantity}], quantity null = unlimited")
    options: list[dict[str, Any]] | None = Field(None, max_length=8, description=(
        "products: [{name, required, max_choices, choices: [{name, price_delta: {amount, currency}}]}]"))
    section_id: str | None = Field(None, max_length=64, description="products: the menu section")
    prep_minutes: StrictInt = Field(0, description="products: minutes to make it (pickup slots start after it)")
    # services (kind "service", API.md "Appointments"): the booking side
    duration_minutes: StrictInt | None = Field(None, description="services: length of a slot; a slot starts every "
                                               "duration_minutes inside each window (a multiple of 5)")
    capacity: StrictInt | None = Field(None, description="services: seats per slot (a class's seats, chairs)")
    store_ids: list[str] | None = Field(None, max_length=500, description="services: the stores it is offered at")
    schedule: dict[str, Any] | None = Field(None, description=(
        'services: {"mon": [["10:00","12:00"]], ...} in each store\'s timezone, windows as in opening_hours '
        "(times on the 5-minute grid)"))
    exceptions: dict[str, Any] | None = Field(None, description=(
        'services: {"2026-12-25": [], "2026-12-24": [["10:00","12:00"]]}: a date closed or with other windows '
        "(the store's closed_dates close it too)"))
    lead_minutes: StrictInt = Field(60, description="services: book at least this many minutes ahead")
    horizon_days: StrictInt = Field(60, description="services: book at most this many days ahead")
    cancel_minutes: StrictInt = Field(120, description="services: the customer may cancel until this many "
                                      "minutes before the start")
    resource_ids: list[str] | None = Field(None, max_length=50, description=(
        "services: resources booked with every slot (POST /merchants/{id}/resources): never in two places at once"))
    prepay: str = Field("none", max_length=8, description=(
        "services: what is paid online when booking: none (at the store), deposit (`deposit`), full (the price)"))
    deposit: MoneyIn | None = Field(None, description="services with prepay deposit: more than 0, less than the price")
    late_cancel_keep_percent: StrictInt | None = Field(None, description=(
        "services: cancelling after the window is refused when null; else allowed, keeping this share (0-100) "
        "of what was paid"))
    no_show_fee: MoneyIn | None = Field(None, description=(
        "services: kept of what was paid when staff mark a no-show (null: all of it); at most what is paid online"))


class NearbyStoreOut(Schema):
    id: UUID
    name: str
    address: str
    merchant: MerchantRefOut
    lat: float
    lng: float
    distance_m: int
    rating: float | None
    review_count: int
    open_now: bool


class NearbyOut(Schema):
    results: list[NearbyStoreOut]


class OrderLineIn(Schema):
    offering_id: str = Field(..., max_length=64)
    quantity: StrictInt  # strict: true or "2" are not quantities
    options: list[dict[str, Any]] | None = Field(None, max_length=40, description="products: [{name, choice}]")
    unit_price: MoneyIn | None = Field(None, description=(
        "products: the unit price the customer was shown; a different price now -> 409 price_changed"))


class FulfilmentIn(Schema):
    """How the order is served: voucher (the default, deals), pickup {store_id, slot_start}, dine_in
    {table_id, pay_at_counter} or delivery {store_id, address, lat, lng} (priced by the store's zones:
    GET /stores/{id}/delivery-quote)."""

    type: str = Field("voucher", max_length=16)
    store_id: str | None = Field(None, max_length=64)
    slot_start: str | None = Field(None, max_length=40, description="a start from GET /stores/{id}/pickup-slots")
    table_id: str | None = Field(None, max_length=64)
    pay_at_counter: bool = False
    address: str | None = Field(None, max_length=300)
    lat: float | None = None
    lng: float | None = None


class OrderIn(Schema):
    lines: list[OrderLineIn] = Field(..., max_length=50)
    placement_id: UUID | None = Field(None, description="the campaign placement (flyer, poster) that brought it")
    fulfilment: FulfilmentIn | None = None
    coupon: str | None = Field(None, max_length=64, description=(
        "a coupon's id or code (deal orders): used as an adjustment line; claimed now if not in the wallet. "
        "404 coupon_not_found; 409 coupon_expired, coupon_not_yet_valid, coupon_min_spend, coupon_used_up, "
        "coupon_limit_reached, coupon_already_used, coupon_not_applicable, coupon_not_stackable"))
    points: StrictInt | None = Field(None, description=(
        "points of my member card at this merchant to spend (deal orders) as an adjustment line; "
        "409 not_enough_points; 422 bad_points, points_too_many"))


class OrderLineOut(Schema):
    offering_id: UUID
    title: str
    quantity: int
    unit_price: MoneyOut
    total: MoneyOut
    options: list[dict[str, Any]] = []
    refunded: MoneyOut | None = None


class AdjustmentOut(Schema):
    kind: str
    label: str
    amount: MoneyOut
    offering_id: UUID | None = None


class PaymentOut(Schema):
    id: UUID
    purpose: str
    status: str
    amount: MoneyOut
    refunded: MoneyOut
    created_at: datetime


class VoucherOut(Schema):
    id: UUID
    code: str
    status: str
    valid_until: datetime
    qr_payload: str
    offering_id: UUID
    redeemed_at: datetime | None = None
    redeemed_store_id: UUID | None = None


class OrderOut(Schema):
    id: UUID
    number: str
    status: str
    total: MoneyOut
    refunded: MoneyOut
    lines: list[OrderLineOut]
    vouchers: list[VoucherOut]
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None = None
    reviewed: bool
    fulfilment: str = "voucher"
    fulfilment_status: str = "pending"
    store_id: UUID | None = None
    channel: str = "web"
    paid: MoneyOut | None = None
    adjustments: list[AdjustmentOut] = []
    payments: list[PaymentOut] = []
    pickup_code: str | None = Field(None, description="pickup orders, once paid: the code the clerk scans or types")
    ticket: dict[str, Any] | None = Field(None, description=(
        "pickup and table orders: {kind, slot_start, slot_end, table, tab_id, pay_at_counter, reject_reason}"))
    delivery: dict[str, Any] | None = Field(None, description=(
        "delivery orders: {status, address, lat, lng, distance_m, fee, delivery_code (once paid: show it to the "
        "courier), promised_at, eta_pickup, eta_dropoff, picked_up_at, delivered_at, attempts, fail_reason, "
        "store: {id, lat, lng}, courier: {name, lat, lng, position_at} | null}"))
    member: dict[str, Any] | None = Field(None, description=(
        "a counter sale with a member card: {card_id, points (the card's balance now), earned}"))


class OrderListOut(Schema):
    results: list[OrderOut]


class PayIn(Schema):
    """Sandbox test cards: 4242424242424242 succeeds; 4000000000000002 and 4000000000009995 -> 402
    payment_declined; 4000000000000069 or a past expiry -> 402 expired_card; 4000000000000127 or CVC "000"
    -> 402 incorrect_cvc. exp_month/exp_year/cvc are optional, checked when given (422 with the field)."""

    provider: str = Field("sandbox", max_length=32)
    card_number: str = Field("", max_length=32, examples=["4242424242424242"])
    exp_month: int | str | None = Field(None, examples=[12], description="1-12; give it with exp_year")
    exp_year: int | str | None = Field(None, examples=[2030], description="2030 or 30")
    cvc: str | None = Field(None, max_length=8, examples=["123"], description="3 digits (4 for Amex); never stored")
    purpose: str = Field("full", max_length=16, description="full, deposit, balance or milestone")
    amount: str | None = Field(None, max_length=32, description="deposit/milestone amount; a balance defaults to what is due")
    reference: str = Field("", max_length=64, description="a milestone's reference")


class RefundIn(Schema):
    voucher_ids: list[str] | None = Field(None, max_length=200)


class RedeemIn(Schema):
    store_id: str = Field(..., max_length=64)
    code: str | None = Field(None, max_length=64)
    qr_payload: str | None = Field(None, max_length=4096)


class RedemptionOut(Schema):
    voucher_id: UUID
    status: str
    redeemed_at: datetime
    store_id: UUID
    offering_title: str
    order_number: str


class VoucherCheckOut(Schema):
    voucher_id: UUID
    status: str
    offering_title: str
    valid_until: datetime
    order_number: str
    customer_name: str


class KeyOut(Schema):
    kid: str
    alg: str
    public_key: str
    active: bool


class KeysOut(Schema):
    keys: list[KeyOut]


class ReviewIn(Schema):
    order_id: str = Field(..., max_length=64)
    rating: StrictInt
    text: str = Field("", max_length=4000)


class ReviewPhotoOut(Schema):
    id: UUID
    url: str
    width: int
    height: int


class ReviewOut(Schema):
    id: UUID
    rating: int
    text: str
    created_at: datetime
    verified: bool
    author: str
    reply: str | None = None
    replied_at: datetime | None = None
    edited_at: datetime | None = None
    photos: list[ReviewPhotoOut] = []


class ReviewPatchIn(Schema):
    """Only the fields sent change; the merchant's reply stays."""

    rating: StrictInt | None = None
    text: str | None = Field(None, max_length=4000)
    remove_photo_ids: list[str] = Field([], max_length=20)


class ReviewListOut(Schema):
    results: list[ReviewOut]
    rating: float | None
    review_count: int


class ReplyIn(Schema):
    text: str = Field(..., max_length=4000)


class OfflineItemIn(Schema):
    qr_payload: str = Field(..., max_length=4096)
    redeemed_at: str = Field(..., max_length=64, description="The device's clock when it redeemed, ISO 8601")


class SyncIn(Schema):
    store_id: str = Field(..., max_length=64)
    device_id: str = Field(..., min_length=8, max_length=64)
    device_name: str = Field("", max_length=80)
    items: list[OfflineItemIn] = Field(default_factory=list, max_length=500)


class ConflictPartyOut(Schema):
    at: datetime
    store_id: UUID | None
    store_name: str
    by: str
    device_id: str
    device_name: str
    online: bool


class ConflictOut(Schema):
    id: UUID
    voucher_id: UUID
    code_tail: str
    offering_title: str
    first: ConflictPartyOut
    second: ConflictPartyOut
    created_at: datetime
    resolved: bool


class SyncItemOut(Schema):
    index: int
    status: str
    code: str
    message: str
    voucher_id: UUID | None = None
    offering_title: str | None = None
    redeemed_at: datetime | None = None
    conflict: ConflictOut | None = None


class SyncOut(Schema):
    store_id: UUID
    device_id: str
    results: list[SyncItemOut]
    conflicts: list[ConflictOut]
