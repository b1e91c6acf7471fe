from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from o2o.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("o2o.web.urls")),
]
