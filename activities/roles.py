"""The roles' groups and their model permissions, kept in step with the code after every migrate.

Who may do what to progress entries is decided by activities.permissions; these groups carry the
Django model permissions that the admin needs, and mark Secretariat membership. The README's roles
table lists the same permissions; tests/activities/admin/test_permission_matrix.py checks every
admin page against it."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from .permissions import FOCAL_POINTS_GROUP, SECRETARIAT_GROUP

ALL = ("add", "change", "delete", "view")

# Exactly what the Secretariat's work needs in the admin, by model ("app_label.model"). Of accounts,
# only the sight (to pick a token's owner, a delegate or a webhook's owner); of groups, permissions,
# users' profiles and the task queue, nothing: only superusers manage accounts and what they may do, so that no staff
# member can raise their own rights or make a second account to approve their own work. For the same
# reason focal-point assignments, which give an account the right to submit a Range State's report,
# are the superusers' to change. Workflow rows change only through the services (the admin's own
# checks, activities/admin/), and rows the services maintain are only viewed.
SECRETARIAT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "auth.user": ("view",),
    # the strategies as adopted, and the regional picture
    "activities.strategy": ALL,
    "activities.theme": ALL,
    "activities.objective": ALL,
    "activities.result": ALL,
    "activities.activity": ALL,
    "activities.actor": ALL,
    "activities.workprogrammemeasure": ALL,
    "activities.crossreference": ALL,
    "activities.meeting": ALL,
    "activities.rangestate": ALL,
    "activities.metapopulation": ALL,
    "activities.nationalactionplan": ALL,
    "activities.species": ALL,
    "activities.speciessynonym": ALL,
    "activities.commonname": ALL,
    "activities.meetingday": ALL,
    "activities.agendaitem": ALL,
    "activities.meetingdocument": ALL,
    "activities.planreview": ALL,
    "activities.ecoregionalplan": ALL,
    "activities.landscape": ALL,
    "activities.thematicarea": ALL,
    "activities.ecoregionalmeasure": ALL,
    # funding
    "activities.organisation": ALL,
    "activities.programme": ALL,
    "activities.programmeoutput": ALL,
    "activities.programmelink": ALL,
    "activities.grant": ALL,
    "activities.grantactivity": ALL,
    # translations of strategy content (the source texts stay as they are)
    "activities.strategytranslation": ALL,
    "activities.themetranslation": ALL,
    "activities.objectivetranslation": ALL,
    "activities.resulttranslation": ALL,
    "activities.activitytranslation": ALL,
    "activities.metapopulationtranslation": ALL,
    # progress reporting
    "activities.focalpoint": ("view",),
    "activities.reportinground": (
        "add",
        "change",
        "view",
    ),  # opened, changed, closed, reopened; never deleted
    "activities.progressentry": ALL,  # deleted only while not approved (permissions.decide)
    "activities.evidence": ("add", "delete", "view"),  # added and removed, never edited
    "activities.activitystatestatus": ("view",),
    "activities.delegation": ("add", "view"),  # granted and revoked (an action), never edited
    "activities.reportinglink": ("view",),  # made on the focal point's page, withdrawn by an action
    "activities.remindersent": ("view",),
    "activities.nationalreport": ("view",),  # changes on its own page, through the services
    "activities.reportcomment": ("view",),  # written on the report's page
    "activities.reportreminder": ("view",),  # sent from a round's overview, never changed
    "activities.meetingsnapshot": ("add", "change", "view"),  # taken, then only its note changes
    "activities.snapshotstatus": ("view",),
    # integration with partners' systems
    "activities.apitoken": ("add", "change", "view"),  # issued and revoked, never deleted
    "activities.webhook": ("add", "change", "view"),
    "activities.webhookdelivery": ("change", "view"),  # retried by an action
    "activities.domainevent": ("view",),
    "activities.strategyimport": ("view",),  # a record of uploads; made on the import pages
}
# Focal points work in the app's own pages only; the group marks them, it grants no admin rights.
FOCAL_POINT_PERMISSIONS: dict[str, tuple[str, ...]] = {}


def permissions_for(table: dict[str, tuple[str, ...]]):
    """The Permission rows named by `table` ("app_label.model" → actions)."""
    wanted = Q(pk__in=[])
    for label, actions in table.items():
        app_label, model = label.split(".")
        wanted |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    return Permission.objects.filter(wanted)


def ensure_role_groups(**kwargs) -> None:
    """Create the role groups and give each exactly its permissions (post_migrate)."""
    secretariat, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    secretariat.permissions.set(permissions_for(SECRETARIAT_PERMISSIONS))
    focal_points, _ = Group.objects.get_or_create(name=FOCAL_POINTS_GROUP)
    focal_points.permissions.set(permissions_for(FOCAL_POINT_PERMISSIONS))
