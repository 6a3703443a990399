"""Give the National Action Plans that exist a slug, from their title, before slugs become unique.
The seed fixtures use the same slugs, so a database seeded before this migration is updated in place
by the next `manage.py seed` rather than given a second copy of each plan."""

from django.db import migrations
from django.utils.text import slugify


def fill_slugs(apps, schema_editor):
    NationalActionPlan = apps.get_model("activities", "NationalActionPlan")
    taken = set()
    for plan in NationalActionPlan.objects.order_by("pk"):
        base = slugify(plan.title)[:90] or "plan"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        plan.slug = slug
        plan.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_regional_picture")]

    operations = [migrations.RunPython(fill_slugs, migrations.RunPython.noop, elidable=True)]
