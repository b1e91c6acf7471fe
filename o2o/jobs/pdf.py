"""A quote as a PDF (WeasyPrint): the request, each option with its lines and total, the deposit, the
milestones and the validity, in the reader's language. Text is set in Debian's Noto CJK fonts
(fonts-noto-cjk, found by fontconfig), so Chinese prints as characters; nothing is fetched from the
network (the URL fetcher refuses every URL)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from o2o.core.money import Money
from o2o.jobs.models import Quote
from o2o.jobs.services import HUNDRED, split

CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; font-size: 10.5pt; color: #222; }
h1 { font-size: 18pt; margin: 0 0 4mm; } h2 { font-size: 13pt; margin: 7mm 0 2mm; }
table { width: 100%; border-collapse: collapse; } th, td { padding: 1.6mm 2mm; border-bottom: 0.3pt solid #bbb; }
th { text-align: left; background: #f1f1f1; } td.n, th.n { text-align: right; }
.muted { color: #666; } .total td { font-weight: bold; }
"""


def _refuse_all(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"quote PDFs fetch nothing: {url!r}")


def _money(amount: Any, currency: str) -> str:
    return escape(Money(amount, currency).display())


def quote_html(quote: Quote) -> str:
    req = quote.request
    merchant = req.merchant
    c = quote.currency
    parts = [f"<h1>{escape(_('Quote'))} · {escape(merchant.name)}</h1>",
             f"<p class='muted'>{escape(_('Request'))} {escape(str(req.pk))[:8]} · {escape(req.form.title)}"
             f"{(' · ' + escape(req.site_address)) if req.site_address else ''}</p>",
             f"<p>{escape(_('Valid until'))}: {escape(date_format(timezone.localtime(quote.valid_until), 'DATETIME_FORMAT'))}"
             f" · {escape(_('Deposit'))}: {quote.deposit_share}%</p>"]
    if quote.note:
        parts.append(f"<p>{escape(quote.note)}</p>")
    for opt in quote.options.all().order_by("created_at"):
        deposit = split(opt.total_amount, [quote.deposit_share, HUNDRED - quote.deposit_share])[0] \
            if quote.deposit_share < HUNDRED else opt.total_amount
        rows = "".join(
            f"<tr><td>{escape(ln.description)}</td><td class='n'>{ln.quantity.normalize():f}</td>"
            f"<td class='n'>{_money(ln.unit_price_amount, c)}</td><td class='n'>{_money(ln.line_total_amount, c)}</td></tr>"
            for ln in opt.lines.all())
        parts.append(
            f"<h2>{escape(opt.get_tier_display())}: {escape(opt.title)}</h2>"
            f"<table><tr><th>{escape(_('Item'))}</th><th class='n'>{escape(_('Quantity'))}</th>"
            f"<th class='n'>{escape(_('Unit price'))}</th><th class='n'>{escape(_('Amount'))}</th></tr>{rows}"
            f"<tr class='total'><td colspan='3'>{escape(_('Total'))}</td><td class='n'>{_money(opt.total_amount, c)}</td></tr>"
            f"<tr><td colspan='3'>{escape(_('Deposit'))}</td><td class='n'>{_money(deposit, c)}</td></tr></table>")
    ms = "".join(f"<tr><td>{i + 1}. {escape(m['title'])}</td><td class='n'>{escape(m['share'])}%</td></tr>"
                 for i, m in enumerate(quote.milestones))
    stage = pgettext("a job's stage of work, a heading", "Milestone")
    parts.append(f"<h2>{escape(_('Milestones'))}</h2><table><tr><th>{escape(stage)}</th>"
                 f"<th class='n'>{escape(_('Share of the price'))}</th></tr>{ms}</table>")
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{CSS}</style></head><body>{''.join(parts)}</body></html>"


def quote_pdf(quote: Quote) -> bytes:
    import weasyprint  # imported here: pango is loaded only by the processes that print

    return weasyprint.HTML(string=quote_html(quote), base_url="file:///o2o/", url_fetcher=_refuse_all).write_pdf()
