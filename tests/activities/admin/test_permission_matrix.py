"""Who may do what in the admin: every registered model × every role × add/change/delete/view, checked
through the ModelAdmin's permission methods and through real requests to its pages, against the table
in the README ("The admin, model by model"), which EXPECTED repeats.

The models come from admin.site._registry, so a model newly registered in the admin fails here until
it has a row. Only superusers manage users, groups and focal-point assignments: a Secretariat member
who could would raise their own rights, or make a second account to approve their own work."""

import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Profile
from activities import roles, tasks
from activities.models import (
    Activity,
    ActivityTranslation,
    APIToken,
    DomainEvent,
    Evidence,
    FocalPoint,
    Metapopulation,
    MetapopulationTranslation,
    NationalReport,
    Objective,
    ObjectiveTranslation,
    ProgressEntry,
    ReportComment,
    ReportReminder,
    Result,
    ResultTranslation,
    Strategy,
    StrategyImport,
    StrategyTranslation,
    Theme,
    ThemeTranslation,
    Webhook,
    WebhookDelivery,
)
from activities.permissions import FOCAL_POINTS_GROUP, SECRETARIAT_GROUP
from notifications.models import Kind, Notice, NoticePreference
from tests.factories import (
    APITokenFactory,
    DelegationFactory,
    FocalPointFactory,
    RangeStateFactory,
    ReportingRoundFactory,
    SecretariatUserFactory,
    UserFactory,
    WebhookFactory,
)

from .rows import ROW_BUILDERS

ALL = "add change delete view"
NONE = ""
ROLES = ("superuser", "secretariat", "focal_point", "delegate", "anonymous")
ACTIONS = ("add", "change", "delete", "view")

# (superuser, Secretariat staff) per model, as in the README. Focal points, delegates and anonymous
# visitors get nothing anywhere: the admin is for staff only.
EXPECTED = {
    "auth.User": (ALL, "view"),
    "auth.Group": (ALL, NONE),
    "accounts.Profile": (ALL, NONE),
    "django_tasks_database.DBTaskResult": ("view", NONE),
    "activities.Strategy": (ALL, ALL),
    "activities.Theme": (ALL, ALL),
    "activities.Objective": (ALL, ALL),
    "activities.Result": (ALL, ALL),
    "activities.Activity": (ALL, ALL),
    "activities.Actor": (ALL, ALL),
    "activities.WorkProgrammeMeasure": (ALL, ALL),
    "activities.CrossReference": (ALL, ALL),
    "activities.Meeting": (ALL, ALL),
    "activities.RangeState": (ALL, ALL),
    "activities.Metapopulation": (ALL, ALL),
    "activities.NationalActionPlan": (ALL, ALL),
    "activities.StrategyTranslation": (ALL, ALL),
    "activities.ThemeTranslation": (ALL, ALL),
    "activities.ObjectiveTranslation": (ALL, ALL),
    "activities.ResultTranslation": (ALL, ALL),
    "activities.ActivityTranslation": (ALL, ALL),
    "activities.MetapopulationTranslation": (ALL, ALL),
    "activities.FocalPoint": (ALL, "view"),
    "activities.ReportingRound": (ALL, "add change view"),
    "activities.ProgressEntry": (ALL, ALL),
    "activities.Evidence": ("add delete view", "add delete view"),
    "activities.Delegation": ("add delete view", "add view"),
    "activities.MeetingSnapshot": (ALL, "add change view"),
    "activities.APIToken": ("add change view", "add change view"),
    "activities.Webhook": ("add change view", "add change view"),
    "activities.WebhookDelivery": ("change view", "change view"),
    "activities.ActivityStateStatus": ("view", "view"),
    "activities.ReportingLink": ("view", "view"),
    "activities.ReminderSent": ("view", "view"),
    "activities.NationalReport": ("view", "view"),
    "activities.ReportComment": ("view", "view"),
    "activities.ReportReminder": ("view", "view"),
    "activities.SnapshotStatus": ("view", "view"),
    "activities.DomainEvent": ("view", "view"),
    "activities.StrategyImport": ("view", "view"),
    # the regional picture (issue 13): content the Secretariat keeps, like the strategies
    **{
        f"activities.{name}": (ALL, ALL)
        for name in (
            "Species",
            "SpeciesSynonym",
            "CommonName",
            "MeetingDay",
            "AgendaItem",
            "MeetingDocument",
            "PlanReview",
            "EcoregionalPlan",
            "Landscape",
            "ThematicArea",
            "EcoregionalMeasure",
            "Organisation",
            "Programme",
            "ProgrammeOutput",
            "ProgrammeLink",
            "Grant",
            "GrantActivity",
        )
    },
    # notices are personal: the Secretariat does not read other people's
    "notifications.Notice": ("delete view", NONE),
    "notifications.NoticePreference": (ALL, NONE),
    # sign-in security, the IT team's: records of failed sign-ins are evidence, only read; deleting an
    # attempt lifts its lockout. Two-factor devices are added by their owner, never in the admin.
    "axes.AccessAttempt": ("delete view", NONE),
    "axes.AccessLog": ("view", NONE),
    "axes.AccessFailureLog": ("view", NONE),
    "otp_totp.TOTPDevice": ("view", NONE),
}


