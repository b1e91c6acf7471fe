# English: the month as a word, so 2 December is never read as 12 February; 24-hour clock.
# "Dec 2, 2026, 08:58" · "Dec 2, 2026" · "08:58"
DATETIME_FORMAT = "M j, Y, H:i"
DATE_FORMAT = "M j, Y"
TIME_FORMAT = "H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
SHORT_DATE_FORMAT = DATE_FORMAT
MONTH_DAY_FORMAT = "M j"
YEAR_MONTH_FORMAT = "M Y"
FIRST_DAY_OF_WEEK = 1
