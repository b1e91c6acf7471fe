"""The merchant console: open a merchant, dashboard, stores, staff, deals, voucher audit, reviews.

Every lookup goes through o2o.merchants.access (via the services and selectors): another
merchant's objects answer 404, clerks get 403 on anything that edits the catalogue.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from o2o.analytics.selectors import merchant_dashboard
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import Offering
from o2o.catalogue.services import (
    offering_create,
    offering_photo_add,
    offering_photo_remove,
    offering_set_status,
    offering_update,
)
from o2o.catalogue.stock import stock_left
from o2o.core import conf
from o2o.core.conf import default_store_timezone
from o2o.core.errors import DomainError, NotFound
from o2o.merchants.access import as_uuid, merchant_for_staff, store_for_staff
from o2o.merchants.enums import Role
from o2o.merchants.models import Store
from o2o.merchants.selectors import memberships_of_user, merchant_staff
from o2o.merchants.services import (
    merchant_create,
    staff_add,
    staff_change_role,
    staff_remove,
    store_create,
    store_update,
)
from o2o.reviews.models import Review
from o2o.reviews.selectors import review_for_merchant_staff
from o2o.reviews.services import review_reply
from o2o.vouchers.offline import conflict_resolve, merchant_conflicts, open_conflict_count
from o2o.vouchers.selectors import voucher_search, voucher_trail
from o2o.web.forms import DealEditForm, DealForm, MerchantForm, ReplyForm, StaffForm, StoreForm
from o2o.web.views.common import apply_error, domain_pages, error_text
from o2o.web.views.nostore import no_store

MAX_PHOTOS = 8

# The console's tabs, and the one place that says which tab each console page belongs to (by URL
# name): a page edits or shows something of its tab's kind, never "the tab whose link it resembles".
TABS = (
    ("dashboard", _lazy("Dashboard")),
    ("deal_new", _lazy("New deal")),
    ("store_new", _lazy("Add store")),
    ("staff", _lazy("Staff")),
    ("audit", _lazy("Voucher audit")),
    ("reviews", _lazy("Reviews")),
    ("campaigns", _lazy("Campaigns")),
    ("analytics", _lazy("Analytics")),
    ("merchant_jobs", _lazy("Jobs")),
    ("merchant_posts", _lazy("Posts")),
)
TAB_OF_PAGE = {
    "dashboard": "dashboard",
    "deal_new": "deal_new",
    "deal_edit": "dashboard",  # the deals list lives on the dashboard
    "store_new": "store_new",
    "store_edit": "dashboard",  # so do the stores: editing one is not adding one
    "staff": "staff",
    "audit": "audit",
    "voucher_trail": "audit",
    "conflicts": "audit",
    "reviews": "reviews",
    "store_tables": "dashboard",  # ordering: staff (p2): a store's tables, reached from the stores list
    "tables_sheet": "dashboard",
    "analytics": "analytics",  # the event stream's figures and charts (web/views/analytics.py)
    "analytics_csv": "analytics",
    "campaigns": "campaigns",  # placements, their QR sheets and the funnel (web/views/campaigns.py)
    "placement_toggle": "campaigns",
    "placement_sheet": "campaigns",
    "placement_sheet_png": "campaigns",
    "store_bookings": "dashboard",  # appointments: a store's day of bookings, reached from the stores list
    "merchant_jobs": "merchant_jobs",  # custom jobs: requests and request forms (web/views/jobs_merchant.py)
    "merchant_job_form_new": "merchant_jobs",
    "merchant_job_form": "merchant_jobs",
    "merchant_job_request": "merchant_jobs",
    "merchant_job_quote": "merchant_jobs",
    "merchant_posts": "merchant_posts",  # community: publish posts to the merchant's followers
}


def console_tabs(request: HttpRequest, merchant: Any) -> list[dict[str, Any]]:
    """The tabs with their links; exactly one is current (the page's own, from TAB_OF_PAGE)."""
    url_name = getattr(getattr(request, "resolver_match", None), "url_name", "") or ""
    current = TAB_OF_PAGE.get(url_name)
    return [{"name": name, "label": label, "url": reverse(f"web:{name}", args=[merchant.pk]),
             "current": name == current} for name, label in TABS]


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A console page: its merchant's tabs come with it."""
    context.setdefault("tabs", console_tabs(request, context["merchant"]))
    return render(request, template, context)


@login_required
def console_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/merchant/console.html", {"memberships": memberships_of_user(user=request.user)})


@login_required
def merchant_new(request: HttpRequest) -> HttpResponse:
    form = MerchantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merchant = merchant_create(owner=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            apply_error(form, exc)
        else:
            if merchant.status == "pending":
                messages.info(request, _("Your merchant waits for approval; you can prepare stores and deals now."))
            else:
                messages.success(request, _("%(name)s is open. Add your first store.") % {"name": merchant.name})
            return redirect("web:store_new", merchant_id=merchant.pk)
    return render(request, "web/merchant/merchant_new.html", {"form": form})


@login_required
@domain_pages
def dashboard(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    board = merchant_dashboard(user=request.user, merchant_id=merchant_id)
    chart = {
        "labels": [date_format(d, "MONTH_DAY_FORMAT") for d, _n in board.redemptions_by_day],
        "values": [n for _d, n in board.redemptions_by_day],
        "label": _("Vouchers redeemed"),
    }
    revenue_labels = {"today": _("Today"), "7d": _("Last 7 days"), "30d": _("Last 30 days")}
    revenue = [{"period": p, "label": revenue_labels[p.key]} for p in board.revenue]
    return _render(request, "web/merchant/dashboard.html", {
        "board": board, "merchant": board.merchant, "chart": chart, "revenue": revenue,
        "open_conflicts": open_conflict_count(merchant=board.merchant)})


@login_required
@domain_pages
def store_new(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    centre = conf.get().demo_centre
    form = StoreForm(request.POST or None, initial={"timezone": default_store_timezone()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            store_create(merchant=merchant, name=data["name"], address=data["address"], lat=data["lat"],
                         lng=data["lng"], timezone=data["timezone"], opening_hours=form.opening_hours(),
                         phone=data.get("phone") or "")
        except DomainError as exc:
            day = (exc.fields or {}).get("opening_hours")
            if isinstance(day, str) and f"{day}_mode" in form.fields:
                form.add_error(f"{day}_mode", error_text(exc))  # point at the day the hours are wrong on
            apply_error(form, exc)
        else:
            messages.success(request, _("Store %(name)s added.") % {"name": data["name"]})
            return redirect("web:dashboard", merchant_id=merchant.pk)
    return _render(request, "web/merchant/store_new.html", {
        "merchant": merchant, "form": form,
        "picker": {"centre": [centre[0], centre[1]]},
    })


@login_required
@domain_pages
def store_edit(request: HttpRequest, merchant_id: Any, store_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    store, _m = store_for_staff(user=request.user, store_id=store_id, manage=True)
    if store.merchant_id != merchant.pk:
        raise Http404()
    form = StoreForm(request.POST or None, initial=StoreForm.initial_from_store(store))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            store_update(store=store, name=data["name"], address=data["address"], lat=data["lat"], lng=data["lng"],
                         timezone=data["timezone"], opening_hours=form.opening_hours())
        except DomainError as exc:
            day = (exc.fields or {}).get("opening_hours")
            if isinstance(day, str) and f"{day}_mode" in form.fields:
                form.add_error(f"{day}_mode", error_text(exc))
            apply_error(form, exc)
        else:
            messages.success(request, _("Store %(name)s saved.") % {"name": store.name})
            return redirect("web:dashboard", merchant_id=merchant.pk)
    return _render(request, "web/merchant/store_new.html", {
        "merchant": merchant, "form": form, "store": store,
        "picker": {"centre": [store.lat, store.lng]},
    })


@login_required
@domain_pages
def staff(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    merchant, rows = merchant_staff(user=request.user, merchant_id=merchant_id)
    stores = list(Store.objects.filter(merchant=merchant).order_by("name"))
    form = StaffForm(request.POST or None, stores=stores)
    invite_link = ""
    if request.method == "POST" and form.is_valid():
        try:
            membership = staff_add(merchant=merchant, email=form.cleaned_data["email"],
                                   role=form.cleaned_data["role"], store_ids=form.cleaned_data["stores"])
        except DomainError as exc:
            apply_error(form, exc, {"store_ids": "stores"})
        else:
            if membership.invite_token:
                invite_link = request.build_absolute_uri(reverse("web:invite", args=[membership.invite_token]))
                messages.success(request, _("Invitation created. Send the link below to %(email)s.")
                                 % {"email": membership.user.email})
            else:
                messages.success(request, _("%(email)s can now work for %(m)s.")
                                 % {"email": membership.user.email, "m": merchant.name})
            merchant, rows = merchant_staff(user=request.user, merchant_id=merchant_id)
            form = StaffForm(stores=stores)
    return _render(request, "web/merchant/staff.html", {
        "merchant": merchant, "rows": rows, "form": form, "invite_link": invite_link, "stores": stores,
        "role_choices": [(r, Role(r).label) for r in (Role.MANAGER, Role.CLERK, Role.COURIER)],
    })


@login_required
@require_POST
@domain_pages
def staff_role_view(request: HttpRequest, merchant_id: Any, staff_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    try:
        ms = staff_change_role(merchant=merchant, actor=request.user, staff_id=staff_id,  # type: ignore[arg-type]
                               role=request.POST.get("role") or None, store_ids=request.POST.getlist("stores"))
    except NotFound:
        raise  # another merchant's staff member: 404 like every other object of theirs
    except DomainError as exc:
        messages.error(request, " ".join([error_text(exc), *[str(v) for v in (exc.fields or {}).values()
                                                              if isinstance(v, str)]]))
    else:
        messages.success(request, _("%(name)s is now %(role)s.")
                         % {"name": ms.user.display_name, "role": Role(ms.role).label.lower()})
    return redirect("web:staff", merchant_id=merchant.pk)


@login_required
@require_POST
@domain_pages
def staff_remove_view(request: HttpRequest, merchant_id: Any, staff_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    try:
        ms = staff_remove(merchant=merchant, actor=request.user, staff_id=staff_id)  # type: ignore[arg-type]
    except NotFound:
        raise  # another merchant's staff member: 404 like every other object of theirs
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(name)s no longer works for %(m)s.")
                         % {"name": ms.user.display_name, "m": merchant.name})
        if ms.user_id == request.user.pk:
            return redirect("web:console")
    return redirect("web:staff", merchant_id=merchant.pk)


@login_required
@domain_pages
def deal_new(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    stores = list(Store.objects.filter(merchant=merchant, is_active=True).order_by("name"))
    form = DealForm(request.POST or None, stores=stores,
                    initial={"stores": [str(s.pk) for s in stores][:1]})
    photo_error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photos = request.FILES.getlist("photos")
        currency = conf.get().currency
        try:
            offering = offering_create(
                merchant=merchant, actor=request.user, kind=OfferingKind.DEAL,  # type: ignore[arg-type]
                title=data["title"], description=data["description"],
                price={"amount": str(data["price"]), "currency": currency},
                list_price={"amount": str(data["list_price"]), "currency": currency},
                quantity_total=data["quantity_total"], per_customer_limit=data["per_customer_limit"],
                valid_days=data["valid_days"], redeemable_store_ids=data["stores"], status=data["publish"])
        except DomainError as exc:
            apply_error(form, exc, {"redeemable_store_ids": "stores"})
        else:
            bad = _add_photos(offering, photos)
            if bad:
                messages.warning(request, _("The deal was saved, but some photos were refused: %(list)s")
                                 % {"list": "; ".join(bad)})
            messages.success(request, _("Deal “%(t)s” saved (%(s)s).")
                             % {"t": offering.title, "s": OfferingStatus(offering.status).label})
            return redirect("web:dashboard", merchant_id=merchant.pk)
    return _render(request, "web/merchant/deal_new.html", {
        "merchant": merchant, "form": form, "stores": stores, "photo_error": photo_error,
        "currency": conf.get().currency,
    })


@login_required
@domain_pages
def deal_edit(request: HttpRequest, merchant_id: Any, offering_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    offering = (Offering.objects.filter(merchant=merchant, pk=as_uuid(offering_id))
                .prefetch_related("photos", "redeemable_stores").first())
    if offering is None:
        raise Http404()
    stores = list(Store.objects.filter(merchant=merchant).filter(
        Q(is_active=True) | Q(pk__in=offering.redeemable_stores.all())).order_by("name"))
    photos = list(offering.photos.all())
    taken = offering.quantity_total - stock_left([offering.pk]).get(offering.pk, 0)
    form = DealEditForm(request.POST or None, stores=stores, photos=photos, taken=taken,
                        initial=DealEditForm.initial_from_offering(offering))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        currency = offering.currency
        try:
            offering = offering_update(
                offering_id=offering.pk, merchant=merchant, actor=request.user,  # type: ignore[arg-type]
                title=data["title"], description=data["description"],
                price={"amount": str(data["price"]), "currency": currency},
                list_price={"amount": str(data["list_price"]), "currency": currency},
                quantity_total=data["quantity_total"], per_customer_limit=data["per_customer_limit"],
                valid_days=data["valid_days"], redeemable_store_ids=data["stores"])
        except DomainError as exc:
            apply_error(form, exc, {"redeemable_store_ids": "stores"})
        else:
            offering_photo_remove(offering=offering, photo_ids=data.get("remove_photos") or [],
                                  actor=request.user)  # type: ignore[arg-type]
            bad = _add_photos(offering, request.FILES.getlist("photos"),
                              start=len(photos) - len(data.get("remove_photos") or []))
            if bad:
                messages.warning(request, _("The deal was saved, but some photos were refused: %(list)s")
                                 % {"list": "; ".join(bad)})
            messages.success(request, _("Deal “%(t)s” saved.") % {"t": offering.title})
            return redirect(reverse("web:dashboard", args=[merchant.pk]) + "#deals")
    return _render(request, "web/merchant/deal_new.html", {
        "merchant": merchant, "form": form, "stores": stores, "offering": offering, "photos": photos,
        "currency": offering.currency, "max_photos": MAX_PHOTOS,
    })


def _add_photos(offering: Offering, uploads: list[Any], *, start: int = 0) -> list[str]:
    """Add uploaded photos after the ones the offering has (at most MAX_PHOTOS in all); the refused ones' reasons."""
    bad = []
    room = max(0, MAX_PHOTOS - max(0, start))
    for i, upload in enumerate(uploads[:room]):
        try:
            offering_photo_add(offering=offering, data=upload.read(), position=start + i)
        except DomainError as exc:
            bad.append(f"{upload.name}: {error_text(exc)}")
    for upload in uploads[room:]:
        bad.append(f"{upload.name}: " + _("a deal has at most %(n)d photos.") % {"n": MAX_PHOTOS})
    return bad


@login_required
@require_POST
@domain_pages
def deal_status(request: HttpRequest, merchant_id: Any, offering_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    offering = Offering.objects.filter(merchant=merchant, pk=as_uuid(offering_id)).first()
    if offering is None:
        raise Http404()
    status = request.POST.get("status", "")
    if status not in OfferingStatus.values:
        messages.error(request, _("Unknown status."))
    else:
        try:
            offering_set_status(offering=offering, status=status, actor=request.user)  # type: ignore[arg-type]
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("“%(t)s” is now %(s)s.")
                             % {"t": offering.title, "s": OfferingStatus(status).label.lower()})
    return redirect(reverse("web:dashboard", args=[merchant.pk]) + "#deals")


@login_required
@no_store  # shows voucher codes
@domain_pages
def audit(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    query = (request.GET.get("q") or "").strip()[:40]
    results = voucher_search(user=request.user, merchant_id=merchant.pk, query=query) if query else []
    if len(results) == 1 and request.GET.get("go") != "0":
        return redirect("web:voucher_trail", merchant_id=merchant.pk, voucher_id=results[0].pk)
    return _render(request, "web/merchant/audit.html", {"merchant": merchant, "q": query, "results": results})


@login_required
@no_store  # shows voucher codes
@domain_pages
def voucher_trail_view(request: HttpRequest, merchant_id: Any, voucher_id: Any) -> HttpResponse:
    voucher, events, order_events = voucher_trail(user=request.user, merchant_id=merchant_id, voucher_id=voucher_id)
    return _render(request, "web/merchant/voucher.html", {
        "merchant": voucher.merchant, "voucher": voucher, "events": events, "order_events": order_events,
        "siblings": voucher.order.vouchers.exclude(pk=voucher.pk).order_by("created_at"),
    })


@login_required
@domain_pages
def reviews(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    rows = (Review.objects.filter(merchant=merchant).select_related("customer", "store", "order")
            .order_by("-created_at")[:100])
    return _render(request, "web/merchant/reviews.html", {"merchant": merchant, "rows": rows,
                                                          "reply_form": ReplyForm()})


@login_required
@require_POST
@domain_pages
def review_reply_view(request: HttpRequest, merchant_id: Any, review_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    review = review_for_merchant_staff(user=request.user, review_id=review_id)
    if review.merchant_id != merchant.pk:
        raise Http404()
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a reply first."))
    else:
        try:
            review_reply(review=review, actor=request.user, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Your reply is published."))
    return redirect(reverse("web:reviews", args=[merchant.pk]) + f"#review-{review.pk}")


@login_required
@no_store  # shows voucher codes
@domain_pages
def conflicts(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    """Vouchers redeemed twice while counters were offline: both devices and times, which one stands."""
    show_all = request.GET.get("all") == "1"
    merchant, rows, refused = merchant_conflicts(user=request.user, merchant_id=merchant_id,
                                                 include_resolved=show_all)
    return _render(request, "web/merchant/conflicts.html", {"merchant": merchant, "rows": rows, "refused": refused,
                                                            "show_all": show_all})


@login_required
@require_POST
@domain_pages
def conflict_resolve_view(request: HttpRequest, merchant_id: Any, conflict_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    conflict_resolve(actor=request.user, merchant_id=merchant.pk, conflict_id=conflict_id)  # type: ignore[arg-type]
    messages.success(request, _("Conflict marked as resolved."))
    return redirect("web:conflicts", merchant_id=merchant.pk)