def expected(label: str, role: str) -> set[str]:
    superuser, secretariat = EXPECTED[label]
    return set({"superuser": superuser, "secretariat": secretariat}.get(role, NONE).split())


REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def test_every_model_in_the_admin_has_a_row_and_every_row_a_model():
    assert {model._meta.label for model in REGISTERED} == set(EXPECTED)


def test_the_readme_table_is_the_expected_table():
    """The README's table lists the same permissions, model by model (labels in back quotes)."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    section = readme.split("| model in the admin | superuser | Secretariat staff |", 1)[1].split("\n\n", 1)[0]
    documented = {}
    for line in section.strip().splitlines()[1:]:
        what, superuser, secretariat = (cell.strip() for cell in line.strip("|").split("|"))
        for label in re.findall(r"`([\w.]+)`", what):
            documented[label] = tuple(
                " ".join(a for a in ACTIONS if a in cell.replace(",", " ").split())
                for cell in (superuser, secretariat)
            )
    assert documented == {
        label: tuple(" ".join(sorted(v.split())) for v in row) for label, row in EXPECTED.items()
    }


def test_the_secretariat_group_has_exactly_the_listed_model_permissions(db):
    group = Group.objects.get(name=SECRETARIAT_GROUP)
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    listed = {
        (label.split(".")[0], f"{action}_{label.split('.')[1]}")
        for label, actions in roles.SECRETARIAT_PERMISSIONS.items()
        for action in actions
    }
    # Every listed permission exists (a typo in roles.py would silently grant nothing) and is granted.
    assert granted == listed
    assert set(
        group.permissions.filter(content_type__app_label="auth").values_list("codename", flat=True)
    ) == {"view_user"}
    assert not Group.objects.get(name=FOCAL_POINTS_GROUP).permissions.exists()


# --- the matrix ---------------------------------------------------------------------------------


def user_for(role: str):
    if role == "superuser":
        return UserFactory(username="root", is_staff=True, is_superuser=True)
    if role == "secretariat":
        return SecretariatUserFactory(username="staff-member", is_staff=True)
    if role == "focal_point":
        user = FocalPointFactory(user__username="focal", range_state=RangeStateFactory()).user
        user.groups.add(Group.objects.get(name=FOCAL_POINTS_GROUP))
        return user
    if role == "delegate":
        return DelegationFactory(delegate__username="expert").delegate
    return AnonymousUser()


def task_result():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.get(id=tasks.webhooks_sweep.enqueue().id)


def delivery():
    event = DomainEvent.objects.create(kind=DomainEvent.Kind.PROGRESS_APPROVED, payload={})
    return WebhookDelivery.objects.create(
        webhook=WebhookFactory(), event=event, next_attempt_at=timezone.now()
    )


def draft_entry():
    """A draft (which the Secretariat may delete) for a Range State of its activity's strategy."""
    entry = ROW_BUILDERS[ProgressEntry]()
    entry.activity.strategy.range_states.add(entry.range_state)
    return entry


