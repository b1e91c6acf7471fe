"""The page's date patterns for its scripts: the same named formats the templates use."""

from __future__ import annotations

import json

from django import template
from django.utils import timezone
from django.utils.formats import get_format

register = template.Library()


@register.simple_tag
def date_formats() -> str:
    """JSON for <html data-date-formats>: app.js's o2oDates formats with these patterns and zone."""
    return json.dumps({"datetime": get_format("DATETIME_FORMAT"), "date": get_format("DATE_FORMAT"),
                       "time": get_format("TIME_FORMAT"), "tz": timezone.get_current_timezone_name()},
                      ensure_ascii=False)
