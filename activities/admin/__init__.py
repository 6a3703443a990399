"""The Django admin, made for daily use by the Secretariat: every model, searchable and filterable,
with the logframe editable top-down through inlines (strategy → objectives → results → activities).

One module per family of models, as in activities/models/: the logframe, the regional picture,
progress reporting, integration (API tokens, webhooks, events) and accounts (two-factor devices);
species, meetings' agendas and documents, ecoregional plans and funding have modules of their own.
Importing them registers their admins. Progress and everything around it (rounds, evidence, delegations, links, snapshots) change
only through activities.services, so the admin obeys the same rules, conflicts and history as every
other page; rows that services maintain (statuses, reminders, snapshot statuses) are read-only here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import (
    accounts,
    ecoregional,
    funding,
    imports,
    integration,
    logframe,
    meetings,
    national,
    progress,
    regional,
    species,
    translations,
)

__all__ = [
    "accounts",
    "ecoregional",
    "funding",
    "imports",
    "integration",
    "logframe",
    "meetings",
    "national",
    "progress",
    "regional",
    "species",
    "translations",
]

admin.site.site_header = _("Strategy Tracker — CMS Secretariat")
admin.site.site_title = _("Strategy Tracker — CMS Secretariat")
admin.site.index_title = _("Strategies, activities and progress")