def national_report():
    reporting_round = ReportingRoundFactory()
    state = RangeStateFactory()
    reporting_round.strategy.range_states.add(state)
    return NationalReport.objects.create(
        reporting_round=reporting_round, range_state=state, created_by=UserFactory(), prepared_by="A. N."
    )


def translation(model, master_builder, **fields):
    return lambda: model.objects.create(master=master_builder(), language_code="ru", **fields)


BUILDERS = {
    **{model._meta.label: builder for model, builder in ROW_BUILDERS.items()},
    "activities.ProgressEntry": draft_entry,
    "auth.User": lambda: UserFactory(username="someone-else"),
    "auth.Group": lambda: Group.objects.create(name="Partners"),
    "django_tasks_database.DBTaskResult": task_result,
    "accounts.Profile": lambda: Profile.objects.create(user=UserFactory(username="reader"), language="ru"),
    "activities.StrategyTranslation": translation(
        StrategyTranslation, ROW_BUILDERS[Strategy], title_translated="Стратегия"
    ),
    "activities.ThemeTranslation": translation(
        ThemeTranslation, ROW_BUILDERS[Theme], title_translated="Тема"
    ),
    "activities.ObjectiveTranslation": translation(
        ObjectiveTranslation, ROW_BUILDERS[Objective], text_translated="Цель"
    ),
    "activities.ResultTranslation": translation(
        ResultTranslation, ROW_BUILDERS[Result], text_translated="Результат"
    ),
    "activities.ActivityTranslation": translation(
        ActivityTranslation, ROW_BUILDERS[Activity], text_translated="Мероприятие"
    ),
    "activities.MetapopulationTranslation": translation(
        MetapopulationTranslation, ROW_BUILDERS[Metapopulation], name_translated="Метапопуляция"
    ),
    "activities.APIToken": APITokenFactory,
    "activities.NationalReport": national_report,
    "activities.ReportComment": lambda: ReportComment.objects.create(
        report=national_report(), section="needs", author=UserFactory(), text="Amounts?"
    ),
    "activities.ReportReminder": lambda: ReportReminder.objects.create(
        reporting_round=ReportingRoundFactory(),
        range_state=RangeStateFactory(),
        sent_by=UserFactory(username="reminder-sender"),
    ),
    "activities.Webhook": WebhookFactory,
    "activities.WebhookDelivery": delivery,
    "activities.StrategyImport": lambda: StrategyImport.objects.create(
        uploaded_by=UserFactory(username="uploader"), file_name="logframe.xlsx", file_sha256="0" * 64
    ),
    "activities.DomainEvent": lambda: DomainEvent.objects.create(
        kind=DomainEvent.Kind.PROGRESS_APPROVED, payload={"entry_id": 1}
    ),
    "notifications.Notice": lambda: Notice.objects.create(
        recipient=UserFactory(username="recipient"),
        kind=Kind.ENTRY_SUBMITTED,
        key="k",
        text="A notice",
        url="/",
    ),
    "notifications.NoticePreference": lambda: NoticePreference.objects.create(
        user=UserFactory(username="chooser"), kind=Kind.ENTRY_SUBMITTED, email=False
    ),
    "axes.AccessAttempt": lambda: AccessAttempt.objects.create(
        username="someone", ip_address="192.0.2.1", failures_since_start=3, attempt_time=timezone.now()
    ),
    "axes.AccessLog": lambda: AccessLog.objects.create(
        username="someone", ip_address="192.0.2.1", attempt_time=timezone.now()
    ),
    "axes.AccessFailureLog": lambda: AccessFailureLog.objects.create(
        username="someone", ip_address="192.0.2.1", attempt_time=timezone.now()
    ),
    "otp_totp.TOTPDevice": lambda: TOTPDevice.objects.create(
        user=UserFactory(username="two-factor"), name="phone", confirmed=True
    ),
}


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def allowed_by_methods(model_admin, request, obj) -> set[str]:
    """What the ModelAdmin's permission methods allow, on the model and on the row (they must agree)."""
    checks = {
        "add": lambda o: model_admin.has_add_permission(request),
        "change": lambda o: model_admin.has_change_permission(request, o),
        "delete": lambda o: model_admin.has_delete_permission(request, o),
        "view": lambda o: model_admin.has_view_permission(request, o),
    }
    found = set()
    for action, check in checks.items():
        on_model, on_row = bool(check(None)), bool(check(obj))
        assert on_model == on_row, (action, "the model and the row disagree")
        if on_model:
            found.add(action)
    return found


