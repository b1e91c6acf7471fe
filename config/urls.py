from functools import lru_cache

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_safe
from django.views.static import serve

from o2o.api.api import api
from o2o.web.views.health import healthz

FAVICON = settings.BASE_DIR / "o2o" / "web" / "static" / "img" / "favicon.svg"


@lru_cache(maxsize=1)
def _favicon_bytes() -> bytes:
    return FAVICON.read_bytes()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on every page without a <link rel=icon> (the admin, the API
    docs, a JSON answer): the site's SVG icon, served as it is (every current browser takes an SVG here)."""
    response = HttpResponse(_favicon_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),  # health (work16)
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("o2o.web.urls")),
]
