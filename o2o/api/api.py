from ninja import NinjaAPI

from o2o.api import errors
from o2o.api.routers import accounts, discovery, merchants, orders, reviews, vouchers

api = NinjaAPI(
    title="o2o API",
    version="1",
    description="Online-to-offline engine for local businesses. Errors: "
    '`{"error": {"code", "message", "fields"}}`. POSTs that move money accept an `Idempotency-Key` header.',
    urls_namespace="api",
    docs_url="/docs",
)
errors.install(api)
api.add_router("", accounts.router)
api.add_router("", reviews.router)  # before discovery: /stores/{id}/reviews
api.add_router("", discovery.router)
api.add_router("", merchants.router)
api.add_router("", orders.router)
api.add_router("", vouchers.router)