def allowed_by_pages(client, model, obj, role) -> set[str]:
    """What real requests to the model's admin pages allow; a refused write changes nothing."""
    pages = {
        "view": ("get", url(model, "changelist"), {}),
        "add": ("get", url(model, "add"), {}),
        "change": ("post", url(model, "change", obj.pk), {}),
        "delete": ("get", url(model, "delete", obj.pk), {}),
    }
    found = set()
    for action, (method, address, data) in pages.items():
        response = getattr(client, method)(address, data)
        if role in ("focal_point", "delegate", "anonymous"):
            # Not staff: every admin page sends them to the admin's sign-in page.
            assert response.status_code == 302, (action, response.status_code)
            assert response["Location"].startswith(reverse("admin:login")), action
            continue
        assert response.status_code in (200, 302, 403), (action, response.status_code)
        if response.status_code != 403:
            found.add(action)
    if role in ("focal_point", "delegate", "anonymous") or "delete" not in found:
        # A refused deletion, actually posted, deletes nothing.
        response = client.post(url(model, "delete", obj.pk), {"post": "yes"})
        assert response.status_code in (302, 403)
        assert model._default_manager.filter(pk=obj.pk).exists()
    return found


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_permissions_and_pages_follow_the_table(db, client, model):
    label = model._meta.label
    obj = BUILDERS[label]()
    model_admin = admin.site._registry[model]
    for role in ROLES:
        user = user_for(role)
        request = RequestFactory().get("/admin/")
        request.user = user
        assert allowed_by_methods(model_admin, request, obj) == expected(label, role), (label, role)
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        assert allowed_by_pages(client, model, obj, role) == expected(label, role), (label, role)


MATRIX_CELLS = len(EXPECTED) * len(ROLES) * len(ACTIONS)


def test_the_matrix_covers_every_model_role_and_action():
    assert len(REGISTERED) * 5 * 4 == MATRIX_CELLS


# --- escalation, tried the way a staff member would ------------------------------------------------


@pytest.fixture
def staff(db, client):
    member = SecretariatUserFactory(username="staff-member", is_staff=True)
    client.force_login(member)
    return member


