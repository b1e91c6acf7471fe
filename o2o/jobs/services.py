"""Writes of jobs' front half: request forms, uploads, requests, their thread, quotes and accepting one.
The money half (deposit, milestone payments, escrow, change orders) is jobs.escrow; the site half
(check-ins, proofs) is jobs.site. Every function is keyword-only and transactional; status changes go
through o2o.core.state.transition with the tables of jobs.enums."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import Offering
from o2o.core.errors import Conflict, Invalid, NotFound
from o2o.core.money import check_currency, check_fits, parse_amount
from o2o.core.state import transition
from o2o.jobs import files, forms
from o2o.jobs.enums import (
    JOB_TRANSITIONS,
    QUOTE_TRANSITIONS,
    REQUEST_TRANSITIONS,
    FieldType,
    MilestoneKind,
    QuoteStatus,
    RequestStatus,
    Tier,
    Trade,
)
from o2o.jobs.models import (
    Job,
    JobEvent,
    JobRequest,
    Message,
    Milestone,
    Quote,
    QuoteEvent,
    QuoteLine,
    QuoteOption,
    RequestEvent,
    RequestForm,
    Upload,
)
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.merchants.models import Store

HUNDRED = Decimal("100.00")
CENT = Decimal("0.01")
MAX_QUOTE_DAYS = 365
MAX_LINES = 50
MAX_MILESTONES = 20


class QuoteExpired(Conflict):
    code = "quote_expired"


class AlreadyAccepted(Conflict):
    code = "already_accepted"


def request_move(req: JobRequest, to: str, *, actor: Any, reason: str = "") -> None:
    transition(obj=req, to=to, table=REQUEST_TRANSITIONS, event_model=RequestEvent, event_fk="request",
               actor=actor, reason=reason)


# --- forms -------------------------------------------------------------------------------------------

def form_create(*, user: User, merchant_id: Any, trade: str, title: str, fields: Any,
                checkin_radius_m: int = 500, store_id: Any = None, currency: str = "CNY") -> RequestForm:
    """A request form of the merchant (owners and managers: 403 for other staff, 404 for non-staff)."""
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    problems: dict[str, str] = {}
    if trade not in Trade.values:
        problems["trade"] = ", ".join(Trade.values)
    if not isinstance(title, str) or not title.strip() or len(title) > 140:
        problems["title"] = _("1 to 140 characters")
    if isinstance(checkin_radius_m, bool) or not isinstance(checkin_radius_m, int) or not 20 <= checkin_radius_m <= 20000:
        problems["checkin_radius_m"] = _("20 to 20000 metres")
    store = None
    if store_id is not None:
        store = Store.objects.filter(pk=as_uuid(store_id), merchant=merchant).first()
        if store is None:
            problems["store_id"] = _("not a store of this merchant")
    if problems:
        raise Invalid(_("Some fields are not valid."), fields=problems)
    clean = forms.check_definition(fields)
    currency = check_currency(currency)
    with transaction.atomic():
        # The job offering the job orders' lines point at: never on sale by itself (draft), priced per quote.
        offering = Offering.objects.create(merchant=merchant, kind=OfferingKind.JOB, title=title.strip()[:140],
                                           currency=currency, price_amount=Decimal(0), list_price_amount=Decimal(0),
                                           quantity_total=0, status=OfferingStatus.DRAFT)
        return RequestForm.objects.create(merchant=merchant, store=store, offering=offering, trade=trade,
                                          title=title.strip(), fields=clean, checkin_radius_m=checkin_radius_m)


def form_update(*, user: User, form_id: Any, title: str, fields: Any, checkin_radius_m: int = 500,
                active: bool = True) -> RequestForm:
    """A merchant's form changed (owners and managers): its title, fields, radius, and whether customers
    see it. Requests already sent keep their answers; the trade and the offering stay."""
    form = RequestForm.objects.filter(pk=as_uuid(form_id)).first()
    if form is None:
        raise NotFound()
    merchant_for_staff(user=user, merchant_id=form.merchant_id, manage=True)
    problems: dict[str, str] = {}
    if not isinstance(title, str) or not title.strip() or len(title) > 140:
        problems["title"] = _("1 to 140 characters")
    if isinstance(checkin_radius_m, bool) or not isinstance(checkin_radius_m, int) or not 20 <= checkin_radius_m <= 20000:
        problems["checkin_radius_m"] = _("20 to 20000 metres")
    if problems:
        raise Invalid(_("Some fields are not valid."), fields=problems)
    clean = forms.check_definition(fields)
    RequestForm.objects.filter(pk=form.pk).update(title=title.strip(), fields=clean, checkin_radius_m=checkin_radius_m,
                                                  active=bool(active), updated_at=timezone.now())
    form.refresh_from_db()
    return form


# --- uploads -----------------------------------------------------------------------------------------

def upload_create(*, user: User, data: bytes, name: str = "", allowed: frozenset[str] = files.ACCEPTED,
                  field: str = "file") -> Upload:
    """Keep a file the user sent, after jobs.files checked what it really is (422 invalid_file naming
    `field`), and that it is one of the `allowed` kinds (a photo field: images; artwork: PDF, PNG, JPEG)."""
    checked = files.check_file(data, allowed=allowed, field=field)
    ext = {"jpeg": "jpg"}.get(checked.kind, checked.kind)
    up = Upload(owner=user, kind=checked.kind, size=checked.size, name=(name or "")[:120],
                width=checked.width, height=checked.height)
    up.content.save(f"{up.id.hex}.{ext}", ContentFile(data), save=False)
    up.save()
    return up


def _take_uploads(*, user: User, ids: list[str], allowed: frozenset[str], field: str, req: JobRequest,
                  attached_as: str) -> list[Upload]:
    """Lock and attach the user's own unattached uploads (inside the caller's transaction)."""
    try:
        pks = [as_uuid(i) for i in ids]
    except NotFound:
        raise Invalid(_("Some fields are not valid."), fields={field: _("not an upload id")}) from None
    found = {u.pk: u for u in Upload.objects.select_for_update().filter(pk__in=pks, owner=user, request__isnull=True)}
    if len(found) != len(pks):
        raise Invalid(_("Some fields are not valid."), fields={field: _("unknown or already used upload")})
    for u in found.values():
        if u.kind not in allowed:
            raise Invalid(_("Some fields are not valid."),
                          fields={field: _("only %(k)s") % {"k": ", ".join(sorted(allowed))}})
    Upload.objects.filter(pk__in=pks).update(request=req, attached_as=attached_as[:64])
    return [found[p] for p in pks]


# --- requests and their thread --------------------------------------------------------------------------

def _coord(value: Any, lo: float, hi: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= float(value) <= hi:
        raise ValueError
    return float(value)


def request_submit(*, customer: User, form_id: Any, answers: Any, site: Any = None) -> JobRequest:
    """A customer's request on a form: answers checked against the form (422 with every field named),
    photos and files must be the customer's own unused uploads of the right kind; `site` = {address,
    lat, lng} (where a technician checks in). All or nothing."""
    from o2o.jobs.selectors import form_public

    form = form_public(form_id)
    clean, upload_ids = forms.check_answers(form.fields, answers)
    address, lat, lng = "", None, None
    if site is not None:
        try:
            if not isinstance(site, dict):
                raise ValueError
            address = str(site.get("address") or "")[:200]
            lat, lng = _coord(site.get("lat"), -90, 90), _coord(site.get("lng"), -180, 180)
            if (lat is None) != (lng is None):
                raise ValueError
        except ValueError:
            raise Invalid(_("Some fields are not valid."), fields={"site": _("{address, lat, lng} with valid coordinates")}) from None
    types = {f["key"]: f["type"] for f in form.fields}
    with transaction.atomic():
        req = JobRequest.objects.create(form=form, merchant_id=form.merchant_id, customer=customer, answers=clean,
                                        site_address=address, site_lat=lat, site_lng=lng)
        for key, ids in upload_ids.items():
            allowed = files.IMAGE_KINDS if types[key] == FieldType.PHOTOS else files.FILE_KINDS
            taken = _take_uploads(user=customer, ids=ids, allowed=allowed, field=f"answers.{key}", req=req,
                                  attached_as=f"answers.{key}")
            clean[key] = [str(u.pk) for u in taken] if types[key] == FieldType.PHOTOS else str(taken[0].pk)
        JobRequest.objects.filter(pk=req.pk).update(answers=clean)
        req.answers = clean
        RequestEvent.objects.create(request=req, actor=customer, to_status=req.status, reason="submitted")
    return req


def message_post(*, user: User, request_id: Any, text: Any, photo_ids: Any = None) -> Message:
    """A message in the request's thread, by its customer or its merchant's staff (anyone else: 404)."""
    from o2o.jobs.selectors import request_for

    req, side = request_for(user=user, request_id=request_id)
    if not isinstance(text, str) or not text.strip() or len(text) > 4000:
        raise Invalid(_("Some fields are not valid."), fields={"text": _("1 to 4000 characters")})
    ids = photo_ids or []
    if not isinstance(ids, list) or len(ids) > 6 or not all(isinstance(i, str) for i in ids):
        raise Invalid(_("Some fields are not valid."), fields={"photo_ids": _("at most 6 upload ids")})
    with transaction.atomic():
        msg = Message.objects.create(request=req, author=user, from_merchant=side == "merchant", text=text.strip())
        if ids:
            msg.photos.set(_take_uploads(user=user, ids=ids, allowed=files.IMAGE_KINDS, field="photo_ids", req=req,
                                         attached_as="message"))
    return msg


# --- quotes ----------------------------------------------------------------------------------------------

def _share(value: Any, field: str, problems: dict[str, str], *, lo: Decimal, hi: Decimal) -> Decimal:
    try:
        if isinstance(value, bool) or isinstance(value, float):
            raise InvalidOperation
        d = Decimal(str(value))
        if not d.is_finite() or d != d.quantize(CENT) or not lo <= d <= hi:
            raise InvalidOperation
        return d.quantize(CENT)
    except (InvalidOperation, ValueError):
        problems[field] = _("a percentage from %(lo)s to %(hi)s with at most 2 decimals (as a string)") % {
            "lo": lo, "hi": hi}
        return Decimal(0)


def check_milestones(milestones: Any, *, field: str = "milestones") -> list[dict[str, str]]:
    """[{title, share, kind}] with shares that sum to exactly 100.00 (422 naming what is wrong)."""
    problems: dict[str, str] = {}
    if not isinstance(milestones, list) or not 1 <= len(milestones) <= MAX_MILESTONES:
        raise Invalid(_("Some fields are not valid."), fields={field: _("1 to %(n)d milestones") % {"n": MAX_MILESTONES}})
    out = []
    total = Decimal(0)
    for i, m in enumerate(milestones):
        at = f"{field}.{i}"
        if not isinstance(m, dict):
            problems[at] = _("object expected")
            continue
        title, kind = m.get("title"), m.get("kind", MilestoneKind.WORK)
        if not isinstance(title, str) or not title.strip() or len(title) > 140:
            problems[f"{at}.title"] = _("1 to 140 characters")
        if kind not in MilestoneKind.values:
            problems[f"{at}.kind"] = ", ".join(MilestoneKind.values)
        share = _share(m.get("share"), f"{at}.share", problems, lo=CENT, hi=HUNDRED)
        total += share
        out.append({"title": (title or "").strip() if isinstance(title, str) else "", "share": str(share),
                    "kind": kind})
    if not problems and total != HUNDRED:
        problems[field] = _("the shares must sum to 100%% (they sum to %(t)s%%)") % {"t": total}
    if problems:
        raise Invalid(_("The milestones are not valid."), fields=problems)
    return out


def quote_create(*, user: User, request_id: Any, valid_until: datetime, deposit_share: Any, milestones: Any,
                 options: Any, note: str = "") -> Quote:
    """The merchant's quote (owners and managers): options good / better / best, each with its lines
    (total = sum of the lines), a validity, a deposit share (1-100%) and milestones whose shares sum to
    100%. 422 naming every problem; nothing is written then."""
    from o2o.jobs.selectors import request_for_staff

    req = request_for_staff(user=user, request_id=request_id, manage=True)
    if req.status not in (RequestStatus.SUBMITTED, RequestStatus.QUOTED):
        raise Conflict(_("This request is %(s)s; it cannot be quoted.") % {"s": req.get_status_display()},
                       code="not_quotable")
    currency = req.form.offering.currency
    problems: dict[str, str] = {}
    now = timezone.now()
    if valid_until.tzinfo is None:
        problems["valid_until"] = _("a time with its offset")
    elif not now < valid_until <= now + timedelta(days=MAX_QUOTE_DAYS):
        problems["valid_until"] = _("in the future, at most %(n)d days ahead") % {"n": MAX_QUOTE_DAYS}
    deposit = _share(deposit_share, "deposit_share", problems, lo=Decimal(1), hi=HUNDRED)
    if not isinstance(note, str) or len(note) > 4000:
        problems["note"] = _("at most 4000 characters")
    try:
        ms = check_milestones(milestones)
    except Invalid as exc:
        problems.update(exc.fields)
        ms = []
    if not isinstance(options, list) or not 1 <= len(options) <= 3:
        problems["options"] = _("1 to 3 options (good, better, best)")
        options = []
    parsed = []
    tiers: set[str] = set()
    for i, o in enumerate(options):
        at = f"options.{i}"
        if not isinstance(o, dict):
            problems[at] = _("object expected")
            continue
        tier, title, lines = o.get("tier"), o.get("title"), o.get("lines")
        if tier not in Tier.values:
            problems[f"{at}.tier"] = ", ".join(Tier.values)
        elif tier in tiers:
            problems[f"{at}.tier"] = _("used twice")
        tiers.add(str(tier))
        if not isinstance(title, str) or not title.strip() or len(title) > 140:
            problems[f"{at}.title"] = _("1 to 140 characters")
        if not isinstance(lines, list) or not 1 <= len(lines) <= MAX_LINES:
            problems[f"{at}.lines"] = _("1 to %(n)d lines") % {"n": MAX_LINES}
            continue
        rows, total = [], Decimal("0.00")
        for j, ln in enumerate(lines):
            lat = f"{at}.lines.{j}"
            if not isinstance(ln, dict):
                problems[lat] = _("object expected")
                continue
            desc = ln.get("description")
            if not isinstance(desc, str) or not desc.strip() or len(desc) > 200:
                problems[f"{lat}.description"] = _("1 to 200 characters")
            qty = _share(ln.get("quantity", "1"), f"{lat}.quantity", problems, lo=CENT, hi=Decimal("100000"))
            try:
                price = parse_amount(ln.get("unit_price", {}).get("amount") if isinstance(ln.get("unit_price"), dict)
                                     else None, currency, field=f"{lat}.unit_price")
                if isinstance(ln.get("unit_price"), dict) and ln["unit_price"].get("currency", currency) != currency:
                    raise Invalid(fields={f"{lat}.unit_price.currency": currency})
                line_total = (price.amount * qty).quantize(CENT, rounding=ROUND_HALF_UP)
                check_fits(line_total, field=f"{lat}.unit_price")
            except Invalid as exc:
                problems.update(exc.fields or {f"{lat}.unit_price": _("an amount")})
                continue
            total += line_total
            rows.append((str(desc).strip()[:200], qty, price.amount, line_total))
        if total <= 0 and f"{at}.lines" not in problems:
            problems[f"{at}.lines"] = _("the option's total must be more than 0")
        try:
            check_fits(total, field=f"{at}.lines")
        except Invalid as exc:
            problems.update(exc.fields)
        parsed.append((str(tier), str(title or "").strip(), rows, total))
    if problems:
        raise Invalid(_("The quote is not valid."), fields=problems)
    with transaction.atomic():
        JobRequest.objects.select_for_update().get(pk=req.pk)
        quote = Quote.objects.create(request=req, author=user, currency=currency, valid_until=valid_until,
                                     deposit_share=deposit, milestones=ms, note=note)
        for tier, title, rows, total in parsed:
            opt = QuoteOption.objects.create(quote=quote, tier=tier, title=title, total_amount=total, currency=currency)
            QuoteLine.objects.bulk_create([
                QuoteLine(option=opt, position=k, description=d, quantity=q, unit_price_amount=p, line_total_amount=t)
                for k, (d, q, p, t) in enumerate(rows)])
        QuoteEvent.objects.create(quote=quote, actor=user, to_status=quote.status, reason="sent")
        req.refresh_from_db()
        request_move(req, RequestStatus.QUOTED, actor=user, reason="quoted")
    return quote


def split(price: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Each share's amount of the price, rounded to the cent; the last takes what rounding left, so the
    amounts always sum to the price exactly."""
    amounts = [(price * s / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP) for s in shares[:-1]]
    return [*amounts, price - sum(amounts, Decimal("0.00"))]


