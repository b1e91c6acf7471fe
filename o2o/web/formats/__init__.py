"""Date and time formats per language (settings.FORMAT_MODULE_PATH): one style per language.

Templates use only the named formats (``|date:"DATETIME_FORMAT"``, ``"DATE_FORMAT"``, ``|time:"TIME_FORMAT"``);
scripts format with the same patterns (app.js ``o2oDates``, which reads them from ``<html data-date-formats>``).
Both languages use the 24-hour clock: a time reads the same as the opening hours beside it.
"""
