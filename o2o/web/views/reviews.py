"""The customer's review pages: write one for an order (stars, text, photos), edit one's own."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from o2o.catalogue.images import MAX_BYTES
from o2o.core.errors import DomainError
from o2o.core.uploads import read_limited
from o2o.orders.selectors import order_for_customer
from o2o.reviews.selectors import review_for_author, review_of_order
from o2o.reviews.services import MAX_PHOTOS, review_create, review_update
from o2o.web.forms import ReviewForm
from o2o.web.views.common import apply_error, domain_pages


def _uploads(request: HttpRequest) -> list[bytes]:
    # One more than allowed is read, so the service can say "at most 6" instead of dropping some.
    return [read_limited(f, MAX_BYTES, field="photos") for f in request.FILES.getlist("photos")[:MAX_PHOTOS + 1]]


def _page(request: HttpRequest, *, order: Any, form: ReviewForm, review: Any = None, status: int = 200) -> HttpResponse:
    return render(request, "web/customer/review_form.html", {
        "order": order, "form": form, "review": review, "max_photos": MAX_PHOTOS,
        "chosen": str(form["rating"].value() or ""),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_pages
def order_review(request: HttpRequest, order_id: Any) -> HttpResponse:
    order = order_for_customer(user=request.user, order_id=order_id)
    existing = review_of_order(order=order)
    if existing is not None:
        return redirect("web:review_edit", review_id=existing.pk)
    if request.method == "GET":
        return _page(request, order=order, form=ReviewForm())
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_create(customer=request.user, order_id=order.pk,  # type: ignore[arg-type]
                          rating=form.cleaned_data["rating"], text=form.cleaned_data["text"],
                          photos=_uploads(request))
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Thank you for your review!"))
            return redirect("web:order", order_id=order.pk)
    return _page(request, order=order, form=form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
@domain_pages
def review_edit(request: HttpRequest, review_id: Any) -> HttpResponse:
    review = review_for_author(user=request.user, review_id=review_id)
    if request.method == "GET":
        form = ReviewForm(initial={"rating": review.rating, "text": review.text})
        return _page(request, order=review.order, form=form, review=review)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_update(customer=request.user, review_id=review.pk,  # type: ignore[arg-type]
                          rating=form.cleaned_data["rating"], text=form.cleaned_data["text"],
                          add_photos=_uploads(request), remove_photo_ids=request.POST.getlist("remove_photo"))
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your review is updated."))
            return redirect("web:order", order_id=review.order_id)
    return _page(request, order=review.order, form=form, review=review, status=422)
