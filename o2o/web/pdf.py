"""The one way o2o prints: a Django template rendered to PDF by WeasyPrint (A4 sheets of table QR codes,
flyers, 80 mm counter receipts).

- Nothing is fetched from the network: the URL fetcher serves only ``data:`` URLs and files under the
  project's static roots, so a template that names a CDN fails loudly in tests instead of hanging a counter.
- Text is set in the system's Noto fonts (Debian's fonts-noto-cjk, installed by ``make system-deps``), so
  Chinese dish names and addresses print as characters, not boxes.
- QR codes are the same inline SVG as on screen (o2o/web/qr.py, ``{% qr payload %}``): vector, with the
  quiet zone, so a printer at any resolution keeps every module square. tests/qr.py decodes them back
  from the PDF with pypdfium2 and zxing-cpp.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class PrintAssetRefused(ValueError):
    """A template asked for something outside the project (a CDN, a font server)."""


def _fetcher() -> Any:
    import weasyprint.urls as wu

    class ProjectOnly(wu.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            prefix = str(settings.STATIC_URL)
            name = url.split(prefix, 1)[1] if prefix in url else ""
            found = finders.find(name) if name else None
            if not found:
                raise PrintAssetRefused(
                    f"print templates may only use data: URLs and project static files, not {url!r}")
            path = Path(str(found))
            return wu.URLFetcherResponse(url, path.read_bytes())

    return ProjectOnly(fail_on_errors=True)


def pdf_render(*, template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """The template, rendered with Django and laid out as PDF pages (page size from the template's @page)."""
    import weasyprint  # imported here: pango is loaded only by the processes that print
    from weasyprint.urls import FatalURLFetchingError

    html = render_to_string(template, context, request=request)
    try:
        return weasyprint.HTML(string=html, base_url="file:///o2o/", url_fetcher=_fetcher()).write_pdf()
    except FatalURLFetchingError as exc:
        if isinstance(exc.__cause__, PrintAssetRefused):
            raise exc.__cause__ from None
        raise


def pdf_response(pdf: bytes, *, filename: str, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
