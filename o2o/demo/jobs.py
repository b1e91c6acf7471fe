"""Custom jobs in the demo city: every renovation firm and print shop gets its request form (renovation:
the site on the map, area, rooms, style, budget, photos; print: product, size, material, quantity, finish,
artwork), and requests at every stage; all through the jobs services (form_create, upload_create,
request_submit, quote_create, quote_accept, deposit_pay, milestone_pay, visits: visit_plan, visit_check_in,
visit_check_out, milestone_sign_off, milestone_dispute).

The first renovation firm is the featured one: the demo customer's flat renovation there has five
milestones, the first two signed off (released to the firm), the third disputed (held), and the demo
technician (tech@demo.o2o) visits today: the fourth milestone at the demo customer's flat and two other
customers' sites, in windows the technician's day page orders. Check-ins are made now and then dated back
to their visits (as history.py dates orders back). Its own random stream keeps the rest of the city as it was.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from o2o.accounts.models import User
from o2o.catalogue.services import offering_photo_add
from o2o.core.errors import DomainError
from o2o.demo import places
from o2o.demo.orders import CityEntry
from o2o.demo.photos import deal_photo
from o2o.jobs import escrow, services, visits
from o2o.jobs.models import CheckIn, Job, JobRequest, Quote, RequestForm, Visit
from o2o.merchants.enums import Role
from o2o.merchants.models import StaffMembership, Store

GOOD_CARD = {"card_number": "4242424242424242"}
RENOVATION_STYLES = ["现代简约 Modern", "新中式 New Chinese", "北欧 Nordic", "日式 Japanese"]
PRINT_PRODUCTS = ["名片 Business cards", "海报 Posters", "宣传单 Flyers", "包装盒 Boxes"]
PRINT_MATERIALS = ["300g 铜版纸 Coated 300 g", "157g 铜版纸 Coated 157 g", "牛皮纸 Kraft", "瓦楞纸 Corrugated board"]
PRINT_FINISHES = ["覆哑膜 Matt lamination", "覆亮膜 Gloss lamination", "烫金 Gold foil", "无 None"]
RENOVATION_FIELDS: list[dict[str, Any]] = [
    {"key": "area", "label": "面积 Area", "type": "area", "required": True, "min": 5, "max": 2000},
    {"key": "rooms", "label": "房间数 Rooms", "type": "number", "required": True, "min": 1, "max": 30},
    {"key": "style", "label": "风格 Style", "type": "choice", "required": True,
     "choices": RENOVATION_STYLES},
    {"key": "budget", "label": "预算（元）Budget (yuan)", "type": "number", "min": 0},
    {"key": "photos", "label": "现场照片 Photos of the site", "type": "photos", "max_files": 6},
]
PRINT_FIELDS: list[dict[str, Any]] = [
    {"key": "product", "label": "产品 Product", "type": "choice", "required": True,
     "choices": PRINT_PRODUCTS},
    {"key": "size", "label": "尺寸 Size", "type": "choice", "required": True,
     "choices": ["90×54 mm", "A5", "A4", "A3", "定制 Custom"]},
    {"key": "material", "label": "材质 Material", "type": "choice", "required": True,
     "choices": PRINT_MATERIALS},
    {"key": "quantity", "label": "数量 Quantity", "type": "number", "required": True, "min": 1, "max": 100000},
    {"key": "finish", "label": "工艺 Finish", "type": "choice", "choices": PRINT_FINISHES},
    {"key": "artwork", "label": "设计稿 Artwork (PDF or image)", "type": "file", "required": True},
]
RENO_MILESTONES = [{"title": "量房 Survey", "share": "10.00"}, {"title": "拆除 Demolition", "share": "20.00"},
                   {"title": "水电改造 Plumbing and wiring", "share": "30.00"},
                   {"title": "墙面刷新 Walls and paint", "share": "30.00"}, {"title": "验收 Handover", "share": "10.00"}]
RENO_OPTIONS = [
    {"tier": "good", "title": "基础翻新 Basic refresh", "lines": [
        {"description": "拆除旧瓷砖 Remove old tiles", "quantity": "12", "unit_price": {"amount": "45.00"}},
        {"description": "水电改造 Plumbing and wiring", "quantity": "1", "unit_price": {"amount": "6800.00"}},
        {"description": "墙面乳胶漆 Wall paint", "quantity": "86", "unit_price": {"amount": "38.00"}}]},
    {"tier": "better", "title": "标准翻新 Standard renovation", "lines": [
        {"description": "拆除旧瓷砖 Remove old tiles", "quantity": "12", "unit_price": {"amount": "45.00"}},
        {"description": "水电改造 Plumbing and wiring", "quantity": "1", "unit_price": {"amount": "8800.00"}},
        {"description": "墙面乳胶漆 Wall paint", "quantity": "86", "unit_price": {"amount": "48.00"}},
        {"description": "厨卫瓷砖 Kitchen and bathroom tiles", "quantity": "24", "unit_price": {"amount": "160.00"}}]},
]
PRINT_OPTIONS = [
    {"tier": "good", "title": "标准 Standard", "lines": [
        {"description": "印刷 Printing", "quantity": "500", "unit_price": {"amount": "0.18"}},
        {"description": "覆哑膜 Matt lamination", "quantity": "500", "unit_price": {"amount": "0.05"}}]},
    {"tier": "best", "title": "烫金 Gold foil", "lines": [
        {"description": "印刷 Printing", "quantity": "500", "unit_price": {"amount": "0.18"}},
        {"description": "烫金 Gold foil", "quantity": "500", "unit_price": {"amount": "0.30"}}]},
]
TODAY_WINDOWS = ((9, 11), (10, 12), (14, 16))  # local hours of the technician's three visits today


def _artwork_pdf() -> bytes:
    import weasyprint  # imported here: pango is loaded only when the seed draws the artwork

    html = ("<html><body style='font-family:\"Noto Sans CJK SC\",sans-serif;margin:40px'>"
            "<h1 style='color:#c2255c'>蜀香茶馆 Shu Tea House</h1><p>开业大吉 Grand opening · 9折 10% off</p>"
            "</body></html>")
    return weasyprint.HTML(string=html, url_fetcher=_refuse).write_pdf()


def _refuse(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(url)


class Jobs:
    def __init__(self, *, rng: random.Random) -> None:
        self.rng = rng
        self.counts = {"job_forms": 0, "job_requests": 0, "job_quotes": 0, "jobs": 0, "visits": 0}
        self._artwork: bytes | None = None

    # --- pieces ---
    def form(self, m: Any, owner: User, trade: str, kind_key: str) -> RequestForm:
        store = Store.objects.filter(merchant=m).order_by("created_at").first()
        title = "旧房翻新报价 Flat renovation quote" if trade == "renovation" else "印刷报价 Print quote"
        form = services.form_create(user=owner, merchant_id=m.pk, trade=trade, title=title, checkin_radius_m=300,
                                    fields=RENOVATION_FIELDS if trade == "renovation" else PRINT_FIELDS,
                                    store_id=store.pk if store else None)
        # its hidden job offering gets the trade's drawn photo, as every offering of the city has one
        offering_photo_add(offering=form.offering, data=deal_photo(kind=kind_key, category=m.category,
                                                                   variant=form.offering.title))
        self.counts["job_forms"] += 1
        return form

    def site(self, store: Store) -> dict[str, Any]:
        lat, lng = places.offset(store.lat, store.lng, north_m=self.rng.uniform(-2500, 2500),
                                 east_m=self.rng.uniform(-2500, 2500))
        address, _road = places.address_for(self.rng, lat, lng)
        return {"address": address, "lat": round(lat, 6), "lng": round(lng, 6)}

    def request(self, form: RequestForm, customer: User) -> JobRequest:
        if form.trade == "renovation":
            photo = services.upload_create(user=customer, data=deal_photo(kind="renovation", category="renovation",
                                                                           variant=str(self.rng.random())),
                                           name="site.jpg")
            answers: dict[str, Any] = {"area": str(self.rng.choice([56, 72, 86, 98, 120])), "rooms": self.rng.randint(1, 4),
                                       "style": self.rng.choice(RENOVATION_STYLES),
                                       "budget": self.rng.choice([60000, 80000, 120000]), "photos": [str(photo.pk)]}
            store = form.store or Store.objects.filter(merchant_id=form.merchant_id).order_by("created_at").first()
            site = self.site(store) if store else None
        else:
            if self._artwork is None:
                self._artwork = _artwork_pdf()
            art = services.upload_create(user=customer, data=self._artwork, name="artwork.pdf")
            answers = {"product": self.rng.choice(PRINT_PRODUCTS), "size": "A5", "material": PRINT_MATERIALS[1],
                       "quantity": self.rng.choice([200, 500, 1000]), "finish": PRINT_FINISHES[0],
                       "artwork": str(art.pk)}
            site = None
        self.counts["job_requests"] += 1
        return services.request_submit(customer=customer, form_id=form.pk, answers=answers, site=site)

    def quote(self, req: JobRequest, owner: User, *, days: int = 14) -> Quote:
        reno = req.form.trade == "renovation"
        self.counts["job_quotes"] += 1
        return services.quote_create(
            user=owner, request_id=req.pk, valid_until=timezone.now() + timedelta(days=days),
            deposit_share="30.00" if reno else "50.00",
            milestones=RENO_MILESTONES if reno else [{"title": "打样确认 Proof", "share": "20.00", "kind": "proof"},
                                                     {"title": "印刷 Printing", "share": "80.00", "kind": "printing"}],
            options=RENO_OPTIONS if reno else PRINT_OPTIONS,
            note="含垃圾清运。Includes clearing the rubble." if reno else "次日取货。Ready the next day.")

    def job(self, req: JobRequest, owner: User, *, deposit: bool = True) -> Job:
        quote = self.quote(req, owner)
        option = quote.options.order_by("created_at").first()
        assert option is not None
        job = services.quote_accept(customer=req.customer, quote_id=quote.pk, option_id=option.pk)
        if deposit:
            job = escrow.deposit_pay(customer=req.customer, job_id=job.pk, provider="sandbox", details=GOOD_CARD)
        self.counts["jobs"] += 1
        return job

    def stages(self, form: RequestForm, owner: User, customers: list[User]) -> None:
        """One request at each stage: submitted, quoted, quoted but expired, accepted awaiting its deposit,
        cancelled by the customer."""
        people = self.rng.sample(customers, min(5, len(customers)))
        self.request(form, people[0])
        self.quote(self.request(form, people[1 % len(people)]), owner)
        expired = self.quote(self.request(form, people[2 % len(people)]), owner, days=1)
        Quote.objects.filter(pk=expired.pk).update(valid_until=timezone.now() - timedelta(days=2))
        self.job(self.request(form, people[3 % len(people)]), owner, deposit=False)
        cancelled = self.request(form, people[4 % len(people)])
        services.request_move(cancelled, "cancelled", actor=cancelled.customer, reason="plans changed")

    # --- visits ---
    def visit(self, job: Job, position: int, technician: User, owner: User, start: datetime, hours: int = 2) -> Visit:
        m = job.milestones.get(position=position)
        self.counts["visits"] += 1
        return visits.visit_plan(staff=owner, milestone_id=m.pk, technician_id=technician.pk, window_start=start,
                                 window_end=start + timedelta(hours=hours), service_minutes=90)

    def done_visit(self, job: Job, position: int, technician: User, owner: User, start: datetime, note: str) -> Visit:
        """A past visit: checked in on site (now, then dated back into its window) and out with the work done."""
        v = self.visit(job, position, technician, owner, start)
        photo = deal_photo(kind="renovation", category="renovation", variant=f"site {job.pk} {position}")
        visits.visit_check_in(technician=technician, visit_id=v.pk, lat=v.site_lat + 0.0003, lng=v.site_lng,
                              at=timezone.now(), photo=photo)
        visits.visit_check_out(technician=technician, visit_id=v.pk, note=note, done=True)
        v.refresh_from_db()
        assert v.check_in_id is not None
        at = start + timedelta(minutes=self.rng.randint(5, 40))
        CheckIn.objects.filter(pk=v.check_in_id).update(at=at, created_at=at, checked_out_at=at + timedelta(hours=2))
        return v

    def featured(self, m: Any, owner: User, form: RequestForm, *, customer: User, customers: list[User],
                 technician: User) -> None:
        StaffMembership.objects.create(merchant=m, user=technician, role=Role.COURIER)  # a field role, no counter
        store = form.store or Store.objects.filter(merchant=m).order_by("created_at").first()
        assert store is not None
        zone = ZoneInfo(store.timezone)
        today = timezone.localtime(timezone.now(), zone).date()

        def local(days: int, hour: int) -> datetime:
            return datetime.combine(today + timedelta(days=days), time(hour), zone)

        job = self.job(self.request(form, customer), owner)
        self.done_visit(job, 0, technician, owner, local(-9, 10), "量好尺寸，平面图三天内发给您。Measured; the floor plan "
                        "follows within three days.")
        self.done_visit(job, 1, technician, owner, local(-6, 9), "旧瓷砖已拆除，垃圾已清运。Old tiles out, rubble cleared.")
        for m_ in job.milestones.filter(position__in=(0, 1)).order_by("position"):
            escrow.milestone_sign_off(customer=customer, milestone_id=m_.pk)
        third = job.milestones.get(position=2)
        escrow.milestone_pay(customer=customer, milestone_id=third.pk, provider="sandbox", details=GOOD_CARD)
        self.done_visit(job, 2, technician, owner, local(-2, 14), "水电管线已改完，打压测试通过。Pipes and wiring done; "
                        "the pressure test passed.")
        escrow.milestone_dispute(customer=customer, milestone_id=third.pk,
                                 comment="厨房插座位置和图纸不一致。The kitchen sockets are not where the plan shows them.")
        # today: two other customers' first visits around the demo customer's walls (the day page orders them)
        first, second = (self.job(self.request(form, c), owner) for c in [c for c in customers if c.pk != customer.pk][:2])
        for j, pos, (h0, h1) in ((first, 0, TODAY_WINDOWS[0]), (job, 3, TODAY_WINDOWS[1]), (second, 0, TODAY_WINDOWS[2])):
            self.visit(j, pos, technician, owner, local(0, h0), hours=h1 - h0)

    # --- the city ---
    def city(self, *, city: list[CityEntry], customers: list[User], demo: dict[str, User]) -> dict[str, int]:
        featured_done = False
        for m, owner, _offerings, kind in city:
            if kind.category not in ("renovation", "printing"):
                continue
            form = self.form(m, owner, kind.category, kind.key)
            try:
                if kind.category == "renovation" and not featured_done:
                    self.featured(m, owner, form, customer=demo["customer"], customers=customers,
                                  technician=demo["technician"])
                    featured_done = True
                self.stages(form, owner, customers)
            except DomainError as exc:  # one shop's trouble never stops the city
                raise RuntimeError(f"jobs seed for {m.name}: {exc.message} {exc.fields}") from exc
        return self.counts


def seed_jobs(*, rng: random.Random, city: list[CityEntry], customers: list[User], demo: dict[str, User]) -> dict[str, int]:
    """The hook seed.py calls: forms, requests, quotes, jobs and visits; returns the counts."""
    return Jobs(rng=rng).city(city=city, customers=customers, demo=demo)
