"""factory-boy factories for the strategy domain. Codes follow the source's numbering shape."""

import datetime

import factory
from django.contrib.auth import get_user_model

from activities.models import (
    Activity,
    Actor,
    FocalPoint,
    Objective,
    ProgressEntry,
    RangeState,
    Result,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class StaffUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


# Codes no real state has (XB–XZ are ISO 3166 user-assigned, QB–QZ unassigned; QA is Qatar), handed out
# from the end of the alphabet down, because tests that name their states count up from XA and QA.
SPARE_ISO_CODES = [prefix + chr(letter) for prefix in "XQ" for letter in range(ord("Z"), ord("B") - 1, -1)]


def spare_iso_code() -> str:
    """The first spare code no Range State in the database has yet.

    A counter would not do: it runs on across a worker's tests, wraps, and then hands out a code a test
    has already given its own state, so the factory returns that state instead of a new one."""
    taken = set(RangeState.objects.filter(iso_code__in=SPARE_ISO_CODES).values_list("iso_code", flat=True))
    for code in SPARE_ISO_CODES:
        if code not in taken:
            return code
    raise RuntimeError(
        f"A test made more than {len(SPARE_ISO_CODES)} Range States without naming their codes."
    )


class RangeStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RangeState
        django_get_or_create = ("iso_code",)

    iso_code = factory.LazyFunction(spare_iso_code)
    name = factory.LazyAttribute(lambda o: f"State {o.iso_code}")


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"strategy-{n}")
    title = factory.Sequence(lambda n: f"Range-wide Strategy {n}")
    short_name = factory.Sequence(lambda n: f"Strategy {n}")
    period_start = 2023
    period_end = 2032


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Theme title {n}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    strategy = factory.SubFactory(StrategyFactory)
    theme = factory.SubFactory(ThemeFactory, strategy=factory.SelfAttribute("..strategy"))
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"To achieve objective {n}.")


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    objective = factory.SubFactory(ObjectiveFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.objective.number}.{n + 1}")
    text = factory.Sequence(lambda n: f"Result text {n}.")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    result = factory.SubFactory(ResultFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.result.code}.{n + 1}")
    text = factory.Sequence(lambda n: f"Carry out activity {n}.")
    actors_text = "NGOs, GOs"
    indicator = "Report is available"
    timeline_text = "2025"
    timeline_kind = Activity.TimelineKind.YEAR
    due_year = 2025
    cost_text = "TBD"
    cost_kind = Activity.CostKind.TBD
    priority = Activity.Priority.MEDIUM


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"actor-{n}")
    name = factory.Sequence(lambda n: f"Actor {n}")
    category = Actor.Category.CIVIL_SOCIETY


class WorkProgrammeMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkProgrammeMeasure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{90 + n // 50}.{n % 50 + 1}")


class FocalPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocalPoint

    user = factory.SubFactory(UserFactory)
    range_state = factory.SubFactory(RangeStateFactory)


class ProgressEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressEntry

