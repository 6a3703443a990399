"""Reports from the cache. A report is the same for everyone who asks (approved progress only, built
without the request), so its build and its page's tables are cached under one key: the report, the
strategy, its filters, the language, today's date (reports count deadlines and years from it) and the
change marker of everything a report reads (activities.changes, "reports"). An approval, an edit, a
translation or a new round gives a new marker, so a new key: nothing has to invalidate a cached report,
and there is no invalidation code to forget. A cached copy lives REPORT_CACHE_SECONDS at most (0: no
caching), which also bounds what no marker sees (a deployment changing how a report is built).

Only the report itself is cached: the filter form, the page's navigation, the download links, what the
page shows to the signed-in reader (the snapshot form, exports made in the background) are made per
request, outside the cached parts."""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone, translation

from activities import changes

logger = logging.getLogger(__name__)


def report_key(slug: str, strategy, data: dict) -> str:
    """The key of one report as built from the valid filters `data` (a form's cleaned_data); it reads
    the change marker (one query)."""
    filters = "&".join(f"{name}={_canonical(data[name])}" for name in sorted(data))
    parts = (
        slug,
        str(strategy.pk),
        filters,
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        settings.CODE_RELEASE,  # a deployment renders afresh (strategy_tracker/release.py)
        changes.marker("reports"),
    )
    return "report:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def _canonical(value) -> str:
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return repr(value)


def seconds() -> int:
    return settings.REPORT_CACHE_SECONDS


def cached_build(key: str, build):
    """The report under `key`, built by `build()` and stored when it is not in the cache. A copy the
    cache cannot give back (unreadable after a deployment, or the cache server down) is built again."""
    if not seconds():
        return build()
    try:
        report = cache.get(key)
    except Exception:  # a cache server down, or a copy this code cannot read: build it, say so
        logger.warning("report cache: could not read %s", key, exc_info=True)
        report = None
    if report is None:
        report = build()
        if report is not None:
            try:
                cache.set(key, report, seconds())
            except Exception:
                logger.warning("report cache: could not store %s", key, exc_info=True)
    return report
