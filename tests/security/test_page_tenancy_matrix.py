"""Tenancy of the pages: every page of o2o.web x (anonymous, the customer, another customer, the clerk, the owner,
a rival merchant's owner), with the objects of one merchant and one customer.

Another merchant's or customer's object answers 404 (never its data), a clerk is refused the console (403),
anonymous visitors of private pages are sent to log in. A page added to o2o/web/urls.py without a row here
fails test_every_page_has_a_row, so no page escapes the matrix.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from o2o.merchants.models import StaffMembership
from o2o.reviews.services import review_create
from o2o.vouchers.models import RedemptionConflict
from o2o.vouchers.services import voucher_redeem
from tests.web import builders

pytestmark = pytest.mark.django_db
WHO = ("anonymous", "customer", "stranger", "clerk", "owner", "rival")
LOGIN = 302  # anonymous on a private page: to the login page
PRIVATE_ORDER = {"anonymous": LOGIN, "customer": 200, "stranger": 404, "clerk": 404, "owner": 404, "rival": 404}
CONSOLE = {"anonymous": LOGIN, "customer": 404, "stranger": 404, "clerk": 403, "owner": 200, "rival": 404}
PUBLIC = dict.fromkeys(WHO, 200)
STORE_STAFF = {"anonymous": LOGIN, "customer": 404, "stranger": 404, "clerk": 200, "owner": 200, "rival": 404}

# name -> (method, args from the world, expected status by who). POSTs that would change something are only
# sent by those who must be refused; their success is shown by the page tests.
MATRIX: dict[str, tuple[str, tuple[str, ...], dict[str, int]]] = {
    "home": ("get", (), PUBLIC),
    "store": ("get", ("store",), PUBLIC),
    "deal": ("get", ("deal",), PUBLIC),
    "checkout": ("post", ("deal",), {"anonymous": LOGIN}),
    "orders": ("get", (), {"anonymous": LOGIN, "customer": 200, "stranger": 200, "clerk": 200, "owner": 200,
                           "rival": 200}),
    "order": ("get", ("order",), PRIVATE_ORDER),
    "order_pay": ("get", ("order",), {**PRIVATE_ORDER, "customer": 302}),  # paid already: back to the order
    "order_status": ("get", ("order",), PRIVATE_ORDER),
    "order_refund": ("post", ("order",), {k: v for k, v in PRIVATE_ORDER.items() if k != "customer"}),
    "order_review": ("post", ("order",), {k: v for k, v in PRIVATE_ORDER.items() if k != "customer"}),
    "review_edit": ("get", ("review",), PRIVATE_ORDER),  # only the review's author
    "signup": ("get", (), {"anonymous": 200}),
    "login": ("get", (), {"anonymous": 200}),
    "logout": ("post", (), {"anonymous": 302}),
    "invite": ("get", ("bad_token",), dict.fromkeys(WHO, 404)),
    # forgotten password: public pages; a link of nobody's shows "this link does not work" (200, no form)
    "password_reset": ("get", (), PUBLIC),
    "password_reset_done": ("get", (), PUBLIC),
    "password_reset_confirm": ("get", ("bad_token", "bad_token"), PUBLIC),
    "password_reset_complete": ("get", (), PUBLIC),
    "console": ("get", (), {"anonymous": LOGIN, "customer": 200, "clerk": 200, "owner": 200, "rival": 200}),
    "merchant_new": ("get", (), {"anonymous": LOGIN, "customer": 200, "owner": 200}),
    "dashboard": ("get", ("merchant",), CONSOLE),
    "store_new": ("get", ("merchant",), CONSOLE),
    "store_edit": ("get", ("merchant", "store"), CONSOLE),
    "staff": ("get", ("merchant",), CONSOLE),
    "deal_new": ("get", ("merchant",), CONSOLE),
    "deal_edit": ("get", ("merchant", "deal"), CONSOLE),
    "staff_role": ("post", ("merchant", "membership"), {k: v for k, v in CONSOLE.items() if k != "owner"}),
    "staff_remove": ("post", ("merchant", "membership"), {k: v for k, v in CONSOLE.items() if k != "owner"}),
    "deal_status": ("post", ("merchant", "deal"), {k: v for k, v in CONSOLE.items() if k != "owner"}),
    "audit": ("get", ("merchant",), CONSOLE),
    "voucher_trail": ("get", ("merchant", "voucher"), CONSOLE),
    "conflicts": ("get", ("merchant",), CONSOLE),
    "conflict_resolve": ("post", ("merchant", "conflict"), {k: v for k, v in CONSOLE.items() if k != "owner"}),
    "reviews": ("get", ("merchant",), CONSOLE),
    "review_reply": ("post", ("merchant", "review"), {k: v for k, v in CONSOLE.items() if k != "owner"}),
    # staff of one store go straight to it; others see that they work nowhere
    "counter": ("get", (), {"anonymous": LOGIN, "customer": 200, "stranger": 200, "clerk": 302, "owner": 302,
                            "rival": 302}),
    "counter_store": ("get", ("store",), {"anonymous": LOGIN, "customer": 404, "stranger": 404, "clerk": 200,
                                          "owner": 200, "rival": 404}),
    "counter_sw": ("get", (), PUBLIC),
    # ordering: a table's QR menu and the pickup menu are public; the kitchen, the POS and receipts are the
    # store's staff's; tables and their QR sheet are the console's
    "table_menu": ("get", ("table",), PUBLIC),
    "store_order": ("get", ("store",), PUBLIC),
    "store_order_slots": ("get", ("store",), PUBLIC),
    # ordering for delivery (the world's store has a delivery zone): the menu, the pin and the quote box are public
    "store_delivery": ("get", ("store",), PUBLIC),
    "store_delivery_quote": ("get", ("store",), PUBLIC),
    # polled by an open order page: a session that ended gets "nothing new" (204), not a login page in the fragment
    "order_progress": ("get", ("food_order",), {**PRIVATE_ORDER, "anonymous": 204}),
    "kitchen": ("get", ("store",), STORE_STAFF),
    "kitchen_queue": ("get", ("store",), STORE_STAFF),
    "kitchen_pickup": ("post", ("store",), {k: v for k, v in STORE_STAFF.items() if v != 200}),
    "kitchen_move": ("post", ("store", "food_order", "accept"), {k: v for k, v in STORE_STAFF.items() if v != 200}),
    "pos": ("get", ("store",), STORE_STAFF),
    "pos_tab_close": ("post", ("store", "tab"), {k: v for k, v in STORE_STAFF.items() if v != 200}),
    "receipt": ("get", ("food_order",), STORE_STAFF),
    "store_tables": ("get", ("merchant", "store"), CONSOLE),
    "tables_sheet": ("get", ("merchant", "store"), CONSOLE),
    # member cards: each person's own; a card the person does not have sends them to their list (the
    # customer's paid order opened theirs at the merchant)
    "member_cards": ("get", (), {**dict.fromkeys(WHO, 200), "anonymous": LOGIN}),
    "member_card": ("get", ("merchant",), {**dict.fromkeys(WHO, 302), "anonymous": LOGIN, "customer": 200}),
    "member_card_open": ("post", ("merchant",), {"anonymous": LOGIN}),
    # campaigns: a placement's short link and its QR are public (a scan lands on the deal: 302); the console
    # page is the owner's and managers'; the print sheets any of the merchant's staff may print
    "scan": ("get", ("code",), dict.fromkeys(WHO, 302)),
    "scan_qr": ("get", ("code",), PUBLIC),
    "campaigns": ("get", ("merchant",), CONSOLE),
    "placement_toggle": ("post", ("merchant", "placement"), {k: v for k, v in CONSOLE.items() if k != "owner"}),
    "placement_sheet": ("get", ("merchant", "placement", "sheet"), {**CONSOLE, "clerk": 200}),
    "placement_sheet_png": ("get", ("merchant", "placement", "sheet"), {**CONSOLE, "clerk": 200}),
    # delivery: the courier's pages are couriers' only (nobody here is one: signed in, refused; not signed
    # in, to the login page); the order page's delivery panel, polled, is its customer's and only for a
    # delivery order (this world's order is a voucher order: 404 for everyone), "nothing new" once signed out
    "courier": ("get", (), {**dict.fromkeys(WHO, 403), "anonymous": LOGIN}),
    "courier_tasks": ("get", (), {**dict.fromkeys(WHO, 403), "anonymous": LOGIN}),
    "courier_shift": ("post", (), {**dict.fromkeys(WHO, 403), "anonymous": LOGIN}),
    "courier_pickup": ("post", (), {**dict.fromkeys(WHO, 403), "anonymous": LOGIN}),
    "courier_task": ("post", ("order", "action"), {**dict.fromkeys(WHO, 403), "anonymous": LOGIN}),
    "order_delivery": ("get", ("order",), {**dict.fromkeys(WHO, 404), "anonymous": 204}),
    # members: a team's page and a referral link are what a shared link opens (public; names only for people
    # signed in); joining or taking one is a signed-in person's, who lands on their order, the store or back
    # on the page with the reason (the merchant's own staff, the code's owner)
    "team": ("get", ("team",), PUBLIC),
    "team_join": ("post", ("team",), {**dict.fromkeys(WHO, 302), "anonymous": LOGIN}),
    "referral": ("get", ("referral_code",), PUBLIC),
    "referral_take": ("post", ("referral_code",), {**dict.fromkeys(WHO, 302), "anonymous": LOGIN}),
    # analytics: the console's tab and its CSVs are the owner's and managers'
    "analytics": ("get", ("merchant",), CONSOLE),
    "analytics_csv": ("get", ("merchant", "csv_table"), CONSOLE),
    # jobs: a request's page is its customer's and its merchant's staff's; accepting a quote is the customer's;
    # the quote form is the owner's and managers'
    "job_request": ("get", ("job_request",), {**PRIVATE_ORDER, "clerk": 200, "owner": 200}),
    "job_quote_accept": ("post", ("job_quote",), {k: v for k, v in PRIVATE_ORDER.items() if k != "customer"}),
    "merchant_job_quote": ("get", ("merchant", "job_request"), CONSOLE),
    # jobs on site: the technician's day is any staff's (their own visits; a customer is nobody's staff: 403);
    # checking in or out is the visit's technician's only (the merchant's other staff 403, anyone else 404); a
    # visit's report is its customer's and the merchant's staff's, signing it off the customer's
    "tech_day": ("get", (), {"anonymous": LOGIN, "customer": 403, "stranger": 403, "clerk": 200, "owner": 200,
                             "rival": 200}),
    "tech_check_in": ("post", ("visit",), {"anonymous": LOGIN, "customer": 404, "stranger": 404, "clerk": 403,
                                           "owner": 403, "rival": 404}),
    "tech_check_out": ("post", ("visit",), {"anonymous": LOGIN, "customer": 404, "stranger": 404, "clerk": 403,
                                            "owner": 403, "rival": 404}),
    "visit_report": ("get", ("visit",), {**PRIVATE_ORDER, "clerk": 200, "owner": 200}),
    "visit_sign_off": ("post", ("visit",), {"anonymous": LOGIN, "stranger": 404, "clerk": 403, "owner": 403,
                                            "rival": 404}),
    # a merchant's request form is public (sending it needs an account); "my requests" is each person's own;
    # the deposit, milestone payments, change orders, proofs and a request's files are the customer's (files
    # and previews its merchant's staff's too); the Jobs tab, its form editor and request view are the console's
    "job_form": ("get", ("job_form",), PUBLIC),
    "my_job_requests": ("get", (), {**dict.fromkeys(WHO, 200), "anonymous": LOGIN}),
    "job_deposit": ("get", ("job",), {**PRIVATE_ORDER, "customer": 302}),  # paid already: back to the request
    "job_milestone_pay": ("get", ("job_milestone",), PRIVATE_ORDER),  # the half the deposit left is due
    "job_change_order": ("post", ("job_change_order", "accept"), {k: v for k, v in PRIVATE_ORDER.items()
                                                                  if k != "customer"}),
    "job_milestone": ("post", ("job_milestone", "sign-off"), {k: v for k, v in PRIVATE_ORDER.items()
                                                              if k != "customer"}),
    "job_proof": ("post", ("job_proof", "approve"), {k: v for k, v in PRIVATE_ORDER.items() if k != "customer"}),
    "job_proof_preview": ("get", ("job_proof",), {**PRIVATE_ORDER, "clerk": 200, "owner": 200}),
    "job_file": ("get", ("job_upload",), {**PRIVATE_ORDER, "clerk": 200, "owner": 200}),
    "merchant_jobs": ("get", ("merchant",), CONSOLE),
    "merchant_job_form_new": ("get", ("merchant",), CONSOLE),
    "merchant_job_form": ("get", ("merchant", "job_form"), CONSOLE),
    "merchant_job_request": ("get", ("merchant", "job_request"), CONSOLE),
    # appointments: a service's slot picker is public; a booking is its customer's (paid at the store: its pay
    # page sends them to their list); the store's day of bookings is the merchant's staff's
    "service_book": ("get", ("service",), PUBLIC),
    "my_bookings": ("get", (), {**dict.fromkeys(WHO, 200), "anonymous": LOGIN}),
    "booking_pay": ("get", ("booking",), {**PRIVATE_ORDER, "customer": 302}),
    "booking_cancel": ("post", ("booking",), {k: v for k, v in PRIVATE_ORDER.items() if k != "customer"}),
    "store_bookings": ("get", ("merchant", "store"), {**CONSOLE, "clerk": 200}),
    # community: a merchant's micro-site and its share card are public (what a shared link opens); following
    # is a signed-in person's; the feed is each person's own; the Posts tab is the owner's and managers'
    "microsite": ("get", ("merchant",), PUBLIC),
    "microsite_card": ("get", ("merchant",), PUBLIC),
    "microsite_follow": ("post", ("merchant",), {"anonymous": LOGIN}),
    "feed": ("get", (), {**dict.fromkeys(WHO, 200), "anonymous": LOGIN}),
    "merchant_posts": ("get", ("merchant",), CONSOLE),
}

# The rival reaching the first merchant's objects through the rival's own merchant id: still 404.
CROSSED = {"store_edit": ("store",), "store_tables": ("store",), "tables_sheet": ("store",), "voucher_trail": ("voucher",), "deal_status": ("deal",),
           "deal_edit": ("deal",), "staff_role": ("membership",), "staff_remove": ("membership",),
           "conflict_resolve": ("conflict",), "review_reply": ("review",),
           "placement_sheet": ("placement", "sheet"), "placement_toggle": ("placement",),
           "merchant_job_quote": ("job_request",), "merchant_job_request": ("job_request",),
           "merchant_job_form": ("job_form",),
           "store_bookings": ("store",)}


def _world() -> dict[str, Any]:
    w = builders.world()
    order = builders.buy(w["customer"], w["deal"], 2)
    first, second = order.vouchers.order_by("code")
    voucher_redeem(actor=w["clerk"], store_id=w["store"].pk, code=first.code)
    review = review_create(customer=w["customer"], order_id=order.pk, rating=4, text="Good")
    now = timezone.now()
    conflict = RedemptionConflict.objects.create(
        merchant=w["merchant"], voucher=first, first_store=w["store"], first_by=w["clerk"], first_at=now,
        second_store=w["store"], second_by=w["clerk"], second_at=now, second_device_id="tablet-2")
    from o2o.catalogue.products import product_create
    from o2o.ordering.checkout import ordering_order_create
    from o2o.ordering.tables import table_create

    dish = product_create(merchant=w["merchant"], actor=w["owner"], title="Noodles", price={"amount": "18.00"},
                          stock=[{"store_id": str(w["store"].pk), "quantity": None}], status="live")
    table = table_create(user=w["owner"], store_id=w["store"].pk, label="A1")
    from o2o.delivery.zones import zone_create

    zone_create(user=w["owner"], store_id=w["store"].pk, name="3 km", kind="radius", radius_m=3000,
                fee_bands=[{"up_to_m": 3000, "fee": "5.00"}])
    food = ordering_order_create(customer=w["customer"], lines=[{"offering_id": str(dish.pk), "quantity": 1}],
                                 fulfilment={"type": "dine_in", "table_id": str(table.pk), "pay_at_counter": True})
    w.update(table=table.token, food_order=food, tab=food.ticket.tab, accept="accept")
    from o2o.campaigns.services import campaign_create

    campaign = campaign_create(user=w["owner"], merchant_id=w["merchant"].pk, name="Spring", placements=[
        {"kind": "flyer", "name": "Metro", "cost": {"amount": "10.00"}, "target": {"offering_id": str(w["deal"].pk)}}])
    placement = campaign.placements.get()
    w.update(placement=placement, code=placement.code, sheet="flyer")
    from o2o.jobs import services as jobs

    form = jobs.form_create(user=w["owner"], merchant_id=w["merchant"].pk, trade="printing", title="Flyers",
                            fields=[{"key": "qty", "label": "Quantity", "type": "number"}])
    job_request = jobs.request_submit(customer=w["customer"], form_id=form.pk, answers={"qty": 500})
    job_quote = jobs.quote_create(
        user=w["owner"], request_id=job_request.pk, valid_until=now + timezone.timedelta(days=3), deposit_share="50",
        milestones=[{"title": "Print", "share": "100"}],
        options=[{"tier": "good", "title": "A5", "lines": [{"description": "Flyers", "quantity": "500",
                                                            "unit_price": {"amount": "0.20"}}]}])
    w.update(job_request=job_request, job_quote=job_quote, job_form=form)
    from o2o.jobs import escrow as job_escrow
    from o2o.jobs import site as job_site
    from tests.jobs.conftest import pdf_bytes

    job = jobs.quote_accept(customer=w["customer"], quote_id=job_quote.pk, option_id=job_quote.options.get().pk)
    job_escrow.deposit_pay(customer=w["customer"], job_id=job.pk, provider="sandbox",
                           details={"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"})
    proof = job_site.proof_upload(staff=w["owner"], job_id=job.pk, data=pdf_bytes())
    change = job_escrow.change_order_propose(staff=w["owner"], job_id=job.pk, price={"amount": "120.00"},
                                             milestones=[{"title": "Print more", "share": "100"}], reason="More")
    w.update(job=job, job_milestone=job.milestones.get(), job_proof=proof, job_upload=proof.pdf,
             job_change_order=change, approve="approve", **{"sign-off": "sign-off"})
    from o2o.jobs import visits

    site_request = jobs.request_submit(customer=w["customer"], form_id=form.pk, answers={"qty": 100},
                                       site={"address": "1 Test Road", "lat": 30.66, "lng": 104.07})
    site_quote = jobs.quote_create(
        user=w["owner"], request_id=site_request.pk, valid_until=now + timezone.timedelta(days=3), deposit_share="50",
        milestones=[{"title": "Fit", "share": "100"}],
        options=[{"tier": "good", "title": "Fit", "lines": [{"description": "Work", "unit_price": {"amount": "90.00"}}]}])
    site_job = jobs.quote_accept(customer=w["customer"], quote_id=site_quote.pk, option_id=site_quote.options.get().pk)
    tech = builders.user("Technician")
    StaffMembership.objects.create(merchant=w["merchant"], user=tech, role="courier")
    w["visit"] = visits.visit_plan(staff=w["owner"], milestone_id=site_job.milestones.get().pk, technician_id=tech.pk,
                                   window_start=now, window_end=now + timezone.timedelta(hours=2))
    from o2o.bookings.selectors import live_service, open_slots
    from o2o.bookings.services import booking_create, service_create

    svc = service_create(merchant=w["merchant"], actor=w["owner"], title="Class", price={"amount": "50.00"},
                         duration_minutes=60, capacity=3, store_ids=[str(w["store"].pk)],
                         schedule={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                         status="live", lead_minutes=0)
    slot = open_slots(service=live_service(svc.pk), day=(timezone.localtime() + timezone.timedelta(days=1)).date())[0]
    booking = booking_create(customer=w["customer"], offering_id=svc.pk, start=slot.start)
    w.update(service=svc, booking=booking, action="deliver", csv_table="days")
    from o2o.catalogue.services import offering_create
    from o2o.members.models import Membership
    from o2o.members.referrals import referral_code_of
    from o2o.members.teams import team_deal_create, team_open

    team_offering = offering_create(merchant=w["merchant"], actor=w["owner"], kind="deal", title="Team",
                                    price={"amount": "20.00"}, quantity_total=50, per_customer_limit=0, valid_days=30,
                                    redeemable_store_ids=[str(w["store"].pk)], status="live")
    team_deal = team_deal_create(user=w["owner"], merchant_id=w["merchant"].pk,
                                 data={"offering_id": str(team_offering.pk), "team_size": 8, "hours": 2})
    w.update(team=str(team_open(customer=builders.user("Leader"), team_deal_id=team_deal.pk).team_id),
             referral_code=referral_code_of(card=Membership.objects.get(customer=w["customer"],
                                                                          merchant=w["merchant"])))
    w.update(order=order, voucher=second, review=review, conflict=conflict, stranger=builders.user("Stranger"),
             rival=w["other_owner"], bad_token="no-such-invitation",
             membership=StaffMembership.objects.get(merchant=w["merchant"], user=w["clerk"]))
    return w


def _client(w: dict[str, Any], who: str) -> Client:
    c = Client()
    if who != "anonymous":
        c.force_login(w[who])
    return c


def _arg(w: dict[str, Any], name: str) -> Any:
    value = w[name]
    return value if isinstance(value, str) else value.pk


def test_every_page_has_a_row():
    names = {p.name for p in get_resolver("o2o.web.urls").url_patterns if getattr(p, "name", None)}
    assert names == set(MATRIX), (sorted(names - set(MATRIX)), sorted(set(MATRIX) - names))


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_page_answers_each_person_as_the_tenancy_rules_say(name):
    w = _world()
    method, args, expected = MATRIX[name]
    url = reverse(f"web:{name}", args=[_arg(w, a) for a in args])
    for who, status in expected.items():
        r = getattr(_client(w, who), method)(url)
        assert r.status_code == status, (name, who, r.status_code)
        if status == LOGIN and who == "anonymous" and name not in ("logout", "counter", "scan"):
            assert "/login/" in r["Location"], (name, r["Location"])
        if status == 404 and who in ("stranger", "rival", "clerk", "customer"):
            body = r.content.decode()
            # nothing of the object leaks into the answer
            assert w["customer"].display_name not in body and w["order"].number not in body, (name, who)
    if name in CROSSED:
        own = [w["other_merchant"].pk] + [_arg(w, a) for a in CROSSED[name]]
        r = getattr(_client(w, "rival"), method)(reverse(f"web:{name}", args=own))
        assert r.status_code == 404, (name, "crossed", r.status_code)


def test_the_counter_sends_each_person_to_their_own_store_only():
    w = _world()
    assert _client(w, "clerk").get(reverse("web:counter"))["Location"] == reverse("web:counter_store",
                                                                                   args=[w["store"].pk])
    assert _client(w, "rival").get(reverse("web:counter"))["Location"] == reverse("web:counter_store",
                                                                                   args=[w["other_store"].pk])
    body = _client(w, "customer").get(reverse("web:counter")).content.decode()
    assert w["store"].name not in body and w["other_store"].name not in body


def test_unknown_ids_answer_404_not_500():
    w = _world()
    owner = _client(w, "owner")
    mid = w["merchant"].pk
    for name, args in (("store", [uuid.uuid4()]), ("deal", [uuid.uuid4()]), ("voucher_trail", [mid, uuid.uuid4()]),
                       ("store_edit", [mid, uuid.uuid4()]), ("dashboard", [uuid.uuid4()])):
        assert owner.get(reverse(f"web:{name}", args=args)).status_code == 404, name
    assert _client(w, "customer").get(reverse("web:order", args=[uuid.uuid4()])).status_code == 404
