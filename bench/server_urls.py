"""The bench server's URLs: the project's, plus baselines behind the same gunicorn, middleware and
django-ninja as the endpoints they are measured against:

- POST /bench/naive    the naive checkout (one stock row, bench/flashsale/naive.py), answered like
                       POST /api/v1/orders, with the same bearer-token auth
- POST /bench/ceiling  the same request parsed and authenticated, then a constant JSON answer
- GET  /bench/constant a constant JSON answer with no auth, the ceiling of public reads (nearby search)

Only the benchmarks' servers load this (DJANGO_SETTINGS_MODULE=bench.server_settings); production never does.
"""

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI, Status

from bench.flashsale.naive import naive_order_create
from config.urls import urlpatterns as project_urlpatterns
from o2o.api.auth import AUTH
from o2o.api.schemas import OrderIn, OrderOut
from o2o.api.serializers import json_safe, order_out

bench_api = NinjaAPI(urls_namespace="bench", auth=AUTH, docs_url=None, openapi_url=None)


@bench_api.post("/naive", response={201: OrderOut})
def naive(request: HttpRequest, body: OrderIn):  # type: ignore[no-untyped-def]
    line = body.lines[0]
    order = naive_order_create(customer=request.user, offering_id=str(line.offering_id), quantity=line.quantity)
    return Status(201, json_safe(order_out(order)))


CONSTANT = {"ok": True}


@bench_api.post("/ceiling")
def ceiling(request: HttpRequest, body: OrderIn):  # type: ignore[no-untyped-def]
    return CONSTANT


@bench_api.get("/constant", auth=None)
def constant(request: HttpRequest):  # type: ignore[no-untyped-def]
    return CONSTANT


urlpatterns = [path("bench/", bench_api.urls), *project_urlpatterns]
