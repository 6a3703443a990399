"""One row of every model the admin shows, with its foreign keys and many-to-many links filled in, and
the admin's URLs; shared by the admin tests."""

import datetime

import factory
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityStateStatus,
    Actor,
    AgendaItem,
    CommonName,
    CrossReference,
    Delegation,
    EcoregionalMeasure,
    EcoregionalPlan,
    Evidence,
    FocalPoint,
    Grant,
    GrantActivity,
    Landscape,
    Meeting,
    MeetingDay,
    MeetingDocument,
    MeetingSnapshot,
    Metapopulation,
    NationalActionPlan,
    Objective,
    Organisation,
    PlanReview,
    Programme,
    ProgrammeLink,
    ProgrammeOutput,
    ProgressEntry,
    RangeState,
    ReminderSent,
    ReportingLink,
    ReportingRound,
    Result,
    SnapshotStatus,
    Species,
    SpeciesSynonym,
    Strategy,
    ThematicArea,
    Theme,
    WorkProgrammeMeasure,
)
from tests.factories import (
    ActivityFactory,
    ActorFactory,
    AgendaItemFactory,
    DelegationFactory,
    EcoregionalPlanFactory,
    EvidenceLinkFactory,
    FocalPointFactory,
    GrantActivityFactory,
    LandscapeFactory,
    MeetingDayFactory,
    MeetingDocumentFactory,
    NationalActionPlanFactory,
    ObjectiveFactory,
    OrganisationFactory,
    PlanReviewFactory,
    ProgrammeFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    ReportingLinkFactory,
    ReportingRoundFactory,
    ResultFactory,
    SpeciesFactory,
    StrategyFactory,
    ThematicAreaFactory,
    ThemeFactory,
    UserFactory,
    WorkProgrammeMeasureFactory,
)

# --- factories for the models tests/factories.py does not cover yet ------------------------------


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    slug = factory.Sequence(lambda n: f"meeting-{n}")
    name = factory.Sequence(lambda n: f"Meeting {n}")
    start_date = datetime.date(2025, 3, 4)


class MetapopulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metapopulation
        skip_postgeneration_save = True

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Region {n}")

    @factory.post_generation
    def range_states(self, create, extracted, **kwargs):
        if create:
            self.range_states.set(extracted or [RangeStateFactory(), RangeStateFactory()])


class CrossReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrossReference

    from_activity = factory.SubFactory(ActivityFactory)
    kind = CrossReference.Kind.ACTIVITY
    code = factory.LazyAttribute(lambda o: o.to_activity.code)
    to_activity = factory.SubFactory(ActivityFactory)


def progress_entry_in_a_round():
    entry = ProgressEntryFactory()
    entry.reporting_round = ReportingRoundFactory(strategy=entry.activity.strategy)
    entry.save()
    return entry


def approved_status():
    entry = ProgressEntryFactory(review_state=ProgressEntry.ReviewState.APPROVED)
    return ActivityStateStatus.objects.create(
        activity=entry.activity,
        range_state=entry.range_state,
        entry=entry,
        status=entry.status,
        reporting_date=entry.reporting_date,
        approved_at=timezone.now(),
    )


def reminder_sent():
    return ReminderSent.objects.create(
        reporting_round=ReportingRoundFactory(), user=UserFactory(), sent_on=datetime.date(2025, 6, 16)
    )


def snapshot_status(snapshot=None):
    status = approved_status()
    snapshot = snapshot or MeetingSnapshot.objects.create(
        meeting=MeetingFactory(), strategy=status.activity.strategy, taken_by=UserFactory()
    )
    return SnapshotStatus.objects.create(
        snapshot=snapshot,
        activity=status.activity,
        range_state=status.range_state,
        entry=status.entry,
        status=status.status,
        reporting_date=status.reporting_date,
    )


def meeting_snapshot():
    snapshot = snapshot_status().snapshot
    snapshot_status(snapshot)
    return snapshot


def activity_with_links(**kwargs):
    activity = ActivityFactory(**kwargs)
    activity.actors.set([ActorFactory(), ActorFactory()])
    activity.cami_pow_measures.set([WorkProgrammeMeasureFactory()])
    return activity


def range_state_in_a_strategy():
    state = RangeStateFactory()
    state.strategies.add(StrategyFactory())
    return state


def strategy_with_an_activity():
    strategy = StrategyFactory(adopted_at=MeetingFactory())
    strategy.range_states.add(RangeStateFactory())
    ActivityFactory(result__objective__strategy=strategy)
    return strategy


def species_with_names():
    species = SpeciesFactory()
    species.strategies.add(StrategyFactory())
    SpeciesSynonym.objects.create(species=species, scientific_name="Panthera pardus saxicolor")
    CommonName.objects.create(species=species, language="Farsi", language_code="fa", name="پلنگ")
    return species


def landscape_with_activity():
    landscape = LandscapeFactory()
    landscape.activities.add(ActivityFactory())
    return landscape


def measure():
    return EcoregionalMeasure.objects.create(
        thematic_area=ThematicAreaFactory(), kind=EcoregionalMeasure.Kind.TARGET, code="A1", text="A target"
    )


def programme_link():
    return ProgrammeLink.objects.create(
        source=ProgrammeFactory(), relation=ProgrammeLink.Relation.SUPPORTS, target=ProgrammeFactory()
    )


def grant_with_line():
    line = GrantActivityFactory()
    line.grant.range_states.add(RangeStateFactory())
    return line.grant


# One changelist row each, with its foreign keys and many-to-many links filled in.
ROW_BUILDERS = {
    Meeting: MeetingFactory,
    RangeState: range_state_in_a_strategy,
    Strategy: strategy_with_an_activity,
    Metapopulation: MetapopulationFactory,
    NationalActionPlan: NationalActionPlanFactory,
    Theme: ThemeFactory,
    Objective: ObjectiveFactory,
    Result: ResultFactory,
    Actor: ActorFactory,
    WorkProgrammeMeasure: WorkProgrammeMeasureFactory,
    Activity: activity_with_links,
    CrossReference: CrossReferenceFactory,
    FocalPoint: FocalPointFactory,
    ProgressEntry: progress_entry_in_a_round,
    Evidence: EvidenceLinkFactory,
    ReportingRound: ReportingRoundFactory,
    ActivityStateStatus: approved_status,
    Delegation: DelegationFactory,
    ReportingLink: ReportingLinkFactory,
    ReminderSent: reminder_sent,
    MeetingSnapshot: meeting_snapshot,
    SnapshotStatus: snapshot_status,
    Species: species_with_names,
    SpeciesSynonym: lambda: species_with_names().synonyms.get(),
    CommonName: lambda: species_with_names().common_names.get(),
    MeetingDay: MeetingDayFactory,
    AgendaItem: AgendaItemFactory,
    MeetingDocument: MeetingDocumentFactory,
    PlanReview: PlanReviewFactory,
    EcoregionalPlan: EcoregionalPlanFactory,
    Landscape: landscape_with_activity,
    ThematicArea: ThematicAreaFactory,
    EcoregionalMeasure: measure,
    Organisation: OrganisationFactory,
    Programme: ProgrammeFactory,
    ProgrammeOutput: lambda: ProgrammeOutput.objects.create(
        programme=ProgrammeFactory(), number=1, text="An output"
    ),
    ProgrammeLink: programme_link,
    Grant: grant_with_line,
    GrantActivity: GrantActivityFactory,
}
# Rows only services write: the admin lists and shows them, and has no add page.
READ_ONLY = {ActivityStateStatus, ReportingLink, ReminderSent, SnapshotStatus}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def listed(response):
    return list(response.context["cl"].result_list)