def quote_accept(*, customer: User, quote_id: Any, option_id: Any) -> Job:
    """The request's customer accepts one option of a sent quote before it expires (409 quote_expired;
    a quote already accepted, or another quote of the request accepted: 409 already_accepted). Makes the
    job, awaiting its deposit, with its milestones' amounts (shares of the option's total)."""
    from o2o.jobs.selectors import quote_for

    quote, side = quote_for(user=customer, quote_id=quote_id)
    if side != "customer":
        raise NotFound()
    now = timezone.now()
    with transaction.atomic():
        req = JobRequest.objects.select_for_update().get(pk=quote.request_id)
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status == QuoteStatus.ACCEPTED or req.status == RequestStatus.ACCEPTED:
            raise AlreadyAccepted(_("An option of this request was already accepted."))
        if quote.status != QuoteStatus.SENT:
            raise AlreadyAccepted(_("This quote was replaced by another accepted quote."))
        if quote.valid_until <= now:
            raise QuoteExpired(_("This quote expired on %(at)s; ask the merchant for a new one.")
                               % {"at": quote.valid_until.isoformat()})
        try:
            option = QuoteOption.objects.filter(pk=as_uuid(option_id), quote=quote).first()
        except NotFound:
            option = None
        if option is None:
            raise Invalid(_("Some fields are not valid."), fields={"option_id": _("not an option of this quote")})
        transition(obj=quote, to=QuoteStatus.ACCEPTED, table=QUOTE_TRANSITIONS, event_model=QuoteEvent,
                   event_fk="quote", actor=customer, reason=f"accepted {option.tier}",
                   extra={"accepted_option": option}, where={"valid_until__gt": now})
        for other in Quote.objects.filter(request=req, status=QuoteStatus.SENT).exclude(pk=quote.pk):
            transition(obj=other, to=QuoteStatus.SUPERSEDED, table=QUOTE_TRANSITIONS, event_model=QuoteEvent,
                       event_fk="quote", actor=customer, reason="another quote accepted")
        request_move(req, RequestStatus.ACCEPTED, actor=customer, reason="quote accepted")
        price = option.total_amount
        deposit = split(price, [quote.deposit_share, HUNDRED - quote.deposit_share])[0] \
            if quote.deposit_share < HUNDRED else price
        job = Job.objects.create(request=req, quote=quote, option=option, merchant_id=req.merchant_id,
                                 customer=customer, currency=option.currency, price_amount=price,
                                 deposit_amount=deposit)
        JobEvent.objects.create(job=job, actor=customer, to_status=job.status, reason="created")
        shares = [Decimal(m["share"]) for m in quote.milestones]
        Milestone.objects.bulk_create([
            Milestone(job=job, position=i, title=m["title"], kind=m["kind"], share=Decimal(m["share"]), amount=a,
                      currency=job.currency) for i, (m, a) in enumerate(zip(quote.milestones, split(price, shares),
                                                                            strict=True))])
    return job


def job_move(job: Job, to: str, *, actor: Any, reason: str = "") -> None:
    transition(obj=job, to=to, table=JOB_TRANSITIONS, event_model=JobEvent, event_fk="job", actor=actor,
               reason=reason)