def test_staff_cannot_make_themselves_superuser(client, staff):
    response = client.post(
        url(type(staff), "change", staff.pk),
        {"username": staff.username, "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    assert response.status_code == 403
    staff.refresh_from_db()
    assert not staff.is_superuser


def test_staff_cannot_create_a_second_account(client, staff):
    response = client.post(
        url(type(staff), "add"),
        {"username": "my-other-self", "password1": "a-long-password-9", "password2": "a-long-password-9"},
    )
    assert response.status_code == 403
    assert not type(staff).objects.filter(username="my-other-self").exists()


def test_staff_cannot_give_the_secretariat_group_more_permissions(client, staff):
    group = Group.objects.get(name=SECRETARIAT_GROUP)
    before = set(group.permissions.all())
    every = Permission.objects.values_list("pk", flat=True)
    response = client.post(url(Group, "change", group.pk), {"name": group.name, "permissions": list(every)})
    assert response.status_code == 403
    assert set(group.permissions.all()) == before


def test_staff_cannot_make_an_account_a_focal_point(client, staff):
    other = UserFactory(username="someone")
    response = client.post(url(FocalPoint, "add"), {"user": other.pk, "range_state": RangeStateFactory().pk})
    assert response.status_code == 403
    assert not FocalPoint.objects.exists()


def test_the_admin_index_offers_staff_no_groups_and_accounts_to_view_only(client, staff):
    content = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:auth_group_changelist") not in content
    assert reverse("admin:auth_user_add") not in content
    page = client.get(url(type(staff), "change", staff.pk)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="_save"' not in page


def test_staff_pick_accounts_in_the_admins_account_fields(client, staff):
    # The owner of a token, a delegate, a webhook's owner: chosen with the admin's autocomplete.
    UserFactory(username="iucn-cat-sg")
    query = {"term": "iucn", "app_label": "activities", "model_name": "apitoken", "field_name": "user"}
    response = client.get(reverse("admin:autocomplete"), query)
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["iucn-cat-sg"]


@pytest.mark.parametrize("owner_kind", ["superuser", "colleague", "staff-without-group"])
def test_staff_cannot_issue_an_api_token_that_acts_as_another_staff_account(client, staff, owner_kind):
    owner = {
        "superuser": lambda: UserFactory(username="root", is_staff=True, is_superuser=True),
        "colleague": lambda: SecretariatUserFactory(username="colleague", is_staff=True),
        "staff-without-group": lambda: UserFactory(username="ops", is_staff=True),
    }[owner_kind]()
    response = client.post(
        url(APIToken, "add"), {"user": owner.pk, "name": "Acting as them", "scope": "read_write"}
    )
    assert response.status_code == 200
    assert "Only a superuser issues an API token for another staff" in response.content.decode()
    assert not APIToken.objects.exists()


def test_staff_issue_tokens_for_partners_and_themselves_and_are_recorded_as_issuers(client, staff):
    partner = UserFactory(username="iucn-cat-sg")
    for owner in (partner, staff):
        response = client.post(url(APIToken, "add"), {"user": owner.pk, "name": "Sync", "scope": "read"})
        assert response.status_code == 200 and "key" in response.context
    assert set(APIToken.objects.values_list("user__username", "created_by__username")) == {
        ("iucn-cat-sg", "staff-member"),
        ("staff-member", "staff-member"),
    }


def test_a_superuser_issues_a_token_for_anyone(client, db):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    colleague = SecretariatUserFactory(username="colleague", is_staff=True)
    response = client.post(
        url(APIToken, "add"), {"user": colleague.pk, "name": "Reviewer's sync", "scope": "read"}
    )
    assert response.status_code == 200
    assert APIToken.objects.get().created_by == root


def test_history_pages_show_old_versions_but_never_restore_them(client, staff):
    # django-simple-history's "Revert" would save an old version past the services' checks; for
    # evidence, it would re-attach the file of removed evidence.
    from activities import services

    entry = draft_entry()
    old = entry.history.first()
    services.progress_entry_update(user=staff, entry=entry, expected_version=entry.version, narrative="Now.")
    evidence = services.evidence_add(user=staff, entry=entry, url="https://example.org/dens", restricted=True)
    evidence_pk = evidence.pk
    services.evidence_remove(user=staff, evidence=evidence)
    removed = Evidence.history.get(id=evidence_pk, history_type="+")
    pages = [
        (reverse("admin:activities_progressentry_simple_history", args=[entry.pk, old.history_id]), {}),
        (
            reverse("admin:activities_evidence_simple_history", args=[evidence_pk, removed.history_id]),
            {"entry": entry.pk, "title": "", "url": "https://example.org/dens"},
        ),
    ]
    for page, data in pages:
        shown = client.get(page)
        assert shown.status_code == 200
        assert 'name="_save"' not in shown.content.decode()
        assert client.post(page, data).status_code == 403
    entry.refresh_from_db()
    assert entry.narrative == "Now."
    assert not Evidence.objects.exists()


def test_webhook_rows_are_never_deleted(db):
    for model in (APIToken, Webhook, WebhookDelivery, DomainEvent):
        request = RequestFactory().get("/admin/")
        request.user = UserFactory(
            username=f"root-{model._meta.model_name}", is_staff=True, is_superuser=True
        )
        assert not admin.site._registry[model].has_delete_permission(request)
