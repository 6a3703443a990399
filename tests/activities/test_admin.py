import datetime

import factory
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from activities import services
from activities.models import (
    Activity,
    ActivityStateStatus,
    Actor,
    CrossReference,
    Delegation,
    Evidence,
    FocalPoint,
    Meeting,
    MeetingSnapshot,
    Metapopulation,
    NationalActionPlan,
    Objective,
    ProgressEntry,
    RangeState,
    ReminderSent,
    ReportingLink,
    ReportingRound,
    Result,
    SnapshotStatus,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from tests.factories import (
    ActivityFactory,
    ActorFactory,
    DelegationFactory,
    EvidenceLinkFactory,
    FocalPointFactory,
    ObjectiveFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    ReportingLinkFactory,
    ReportingRoundFactory,
    ResultFactory,
    SecretariatUserFactory,
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
}
# Rows only services write: the admin lists and shows them, and has no add page.
READ_ONLY = {ActivityStateStatus, ReportingLink, ReminderSent, SnapshotStatus}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def listed(response):
    return list(response.context["cl"].result_list)


# --- the site -----------------------------------------------------------------------------------


def registered_in(module):
    return {
        model for model, model_admin in admin.site._registry.items() if type(model_admin).__module__ == module
    }


def test_every_activities_model_is_registered():
    # API tokens, webhooks, deliveries and domain events are registered beside the API
    # (activities/api/admin.py); history tables are shown through their model's admin.
    models = {
        model
        for model in apps.get_app_config("activities").get_models()
        if not issubclass(model, HistoricalChanges)
    }
    assert models - set(admin.site._registry) == set()


def test_every_model_registered_here_has_a_row_builder():
    assert registered_in("activities.admin") == set(ROW_BUILDERS)


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
    for url in (admin_url(model, "changelist"), admin_url(model, "change", obj.pk)):
        assert staff_client.get(url).status_code == 200, url
    assert staff_client.get(admin_url(model, "add")).status_code == (403 if model in READ_ONLY else 200)


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
    # filter choices: strategies, Range States, rounds joined to strategy; entries joined to
    # activity, strategy, Range State, round and reporter; date hierarchy: first/last reporting date,
    # distinct reporting dates
    pytest.param(ProgressEntry, 10, id="ProgressEntry"),
    # strategy and Range State filter choices, links joined to entry, activity and Range State
    pytest.param(Evidence, 7, id="Evidence"),
    # strategy filter choices, rounds joined to strategy with entry counts, date hierarchy:
    # first/last deadline, distinct deadlines
    pytest.param(ReportingRound, 8, id="ReportingRound"),
    # strategy and Range State filter choices, statuses joined to activity, strategy and Range State
    pytest.param(ActivityStateStatus, 7, id="ActivityStateStatus"),
    # Range State filter choices, delegations joined to delegate, grantor, Range State, activity and
    # objective with its strategy
    pytest.param(Delegation, 6, id="Delegation"),
    # Range State filter choices, links joined to user, Range State and creator
    pytest.param(ReportingLink, 6, id="ReportingLink"),
    # round filter choices joined to strategy, reminders joined to user and round with its strategy,
    # date hierarchy: first/last day, distinct days
    pytest.param(ReminderSent, 8, id="ReminderSent"),
    # strategy and meeting filter choices, snapshots joined to strategy, meeting and taker with
    # status counts
    pytest.param(MeetingSnapshot, 7, id="MeetingSnapshot"),
    # strategy and meeting filter choices, statuses joined to activity, Range State and snapshot
    # with its meeting and strategy
    pytest.param(SnapshotStatus, 7, id="SnapshotStatus"),
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


def test_changelist_query_counts_cover_every_model_registered_here():
    assert {param.values[0] for param in CHANGELIST_QUERIES} == registered_in("activities.admin")


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


# --- progress entries through the workflow services ----------------------------------------------


def in_strategy(state=None):
    """An activity whose strategy has `state` (a new one by default) as a Range State."""
    activity = ActivityFactory()
    state = state or RangeStateFactory()
    activity.strategy.range_states.add(state)
    return activity, state


ENTRY_FORM = {
    "reporting_round": "",
    "reporting_date": "2025-06-30",
    "status": ProgressEntry.Status.IN_PROGRESS,
    "confidence": ProgressEntry.Confidence.DOCUMENTED,
    "narrative": "Camera traps installed.",
    "source": "",
    "restricted_details": "",
    "amount_spent_usd": "",
    "evidence-TOTAL_FORMS": "0",
    "evidence-INITIAL_FORMS": "0",
}


def change_form(entry, **changes):
    """The change form as the browser posts it for `entry`, with `changes`."""
    data = {
        **ENTRY_FORM,
        "reporting_date": entry.reporting_date.isoformat(),
        "status": entry.status,
        "confidence": entry.confidence,
        "narrative": entry.narrative,
        "source": entry.source,
        "restricted_details": entry.restricted_details,
        "expected_version": entry.version,
        "reason": "",
    }
    return data | changes


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_progress_entry_added_in_admin_is_a_draft_reported_by_the_current_user(staff_client):
    activity, state = in_strategy()

    response = staff_client.post(
        admin_url(ProgressEntry, "add"),
        ENTRY_FORM
        | {
            "activity": activity.pk,
            "range_state": state.pk,
            "review_state": ProgressEntry.ReviewState.APPROVED,  # read-only: ignored
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-url": "https://example.org/survey.pdf",
            "evidence-0-title": "Survey",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = ProgressEntry.objects.get()
    user = response.wsgi_request.user
    assert (entry.reported_by, entry.review_state, entry.version) == (
        user,
        ProgressEntry.ReviewState.DRAFT,
        1,
    )
    assert entry.confidence == ProgressEntry.Confidence.DOCUMENTED
    evidence = entry.evidence.get()
    assert (evidence.title, evidence.added_by) == ("Survey", user)
    assert [(h.history_user, h.history_change_reason) for h in entry.history.all()] == [(user, "Created")]


def test_admin_refuses_progress_for_a_state_outside_the_strategy(staff_client):
    activity = ActivityFactory()
    elsewhere = RangeStateFactory()

    response = staff_client.post(
        admin_url(ProgressEntry, "add"), ENTRY_FORM | {"activity": activity.pk, "range_state": elsewhere.pk}
    )

    assert response.status_code == 200
    assert "is not a Range State of" in str(response.context["adminform"].form.errors)
    assert not ProgressEntry.objects.exists()


def test_admin_changes_go_through_the_edit_service(staff_client):
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state)

    response = staff_client.post(
        admin_url(ProgressEntry, "change", entry.pk),
        change_form(entry, narrative="Five traps.", review_state="approved", version="7"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry.refresh_from_db()
    assert (entry.narrative, entry.version, entry.review_state) == ("Five traps.", 2, "draft")
    latest = entry.history.first()
    assert (latest.history_user, latest.history_change_reason) == (response.wsgi_request.user, "Edited")


def test_admin_edit_of_an_approved_entry_requires_a_reason_kept_in_the_history(staff_client):
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state, review_state="approved")
    url = admin_url(ProgressEntry, "change", entry.pk)

    response = staff_client.post(url, change_form(entry, narrative="Corrected."))

    assert response.status_code == 200
    assert "requires a reason" in str(response.context["adminform"].form.errors["reason"])
    assert ProgressEntry.objects.get(pk=entry.pk).narrative == entry.narrative

    response = staff_client.post(
        url, change_form(entry, narrative="Corrected.", reason="Wrong reserve named")
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.narrative == "Corrected."
    assert entry.history.first().history_change_reason == "Wrong reserve named"


def test_admin_reports_an_edit_conflict_and_overwrites_nothing(staff_client):
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state)
    stale = change_form(entry, narrative="Mine.")
    someone = SecretariatUserFactory(username="colleague")
    services.progress_entry_update(user=someone, entry=entry, expected_version=1, narrative="Theirs.")

    response = staff_client.post(admin_url(ProgressEntry, "change", entry.pk), stale)

    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors)
    assert "changed by colleague while you were editing" in errors
    assert ProgressEntry.objects.get(pk=entry.pk).narrative == "Theirs."


def test_admin_refuses_edits_of_locked_entries(staff_client):
    activity, state = in_strategy()
    closed = ReportingRoundFactory(strategy=activity.strategy, closed_at=timezone.now())
    entry = ProgressEntryFactory(activity=activity, range_state=state, reporting_round=closed)

    response = staff_client.post(
        admin_url(ProgressEntry, "change", entry.pk),
        change_form(entry, reporting_round=closed.pk, narrative="x"),
    )

    assert response.status_code == 200
    assert "is closed" in str(response.context["adminform"].form.errors)
    assert ProgressEntry.objects.get(pk=entry.pk).narrative == entry.narrative


def test_admin_refuses_a_wrong_evidence_file_next_to_the_field(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state)

    response = staff_client.post(
        admin_url(ProgressEntry, "change", entry.pk),
        change_form(entry)
        | {
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-title": "Dens",
            "evidence-0-file": SimpleUploadedFile("dens.pdf", b"<html>not a pdf</html>"),
        },
    )

    assert response.status_code == 200
    assert "does not look like a PDF file" in response.content.decode()
    assert not Evidence.objects.exists()


def test_admin_stores_an_evidence_file_through_the_service(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state)

    response = staff_client.post(
        admin_url(ProgressEntry, "change", entry.pk),
        change_form(entry)
        | {
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-title": "Dens",
            "evidence-0-restricted": "on",
            "evidence-0-file": SimpleUploadedFile("dens.pdf", b"%PDF-1.7 den sites"),
        },
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.content_type, evidence.restricted, evidence.size) == ("application/pdf", True, 18)
    assert (tmp_path / evidence.file.name).read_bytes() == b"%PDF-1.7 den sites"


def test_approve_selected_approves_and_reports_each_refusal(staff_client):
    boss = staff_client.get(reverse("admin:index")).wsgi_request.user
    activity, state = in_strategy()
    submitted = {"activity": activity, "range_state": state, "review_state": "submitted"}
    ok = ProgressEntryFactory(**submitted)
    own = ProgressEntryFactory(**submitted, reported_by=boss)
    draft = ProgressEntryFactory(activity=activity, range_state=state)

    response = staff_client.post(
        admin_url(ProgressEntry, "changelist"),
        {"action": "approve_selected", "_selected_action": [ok.pk, own.pk, draft.pk]},
        follow=True,
    )

    assert response.status_code == 200
    states = dict(ProgressEntry.objects.values_list("pk", "review_state"))
    assert states == {ok.pk: "approved", own.pk: "submitted", draft.pk: "draft"}
    texts = messages_of(response) or [str(m) for m in response.context["messages"]]
    assert "Approved 1 progress entries." in texts
    assert any(f"Not approved: {own}" in t and "Nobody approves" in t for t in texts)
    assert any(f"Not approved: {draft}" in t and "this one is draft" in t for t in texts)


def test_a_secretariat_group_member_uses_the_admin_without_being_superuser(db, client):
    reviewer = SecretariatUserFactory(is_staff=True)
    client.force_login(reviewer)
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state, review_state="submitted")

    response = client.post(
        admin_url(ProgressEntry, "changelist"), {"action": "approve_selected", "_selected_action": [entry.pk]}
    )

    assert response.status_code == 302
    assert ProgressEntry.objects.get(pk=entry.pk).reviewed_by == reviewer


def test_approved_entries_cannot_be_deleted_in_the_admin(staff_client):
    entry = ProgressEntryFactory(review_state="approved")

    assert staff_client.get(admin_url(ProgressEntry, "delete", entry.pk)).status_code == 403
    assert "delete_selected" not in staff_client.get(admin_url(ProgressEntry, "changelist")).content.decode()


def test_progress_is_listed_read_only_on_the_activity_page(staff_client):
    entry = ProgressEntryFactory(range_state=None)

    response = staff_client.get(admin_url(Activity, "change", entry.activity_id))

    content = response.content.decode()
    assert admin_url(ProgressEntry, "change", entry.pk) in content
    assert 'name="progress_entries-0-status"' not in content  # shown, not editable


def test_the_history_page_shows_who_changed_what(staff_client):
    activity, state = in_strategy()
    focal = UserFactory(username="focal-point")
    FocalPointFactory(user=focal, range_state=state)
    entry = services.progress_entry_create(
        user=focal,
        activity=activity,
        range_state=state,
        reporting_date=datetime.date(2025, 6, 30),
        status="completed",
    )
    services.progress_entry_submit(user=focal, entry=entry)

    response = staff_client.get(admin_url(ProgressEntry, "history", entry.pk))

    content = response.content.decode()
    assert "focal-point" in content and "Submitted" in content and "Created" in content


# --- rounds, delegations, links, snapshots ------------------------------------------------------------


def test_a_round_added_in_the_admin_is_opened_by_the_current_user(staff_client):
    strategy = StrategyFactory()

    response = staff_client.post(
        admin_url(ReportingRound, "add"),
        {
            "strategy": strategy.pk,
            "name": "2025 annual",
            "kind": "annual",
            "opens_on": "2025-01-01",
            "deadline": "2025-06-30",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ReportingRound.objects.get().created_by == response.wsgi_request.user


def test_closing_a_round_in_the_admin_locks_it(staff_client):
    reporting_round = ReportingRoundFactory()

    staff_client.post(
        admin_url(ReportingRound, "changelist"),
        {"action": "close_selected", "_selected_action": [reporting_round.pk]},
    )

    assert ReportingRound.objects.get().is_closed


def test_a_delegation_added_in_the_admin_is_granted_by_the_current_user(staff_client):
    activity, state = in_strategy()
    colleague = UserFactory()

    response = staff_client.post(
        admin_url(Delegation, "add"),
        {"delegate": colleague.pk, "range_state": state.pk, "activity": activity.pk, "objective": ""},
    )

    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegate, delegation.granted_by) == (colleague, response.wsgi_request.user)


def test_an_invalid_delegation_is_refused_with_a_message(staff_client):
    _, state = in_strategy()

    response = staff_client.post(
        admin_url(Delegation, "add"),
        {"delegate": UserFactory().pk, "range_state": state.pk, "activity": "", "objective": ""},
    )

    assert response.status_code == 200
    assert "either one activity or one objective" in str(response.context["adminform"].form.errors)
    assert not Delegation.objects.exists()


def test_a_delegation_the_service_refuses_is_reported_as_a_message(staff_client):
    activity = ActivityFactory()
    elsewhere = RangeStateFactory()  # not a Range State of the activity's strategy

    response = staff_client.post(
        admin_url(Delegation, "add"),
        {"delegate": UserFactory().pk, "range_state": elsewhere.pk, "activity": activity.pk, "objective": ""},
        follow=True,
    )

    assert not Delegation.objects.exists()
    assert any("Nothing was saved" in t and "is not a Range State of" in t for t in messages_of(response))


def test_revoking_delegations_in_the_admin(staff_client):
    delegation = DelegationFactory()

    staff_client.post(
        admin_url(Delegation, "changelist"),
        {"action": "revoke_selected", "_selected_action": [delegation.pk]},
    )

    assert Delegation.objects.get().revoked_at is not None


def test_a_reporting_links_token_hash_is_never_shown(staff_client):
    link = ReportingLinkFactory(token_hash="f" * 64)

    for url in (admin_url(ReportingLink, "changelist"), admin_url(ReportingLink, "change", link.pk)):
        assert "f" * 64 not in staff_client.get(url).content.decode()


def test_withdrawing_reporting_links_in_the_admin(staff_client):
    link = ReportingLinkFactory()

    staff_client.post(
        admin_url(ReportingLink, "changelist"), {"action": "revoke_selected", "_selected_action": [link.pk]}
    )

    assert ReportingLink.objects.get().revoked_at is not None


def test_a_snapshot_added_in_the_admin_copies_the_current_statuses(staff_client):
    status = approved_status()
    meeting = MeetingFactory()

    response = staff_client.post(
        admin_url(MeetingSnapshot, "add"),
        {"meeting": meeting.pk, "strategy": status.activity.strategy_id, "note": "As presented"},
    )

    assert response.status_code == 302
    snapshot = MeetingSnapshot.objects.get()
    assert snapshot.taken_by == response.wsgi_request.user
    assert list(snapshot.statuses.values_list("entry", "status")) == [(status.entry_id, status.status)]
    page = staff_client.get(admin_url(MeetingSnapshot, "change", snapshot.pk)).content.decode()
    assert str(status.activity) in page
