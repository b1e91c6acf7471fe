"""Campaigns: placements (a flyer, a poster, a table tent...), their short codes, links and QR codes,
the scans of those codes by first-party visitors, and which placement an order is attributed to.

It sits on the return path beside reviews: it may read merchants and catalogue (a placement's target)
and orders; the figures per placement (orders, redemptions, reviews, revenue) are o2o/analytics'.
"""
from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "o2o.campaigns"
    label = "campaigns"
