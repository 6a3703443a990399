import datetime

import factory
import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from activities.models import (
    Activity,
    Actor,
    CrossReference,
    Evidence,
    FocalPoint,
    Meeting,
    Metapopulation,
    NationalActionPlan,
    Objective,
    ProgressEntry,
    RangeState,
    Result,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from tests.factories import (
    ActivityFactory,
    ActorFactory,
    FocalPointFactory,
    ObjectiveFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    ResultFactory,
    StrategyFactory,
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


class NationalActionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NationalActionPlan

    strategy = factory.SubFactory(StrategyFactory)
    range_state = factory.SubFactory(RangeStateFactory)
    title = factory.Sequence(lambda n: f"National Action Plan {n}")


class CrossReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrossReference

    from_activity = factory.SubFactory(ActivityFactory)
    kind = CrossReference.Kind.ACTIVITY
    code = factory.LazyAttribute(lambda o: o.to_activity.code)
    to_activity = factory.SubFactory(ActivityFactory)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    entry = factory.SubFactory(ProgressEntryFactory)
    url = factory.Sequence(lambda n: f"https://example.org/report-{n}.pdf")
    title = "Survey report"


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
    ProgressEntry: ProgressEntryFactory,
    Evidence: EvidenceFactory,
}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def listed(response):
    return list(response.context["cl"].result_list)


# --- the site -----------------------------------------------------------------------------------


def test_every_activities_model_is_registered():
    models = set(apps.get_app_config("activities").get_models())
    assert models == set(ROW_BUILDERS)
    assert models <= set(admin.site._registry)


def test_admin_index_shows_the_secretariat_header(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Strategy Tracker — CMS Secretariat" in response.content.decode()


def test_non_staff_user_is_redirected_to_login(db, client):
    client.force_login(UserFactory(is_staff=False))
    url = admin_url(Activity, "changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def test_anonymous_visitor_is_redirected_to_login(client):
    response = client.get(admin_url(ProgressEntry, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- every page loads, and changelists stay flat as rows grow ------------------------------------


@pytest.mark.parametrize("model", ROW_BUILDERS, ids=lambda model: model.__name__)
def test_changelist_add_and_change_pages_load(staff_client, model):
    obj = ROW_BUILDERS[model]()
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", obj.pk),
    ):
        assert staff_client.get(url).status_code == 200, url


# Every count starts with the session and the logged-in user, and has the admin's two counts
# (rows matching the filters, and all rows for "N total"); the rest is named per model.
CHANGELIST_QUERIES = [
    # meetings
    pytest.param(Meeting, 5, id="Meeting"),
    # strategy filter choices, Range States, their strategies (prefetch)
    pytest.param(RangeState, 7, id="RangeState"),
    # meeting filter choices, strategies joined to their meeting with activity counts,
    # distinct period starts for the filter
    pytest.param(Strategy, 7, id="Strategy"),
    # strategy and Range State filter choices, metapopulations joined to strategy, Range States (prefetch)
    pytest.param(Metapopulation, 8, id="Metapopulation"),
    # strategy and Range State filter choices, plans joined to strategy and Range State
    pytest.param(NationalActionPlan, 7, id="NationalActionPlan"),
    # strategy filter choices, themes joined to strategy
    pytest.param(Theme, 6, id="Theme"),
    # strategy and theme filter choices, objectives joined to strategy and theme
    pytest.param(Objective, 7, id="Objective"),
    # strategy filter choices, objective filter choices joined to strategy, results joined to
    # strategy and objective
    pytest.param(Result, 7, id="Result"),
    # actors
    pytest.param(Actor, 5, id="Actor"),
    # measures
    pytest.param(WorkProgrammeMeasure, 5, id="WorkProgrammeMeasure"),
    # filter choices: strategies, objectives joined to strategy, Range States, actors;
    # activities joined to strategy and result, actors (prefetch), distinct due years for the filter
    pytest.param(Activity, 11, id="Activity"),
    # references joined to source activity/result (with strategy) and to every kind of target
    pytest.param(CrossReference, 5, id="CrossReference"),
    # Range State filter choices, focal points joined to user and Range State
    pytest.param(FocalPoint, 6, id="FocalPoint"),
    # strategy and Range State filter choices, entries joined to activity, strategy, Range State
    # and reporter, date hierarchy: first/last reporting date, distinct reporting dates
    pytest.param(ProgressEntry, 9, id="ProgressEntry"),
    # strategy and Range State filter choices, links joined to entry, activity and Range State
    pytest.param(Evidence, 7, id="Evidence"),
]


@pytest.mark.parametrize("rows", [1, 12])
@pytest.mark.parametrize(("model", "queries"), CHANGELIST_QUERIES)
def test_changelist_query_count_is_flat(staff_client, django_assert_num_queries, model, queries, rows):
    for _ in range(rows):
        ROW_BUILDERS[model]()
    url = admin_url(model, "changelist")
    with django_assert_num_queries(queries):
        response = staff_client.get(url)
    assert response.status_code == 200
    assert len(listed(response)) == rows


def test_changelist_query_counts_cover_every_registered_model():
    assert {param.values[0] for param in CHANGELIST_QUERIES} == set(ROW_BUILDERS)


# --- the activity changelist ----------------------------------------------------------------------


def test_activities_are_listed_by_strategy_then_code_in_logframe_order(staff_client):
    second = StrategyFactory(title="B strategy")
    first = StrategyFactory(title="A strategy")
    result = ResultFactory(objective__strategy=second, code="1.1")
    for code in ["1.10.1", "1.1.2", "1.1.1.a"]:
        ActivityFactory(result=result, code=code)
    ActivityFactory(result__objective__strategy=first, code="9.1.1")

    response = staff_client.get(admin_url(Activity, "changelist"))

    assert [(a.strategy, a.code) for a in listed(response)] == [
        (first, "9.1.1"),
        (second, "1.1.1.a"),
        (second, "1.1.2"),
        (second, "1.10.1"),
    ]


def test_activity_changelist_shows_the_columns_the_secretariat_reads(staff_client):
    activity = ActivityFactory(cost_text="10,000 per country", cost_kind="amount", cost_usd=10000)
    activity.cost_per_country = True
    activity.save()
    activity.actors.set([ActorFactory(name="Rangers")])

    content = staff_client.get(admin_url(Activity, "changelist")).content.decode()

    assert "10,000 per country" in content
    assert "Rangers" in content
    assert str(activity.result) in content


def test_search_finds_an_activity_by_code(staff_client):
    wanted = ActivityFactory(code="7.3.2")
    ActivityFactory(code="1.1.1")

    response = staff_client.get(admin_url(Activity, "changelist"), {"q": "7.3.2"})

    assert listed(response) == [wanted]


def test_search_finds_an_activity_by_text(staff_client):
    wanted = ActivityFactory(text="Establish a transboundary camera-trap network.")
    ActivityFactory()

    response = staff_client.get(admin_url(Activity, "changelist"), {"q": "camera-trap"})

    assert listed(response) == [wanted]


def test_strategy_filter_narrows_activities(staff_client):
    wanted = ActivityFactory()
    ActivityFactory()

    response = staff_client.get(
        admin_url(Activity, "changelist"), {"strategy__id__exact": wanted.strategy_id}
    )

    assert listed(response) == [wanted]


def test_objective_filter_narrows_activities(staff_client):
    objective = ObjectiveFactory()
    wanted = ActivityFactory(result__objective=objective)
    ActivityFactory(result__objective__strategy=objective.strategy)

    response = staff_client.get(
        admin_url(Activity, "changelist"), {"result__objective__id__exact": objective.pk}
    )

    assert listed(response) == [wanted]


def test_priority_filter_narrows_activities(staff_client):
    wanted = ActivityFactory(priority=Activity.Priority.HIGH)
    ActivityFactory(priority=Activity.Priority.LOW)
    ActivityFactory(priority=None)

    response = staff_client.get(
        admin_url(Activity, "changelist"), {"priority__exact": Activity.Priority.HIGH}
    )

    assert listed(response) == [wanted]


def test_due_year_filter_narrows_activities(staff_client):
    wanted = ActivityFactory(due_year=2027)
    ActivityFactory(due_year=2025)

    response = staff_client.get(admin_url(Activity, "changelist"), {"due_year": 2027})

    assert listed(response) == [wanted]


def test_deadline_filter_lists_overdue_activities(staff_client):
    this_year = datetime.date.today().year
    overdue = ActivityFactory(due_year=this_year - 1)
    ActivityFactory(due_year=this_year)
    ActivityFactory(due_year=None, timeline_kind=Activity.TimelineKind.TBD)

    response = staff_client.get(admin_url(Activity, "changelist"), {"deadline": "overdue"})

    assert listed(response) == [overdue]


def test_range_state_filter_lists_activities_with_progress_there_once_each(staff_client):
    armenia, iran = RangeStateFactory(), RangeStateFactory()
    wanted = ActivityFactory()
    ProgressEntryFactory(activity=wanted, range_state=armenia, reporting_date=datetime.date(2024, 6, 30))
    ProgressEntryFactory(activity=wanted, range_state=armenia, reporting_date=datetime.date(2025, 6, 30))
    ProgressEntryFactory(range_state=iran)
    ProgressEntryFactory(range_state=None)  # range-wide progress
    ActivityFactory()  # no progress at all

    response = staff_client.get(admin_url(Activity, "changelist"), {"range_state": armenia.pk})

    assert listed(response) == [wanted]
    assert armenia.name in response.content.decode()


def test_actor_filter_narrows_activities(staff_client):
    rangers, customs = ActorFactory(), ActorFactory()
    wanted = ActivityFactory()
    wanted.actors.set([rangers, customs])
    ActivityFactory().actors.set([customs])

    response = staff_client.get(admin_url(Activity, "changelist"), {"actors__id__exact": rangers.pk})

    assert listed(response) == [wanted]


# --- forms ----------------------------------------------------------------------------------------


def test_activity_form_groups_parsed_values_with_their_source_text(staff_client):
    activity = ActivityFactory()

    response = staff_client.get(admin_url(Activity, "change", activity.pk))

    fieldsets = {name: str(options["fields"]) for name, options in response.context["adminform"].fieldsets}
    assert all(
        f in fieldsets["Timeline"] for f in ["timeline_text", "timeline_kind", "due_year", "recurrence_years"]
    )
    assert all(f in fieldsets["Cost"] for f in ["cost_text", "cost_kind", "cost_usd", "cost_per_country"])
    assert {"strategy", "sort_key"} <= set(response.context["adminform"].readonly_fields)


def test_result_page_links_to_each_activity(staff_client):
    activity = ActivityFactory()

    response = staff_client.get(admin_url(Result, "change", activity.result_id))

    assert admin_url(Activity, "change", activity.pk) in response.content.decode()


def test_progress_entry_added_in_admin_is_reported_by_the_current_user(staff_client):
    activity = ActivityFactory()

    response = staff_client.post(
        admin_url(ProgressEntry, "add"),
        {
            "activity": activity.pk,
            "range_state": "",
            "reporting_date": "2025-06-30",
            "status": ProgressEntry.Status.IN_PROGRESS,
            "review_state": ProgressEntry.ReviewState.DRAFT,
            "narrative": "Camera traps installed.",
            "reported_by": "",
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-url": "https://example.org/survey.pdf",
            "evidence-0-title": "Survey",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = ProgressEntry.objects.get()
    assert entry.reported_by == response.wsgi_request.user
    assert entry.evidence.get().title == "Survey"


def test_progress_entry_added_on_the_activity_page_is_reported_by_the_current_user(staff_client):
    activity = ActivityFactory(timeline_text="2025", cost_text="TBD")
    fields = ["result", "code", "text", "indicator", "actors_text", "timeline_text", "timeline_kind"]
    fields += ["due_year", "cost_text", "cost_kind", "priority"]
    data = {name: getattr(activity, f"{name}_id" if name == "result" else name) for name in fields}
    data |= {
        "progress_entries-TOTAL_FORMS": "1",
        "progress_entries-INITIAL_FORMS": "0",
        "progress_entries-0-reporting_date": "2025-06-30",
        "progress_entries-0-status": ProgressEntry.Status.COMPLETED,
        "progress_entries-0-review_state": ProgressEntry.ReviewState.DRAFT,
        "references-TOTAL_FORMS": "0",
        "references-INITIAL_FORMS": "0",
    }

    response = staff_client.post(admin_url(Activity, "change", activity.pk), data)

    assert response.status_code == 302
    entry = activity.progress_entries.get()
    assert entry.range_state is None
    assert entry.reported_by == response.wsgi_request.user