    activity = factory.SubFactory(ActivityFactory)
    range_state = factory.SubFactory(RangeStateFactory)
    reporting_date = datetime.date(2025, 6, 30)
    status = ProgressEntry.Status.IN_PROGRESS
    narrative = "Field surveys under way."
    reported_by = factory.SubFactory(UserFactory)
    review_state = ProgressEntry.ReviewState.DRAFT
    # A returned entry always carries the reviewer's comment (a database constraint).
    review_comment = factory.LazyAttribute(
        lambda o: (
            "Please attach the survey report." if o.review_state == ProgressEntry.ReviewState.RETURNED else ""
        )
    )


# --- the progress workflow: Secretariat, rounds, delegation, evidence, links ----------------------


class SecretariatUserFactory(UserFactory):
    """A member of the "Secretariat" group: Secretariat rights without being a superuser."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def secretariat_group(self, create, extracted, **kwargs):
        if create:
            from django.contrib.auth.models import Group

            self.groups.add(Group.objects.get_or_create(name="Secretariat")[0])


class ReportingRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.ReportingRound"

    strategy = factory.SubFactory(StrategyFactory)
    name = factory.Sequence(lambda n: f"{2025 + n % 5} annual round {n}")
    opens_on = datetime.date(2025, 1, 1)
    deadline = datetime.date(2025, 6, 30)


class DelegationFactory(factory.django.DjangoModelFactory):
    """An activity delegation by default; pass `activity=None, objective=…` for an objective."""

    class Meta:
        model = "activities.Delegation"

    range_state = factory.SubFactory(RangeStateFactory)
    delegate = factory.SubFactory(UserFactory)
    granted_by = factory.SubFactory(UserFactory)
    activity = factory.SubFactory(ActivityFactory)
    objective = None


class EvidenceLinkFactory(factory.django.DjangoModelFactory):
    """Evidence given as a link (files are uploaded through services.evidence_add)."""

    class Meta:
        model = "activities.Evidence"

    entry = factory.SubFactory(ProgressEntryFactory)
    url = factory.Sequence(lambda n: f"https://example.org/report-{n}.pdf")
    title = "Survey report"


class ReportingLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.ReportingLink"

    user = factory.SubFactory(UserFactory)
    range_state = factory.SubFactory(RangeStateFactory)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    created_by = factory.SubFactory(SecretariatUserFactory)
    expires_at = factory.LazyFunction(
        lambda: datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=14)
    )


# --- REST API v1: tokens and webhooks (activities/api, activities/webhooks.py) --------------------


class APITokenFactory(factory.django.DjangoModelFactory):
    """An API token; the plain key is on `token.key` (only its hash is stored)."""

    class Meta:
        model = "activities.APIToken"

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Partner sync {n}")
    scope = "read"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from activities.api.authentication import generate_key

        key, kwargs["prefix"], kwargs["key_hash"] = generate_key()
        token = super()._create(model_class, *args, **kwargs)
        token.key = key
        return token


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Webhook"

    owner = factory.SubFactory(UserFactory)
    url = "http://127.0.0.1:9/hook"
    secret = factory.Sequence(lambda n: f"webhook-secret-{n}")
    events = factory.LazyFunction(list)


# --- reporting (tests/reporting) -------------------------------------------------------------------------


class ReportingRoundForReportsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.ReportingRound"

    strategy = factory.SubFactory(StrategyFactory)
    name = factory.Sequence(lambda n: f"{2025 + n} annual")
    opens_on = datetime.date(2025, 1, 1)
    deadline = datetime.date(2025, 6, 30)


class MeetingForReportsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Meeting"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"range-state-meeting-{n}")
    name = factory.Sequence(lambda n: f"Range State Meeting {n}")
    start_date = datetime.date(2026, 5, 6)
    end_date = datetime.date(2026, 5, 8)


class MetapopulationForReportsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Metapopulation"
        skip_postgeneration_save = True

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Metapopulation {n}")

    @factory.post_generation
    def range_states(self, create, extracted, **kwargs):
        if create and extracted:
            self.range_states.set(extracted)


# --- the regional picture: plans, species, meetings' agendas, landscapes, funding (issue 13) -------------


class NationalActionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.NationalActionPlan"

    slug = factory.Sequence(lambda n: f"national-action-plan-{n}")
    strategy = factory.SubFactory(StrategyFactory)
    range_state = factory.SubFactory(RangeStateFactory)
    title = factory.Sequence(lambda n: f"National Action Plan {n}")


class SpeciesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Species"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"species-{n}")
    common_name = factory.Sequence(lambda n: f"Species {n}")
    scientific_name = factory.Sequence(lambda n: f"Felis testis{n}")


class PlanReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.PlanReview"

    slug = factory.Sequence(lambda n: f"plan-review-{n}")
    title = factory.Sequence(lambda n: f"Review {n}")
    year = 2014
    meeting = factory.SubFactory(MeetingForReportsFactory)


class MeetingDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.MeetingDocument"

    meeting = factory.SubFactory(MeetingForReportsFactory)
    symbol = factory.Sequence(lambda n: f"UNEP/CMS/TEST/Doc.{n + 1}")
    title = factory.Sequence(lambda n: f"Document {n}")
    kind = "working"


class MeetingDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.MeetingDay"

    meeting = factory.SubFactory(MeetingForReportsFactory)
    date = factory.LazyAttribute(lambda o: o.meeting.start_date)
    hours = "08:30 to 18:00 CET"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.AgendaItem"

    day = factory.SubFactory(MeetingDayFactory)
    position = factory.Sequence(lambda n: n + 1)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    time_text = "08:30 – 10:45"
    starts_at = datetime.time(8, 30)
    ends_at = datetime.time(10, 45)


class EcoregionalPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.EcoregionalPlan"

    slug = factory.Sequence(lambda n: f"ecoregional-plan-{n}")
    title = factory.Sequence(lambda n: f"Ecoregional Conservation Plan {n}")
    short_name = factory.Sequence(lambda n: f"ECP {n}")


class LandscapeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Landscape"

    plan = factory.SubFactory(EcoregionalPlanFactory)
    kind = "conservation"
    code = factory.Sequence(lambda n: str(n + 1))
    name = factory.Sequence(lambda n: f"Landscape {n}")


class ThematicAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.ThematicArea"

    plan = factory.SubFactory(EcoregionalPlanFactory)
    letter = factory.Sequence(lambda n: chr(65 + n % 26))
    title = factory.Sequence(lambda n: f"Thematic area {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Organisation"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Programme"

    slug = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    kind = "grant_making"
    managed_by = factory.SubFactory(OrganisationFactory)


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Grant"

    slug = factory.Sequence(lambda n: f"grant-{n}")
    title = factory.Sequence(lambda n: f"Grant {n}")
    programme = factory.SubFactory(ProgrammeFactory)
    donor = factory.SubFactory(OrganisationFactory)
    grantee = factory.SubFactory(OrganisationFactory)
    starts_on = datetime.date(2024, 1, 1)
    ends_on = datetime.date(2025, 12, 31)


class GrantActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.GrantActivity"

    grant = factory.SubFactory(GrantFactory)
    activity = factory.SubFactory(ActivityFactory)
