"""The roles' groups and their model permissions, kept in step with the code after every migrate.

Who may do what to progress entries is decided by activities.permissions; these groups carry the
Django model permissions that the admin needs, and mark Secretariat membership."""

from django.contrib.auth.models import Group, Permission

from .permissions import FOCAL_POINTS_GROUP, SECRETARIAT_GROUP

# The Secretariat manages strategies, Range States, rounds and users in the admin.
SECRETARIAT_APPS = ("activities", "auth")
# Focal points work in the app's own pages only; the group marks them, it grants no admin rights.
FOCAL_POINT_PERMISSIONS: tuple[str, ...] = ()


def ensure_role_groups(**kwargs) -> None:
    """Create the role groups and give the Secretariat every permission of its apps (post_migrate)."""
    secretariat, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    secretariat.permissions.set(Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS))
    focal_points, _ = Group.objects.get_or_create(name=FOCAL_POINTS_GROUP)
    focal_points.permissions.set(Permission.objects.filter(codename__in=FOCAL_POINT_PERMISSIONS))
