"""Community pages: a merchant's micro-site (/m/<id>/, phone first, a PC layout at wide screens) with its
Open Graph card image, following it, the customer's feed (/me/feed/) and the console's Posts tab.

The merchant is reached through o2o.merchants.access (public_merchant; the console through
merchant_for_staff with manage=True): a merchant nobody may see answers 404, a clerk gets 403 on Posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from o2o.catalogue.enums import OfferingKind
from o2o.catalogue.selectors import public_offerings
from o2o.community import selectors
from o2o.community.enums import MAX_BODY, MAX_PHOTOS, MAX_TITLE, PostKind
from o2o.community.media import video_max_bytes, video_too_large
from o2o.community.services import (
    merchant_follow,
    merchant_unfollow,
    notifications_mark_read_for_posts,
    post_publish,
)
from o2o.core.errors import DomainError
from o2o.core.uploads import MB
from o2o.merchants.access import merchant_for_staff, public_merchant, public_stores
from o2o.merchants.enums import MerchantStatus
from o2o.merchants.hours import is_open
from o2o.merchants.models import star_rating
from o2o.reviews.models import Review
from o2o.web.share_card import share_card_png
from o2o.web.views.common import apply_error, domain_pages
from o2o.web.views.merchant import _render

FEED_PAGE = 30


def _rating(merchant_id: Any) -> tuple[float | None, int]:
    agg = public_stores().filter(merchant_id=merchant_id).aggregate(s=Sum("rating_sum"), n=Sum("review_count"))
    n = agg["n"] or 0
    return star_rating(agg["s"] or 0, n), n


@domain_pages
def microsite(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    merchant = public_merchant(merchant_id)
    now = timezone.now()
    stores = list(public_stores().filter(merchant=merchant).order_by("name"))
    offerings = public_offerings().filter(merchant=merchant).prefetch_related("photos").order_by("-created_at")
    deals = list(offerings.exclude(kind=OfferingKind.PRODUCT)[:12])
    menu = list(offerings.filter(kind=OfferingKind.PRODUCT)[:24])
    posts = list(selectors.posts_of_merchant(merchant_id=merchant.pk)[:10])
    reviews = list(Review.objects.filter(merchant=merchant, is_hidden=False).select_related("customer", "store")
                   .prefetch_related("photos").order_by("-created_at")[:10])
    rating, review_count = _rating(merchant.pk)
    follow = selectors.follow_of(user=request.user, merchant_id=merchant.pk)
    description = merchant.description or (
        _("%(deal)s and more at %(name)s.") % {"deal": deals[0].title, "name": merchant.name} if deals
        else _("Deals, menu and news of %(name)s.") % {"name": merchant.name})
    first = stores[0] if stores else None
    return render(request, "web/community/microsite.html", {
        "merchant": merchant, "stores": [{"store": s, "open": is_open(s.opening_hours, s.timezone, now, s.closed_dates)}
                                         for s in stores],
        "deals": deals, "menu": menu, "posts": posts, "reviews": reviews, "rating": rating,
        "review_count": review_count, "follow": follow, "followers": selectors.follower_count(merchant_id=merchant.pk),
        "og": {"title": merchant.name, "description": description[:200],
               "image": request.build_absolute_uri(reverse("web:microsite_card", args=[merchant.pk])),
               "url": request.build_absolute_uri(reverse("web:microsite", args=[merchant.pk]))},
        "map_data": {"centre": [first.lat, first.lng] if first else [0, 0], "stores": [
            {"id": str(s.pk), "name": s.name, "lat": s.lat, "lng": s.lng, "open": True,
             "url": reverse("web:store", args=[s.pk])} for s in stores]},
    })


@domain_pages
def microsite_card(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    """The share card (1200 x 630 PNG): name, category, rating, the newest deal."""
    from o2o.web.templatetags.o2o_web import money

    merchant = public_merchant(merchant_id)
    rating, n = _rating(merchant.pk)
    deal = public_offerings().filter(merchant=merchant).exclude(kind=OfferingKind.PRODUCT).order_by("-created_at").first()
    png = share_card_png(
        name=merchant.name, category=str(merchant.get_category_display()), rating=rating,
        reviews_label=(_("%(n)d reviews") % {"n": n}) if n else _("No reviews yet"),
        deal_title=deal.title if deal else "", deal_price=money(deal.price) if deal else "",
        deal_list_price=money(deal.list_price) if deal and deal.list_price_amount > deal.price_amount else "",
        footer=_("o2o · Follow for new deals and events"))
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=600"
    return response


@require_POST
@domain_pages
def microsite_follow(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    """The micro-site's Follow / Unfollow button (a form POST; anonymous: log in, then back to the site)."""
    merchant = public_merchant(merchant_id)
    back = reverse("web:microsite", args=[merchant.pk])
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    if request.POST.get("action") == "unfollow":
        merchant_unfollow(customer=request.user, merchant_id=merchant.pk)
        messages.info(request, _("You no longer follow %(name)s.") % {"name": merchant.name})
    else:
        merchant_follow(customer=request.user, merchant_id=merchant.pk, email=request.POST.get("email") == "on")
        messages.success(request, _("You follow %(name)s: its posts come to your feed.") % {"name": merchant.name})
    return redirect(back)


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    """Posts of the merchants the customer follows, newest first; what it shows is marked read."""
    posts = list(selectors.feed_of(user=request.user)[:FEED_PAGE])
    unread = set(selectors.notifications_of(user=request.user, unread_only=True)
                 .filter(post_id__in=[p.pk for p in posts]).values_list("post_id", flat=True))
    if unread:
        notifications_mark_read_for_posts(user=request.user, post_ids=list(unread))
    return render(request, "web/community/feed.html", {
        "items": [{"post": p, "new": p.pk in unread} for p in posts], "follows": list(selectors.follows_of(user=request.user)[:50])})


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Kind"), choices=PostKind.choices)
    title = forms.CharField(label=_lazy("Title"), max_length=MAX_TITLE)
    body = forms.CharField(label=_lazy("Text"), max_length=MAX_BODY, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    offering = forms.ChoiceField(label=_lazy("Deal"), required=False)
    # 24-hour text, as the store hours are (a datetime-local input shows 12-hour AM/PM in some browsers)
    event_at = forms.DateTimeField(label=_lazy("Event time"), required=False, input_formats=["%Y-%m-%d %H:%M"],
                                   help_text=_lazy("For an event: YYYY-MM-DD HH:MM, at your store's time."),
                                   widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD HH:MM",
                                                                 "pattern": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}",
                                                                 "inputmode": "numeric"}))

    def __init__(self, *args: Any, deals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offering = self.fields["offering"]
        assert isinstance(offering, forms.ChoiceField)
        offering.choices = [("", "—"), *((str(d.pk), d.title) for d in deals)]


def _at_store_time(merchant: Any, when: datetime | None) -> datetime | None:
    """The form read the wall-clock time in the server's zone: the same wall-clock time at the merchant's
    (first) store instead."""
    if when is None:
        return None
    store = public_stores().filter(merchant=merchant).order_by("created_at").first() or \
        merchant.stores.order_by("created_at").first()
    zone = ZoneInfo(store.timezone) if store is not None else timezone.get_current_timezone()
    return timezone.make_aware(timezone.make_naive(when), zone)


@login_required
@domain_pages
def posts_page(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    """The console's Posts tab: publish a post (photos, a short video) and see the merchant's posts."""
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    deals = list(public_offerings().filter(merchant=merchant).exclude(kind=OfferingKind.PRODUCT).order_by("title"))
    form = PostForm(request.POST or None, deals=deals)
    if request.method == "POST" and form.is_valid():
        try:
            video = request.FILES.get("video")
            if video is not None and (video.size or 0) > video_max_bytes():
                raise video_too_large(video_max_bytes(), "video")
            post_publish(user=request.user, merchant_id=merchant.pk, kind=form.cleaned_data["kind"],
                         title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                         offering_id=form.cleaned_data["offering"] or None,
                         event_at=_at_store_time(merchant, form.cleaned_data["event_at"]),
                         photos=[f.read(5 * MB + 1) for f in request.FILES.getlist("photos")[:MAX_PHOTOS + 1]],
                         video=video.read(video_max_bytes() + 1) if video is not None else None)
        except DomainError as exc:
            apply_error(form, exc, {"offering_id": "offering"})
        else:
            messages.success(request, _("Published: your followers see it in their feed."))
            return redirect("web:merchant_posts", merchant_id=merchant.pk)
    return _render(request, "web/merchant/posts.html", {
        "merchant": merchant, "form": form, "posts": list(selectors.posts_of_merchant(merchant_id=merchant.pk)[:30])
        if merchant.status == MerchantStatus.ACTIVE else [],
        "followers": selectors.follower_count(merchant_id=merchant.pk),
        "video_mb": video_max_bytes() // MB, "max_photos": MAX_PHOTOS})
