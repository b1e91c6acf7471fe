"""config.urls, with /media/ served from settings.MEDIA_ROOT as it is at request time (config.urls binds
the folder when it is first imported, which in a test run is another test's temporary folder)."""

from django.conf import settings
from django.urls import include, path
from django.views.static import serve


def media(request, path):  # type: ignore[no-untyped-def]
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [path("media/<path:path>", media), path("", include("config.urls"))]
