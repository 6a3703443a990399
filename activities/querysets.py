"""Reusable reads for the strategy domain."""

from django.db import models
from django.db.models import Prefetch


class ResultQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(strategy=strategy)


class ActivityQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(strategy=strategy)

    def with_context(self):
        """Join the hierarchy and prefetch the many-to-many links a page or list shows."""
        return self.select_related("strategy", "result__objective__theme").prefetch_related(
            "actors", "cami_pow_measures"
        )

    def with_references(self):
        from .models import CrossReference

        refs = CrossReference.objects.select_related("to_activity", "to_result", "to_objective")
        return self.prefetch_related(Prefetch("references", queryset=refs))

    def involving(self, actor):
        return self.filter(actors=actor)

    def overdue(self, *, year: int):
        return self.filter(due_year__lt=year)


class ProgressEntryQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(review_state="approved")

    def with_context(self):
        return self.select_related("activity__strategy", "range_state", "reported_by")
