# The site's English dates, as the strategies write them ("5 January 2025"), with 24-hour times, as in
# British English (Django's "en" would say "Jan. 5, 2025, 2:30 p.m."). Templates use the named formats
# (DATE_FORMAT, …), so that Russian gets "5 января 2025 г." and Persian its own, from Django's formats.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
