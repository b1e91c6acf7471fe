"""Community in the demo city: the featured merchants (the demo hotpot and the first noodle bar, skewer and
dumpling shop) each publish a few posts — a new deal, an event, photos, news — and have followers: the demo
customer follows them all (email on for the demo merchant), and a share of the seeded customers follow each.

No video is seeded: no Python library that writes MP4 or WebM (PyAV, imageio-ffmpeg, OpenCV) is installed,
so the posts carry photos (drawn by photos.py) only. Posts are made by post_publish, so the followers who
were following by then are notified as they would be (the demo customer finds unread posts in the feed).
Its own random stream, so the rest of the city comes out as before."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from o2o.accounts.models import User
from o2o.catalogue.enums import OfferingKind
from o2o.catalogue.models import Offering
from o2o.community.models import Notification, Post
from o2o.community.services import merchant_follow, post_publish
from o2o.demo.orders import CityEntry
from o2o.demo.photos import deal_photo

FEATURED_KINDS = ("noodles", "skewers", "dumplings")


def _featured(city: list[CityEntry]) -> list[CityEntry]:
    out = [city[0]]
    for key in FEATURED_KINDS:
        entry = next((e for e in city[1:] if e[3].key == key), None)
        if entry is not None:
            out.append(entry)
    return out


EVENTS = (
    ("周五品鉴夜 Friday tasting night", "A tasting menu for followers, seats at the counter. 关注者专享品鉴菜单。"),
    ("周末亲子课 Weekend kids' class", "Children make their own dish with the chef, Saturday morning. 周六上午亲子厨艺课。"),
    ("开业周年庆 Anniversary week", "A year on this street: a small gift with every order all week. 周年庆，每单送小礼。"),
)
SCENES = (
    ("店里的一天 A day at the shop", "From the morning prep to the last table."),
    ("后厨直击 In our kitchen", "Where the orders are made, fresh every day."),
    ("今日出品 Today's plates", "What left the kitchen at lunch today."),
)


def _posts_for(m: Any, deals: list[Any], kind: Any, rng: random.Random, i: int) -> list[dict[str, Any]]:
    photo = lambda v: deal_photo(kind=kind.key, category=m.category, variant=v)  # noqa: E731
    dishes = list(Offering.objects.filter(merchant=m, kind=OfferingKind.PRODUCT).order_by("created_at", "pk"))
    dish = rng.choice(dishes) if dishes else None
    event, scene = EVENTS[i % len(EVENTS)], SCENES[i % len(SCENES)]
    plans: list[dict[str, Any]] = [
        {"kind": "news", "title": f"新品上线 New on the menu: {dish.title}" if dish else "本周新品 New this week",
         "body": "On the menu from today, while the season lasts. 今天起供应，应季限定。"},
        {"kind": "photos", "title": scene[0], "body": scene[1],
         "photos": [photo(f"post-{i}-a"), photo(f"post-{i}-b"), photo(f"post-{i}-c")]},
        {"kind": "event", "title": event[0], "body": event[1],
         "event_at": (timezone.now() + timedelta(days=rng.randint(3, 9))).replace(hour=11, minute=0, second=0,
                                                                                   microsecond=0)},
    ]
    if deals:
        plans.insert(1, {"kind": "deal", "title": f"新团购 New deal: {deals[0].title}",
                         "body": "Now on sale. 现已开售。", "offering_id": deals[0].pk, "photos": [photo("post-deal")]})
    rng.shuffle(plans)
    return plans


def seed_community(*, city: list[CityEntry], customers: list[User], demo_customer: User, seed: int) -> dict[str, int]:
    """Followers and posts for the featured merchants; answers counts for the seed's summary."""
    rng = random.Random(seed + 4)
    featured = _featured(city)
    for i, (m, _owner, _deals, _kind) in enumerate(featured):
        merchant_follow(customer=demo_customer, merchant_id=m.pk, email=i == 0)
        for c in rng.sample(customers, k=min(len(customers), rng.randint(3, 8))):
            merchant_follow(customer=c, merchant_id=m.pk)
    now = timezone.now()
    for i, (m, owner, deals, kind) in enumerate(featured):
        plans = _posts_for(m, deals, kind, rng, i)
        for j, plan in enumerate(plans):
            post = post_publish(user=owner, merchant_id=m.pk, **plan)
            # spread over the last days, newest last; the notifications keep their post's time
            when = now - timedelta(days=len(plans) - j, hours=rng.randint(0, 8))
            Post.objects.filter(pk=post.pk).update(created_at=when)
            Notification.objects.filter(post=post).update(created_at=when)
    # the demo customer has read all but the newest post of each shop
    newest = {p.merchant_id: p.pk for p in Post.objects.order_by("created_at")}
    Notification.objects.filter(user=demo_customer).exclude(post_id__in=newest.values()).update(read_at=now)
    return {"posts": Post.objects.count(), "follows": sum(m.followers.count() for m, *_r in featured)}
