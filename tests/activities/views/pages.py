"""The world the page tests act in, and helpers to sign in, fill the entry form and name the pages."""

import datetime

from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import ProgressEntry
from tests.factories import (
    ActivityFactory,
    FocalPointFactory,
    ObjectiveFactory,
    RangeStateFactory,
    ReportingRoundFactory,
    ResultFactory,
    SecretariatUserFactory,
    StrategyFactory,
    UserFactory,
)

RS = ProgressEntry.ReviewState
PDF = b"%PDF-1.4\n% survey report\n"


class World:
    """Persian-Leopard-shaped: one strategy with Armenia and Iran, an open round, focal points for
    each state, and two Secretariat members (so that one can review what the other reported)."""

    def __init__(self):
        today = timezone.localdate()
        self.strategy = StrategyFactory(slug="persian-leopard", short_name="Persian Leopard")
        self.am = RangeStateFactory(iso_code="AM", name="Armenia")
        self.ir = RangeStateFactory(iso_code="IR", name="Iran (Islamic Republic of)")
        self.strategy.range_states.set([self.am, self.ir])
        self.objective = ObjectiveFactory(strategy=self.strategy, number=1)
        self.result = ResultFactory(objective=self.objective, code="1.1")
        self.activity = ActivityFactory(
            result=self.result, code="1.1.1", text="Survey leopard corridors.", due_year=today.year
        )
        self.round = ReportingRoundFactory(
            strategy=self.strategy,
            name="2025 annual",
            opens_on=today - datetime.timedelta(days=30),
            deadline=today + datetime.timedelta(days=20),
        )
        self.focal_am = FocalPointFactory(user=UserFactory(username="focal-am"), range_state=self.am).user
        self.focal_ir = FocalPointFactory(user=UserFactory(username="focal-ir"), range_state=self.ir).user
        self.secretariat = SecretariatUserFactory(username="sec-one")
        self.colleague = SecretariatUserFactory(username="sec-two")

    def entry(self, user=None, state=None, narrative="Two corridors surveyed.", **fields):
        return services.progress_entry_create(
            user=user or self.focal_am,
            activity=fields.pop("activity", self.activity),
            range_state=state or self.am,
            reporting_date=fields.pop("reporting_date", datetime.date(2025, 5, 1)),
            status=fields.pop("status", ProgressEntry.Status.IN_PROGRESS),
            narrative=narrative,
            reporting_round=fields.pop("reporting_round", self.round),
            **fields,
        )

    def submitted(self, user=None, **fields):
        user = user or self.focal_am
        return services.progress_entry_submit(user=user, entry=self.entry(user=user, **fields))

    def approved(self, **fields):
        return services.progress_entry_approve(user=self.colleague, entry=self.submitted(**fields))


def signed_in(client, user):
    client.force_login(user)
    return client


def form_data(world, **overrides):
    data = {
        "range_state": world.am.pk,
        "reporting_date": "2025-05-01",
        "status": "in_progress",
        "narrative": "Camera traps set in Khosrov.",
        "source": "Khosrov reserve annual report 2024",
        "confidence": "documented",
        "restricted_details": "",
        "amount_spent_usd": "",
        "reporting_round": world.round.pk,
    }
    return data | overrides


def create_url(activity, state=None):
    url = reverse(
        "activities:progress-create", kwargs={"slug": activity.strategy.slug, "code": activity.code}
    )
    return f"{url}?range_state={state.iso_code}" if state else url


def url(name, obj):
    return reverse(f"activities:{name}", kwargs={"pk": obj.pk})
