"""Which rows belong to the demonstration data set: one marker per row the loader made, so that removing
the set removes exactly those rows (and what the services derived from them), never seeded or
user-entered data. A marker table rather than a flag on each model: the domain's tables stay as they are,
and the set's rows can be found from one place."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoRecordQuerySet(models.QuerySet):
    def ids_of(self, model) -> list[int]:
        """The primary keys of `model`'s rows in the demonstration data set."""
        content_type = ContentType.objects.get_for_model(model)
        return list(self.filter(content_type=content_type).values_list("object_id", flat=True))


class DemoRecord(models.Model):
    """One row of the demonstration data set (a reporting round, an entry, its evidence, a meeting, a
    snapshot), as made by the loader."""

    content_type = models.ForeignKey(ContentType, verbose_name=_("kind of row"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("row"))
    row = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    objects = DemoRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("demonstration row")
        verbose_name_plural = _("demonstration rows")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="demo_record_unique"),
        ]

    def __str__(self):
        return f"{self.content_type.model} #{self.object_id}"
