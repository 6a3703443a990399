"""Funding (Objective 12 of the Persian Leopard strategy): organisations that give or receive money or
take part in a programme, grant-making programmes and the initiatives they support, and grants that
fund activities — possibly of several strategies — in given Range States, with an amount and a period.

Committed funding beside the estimated cost, and the funding gap, are computed from the grants'
activity lines (GrantActivity) by activities.funding_gap."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .species import Species


def _dates_in_order(prefix: str, name: str):
    return models.CheckConstraint(
        condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(starts_on__lte=F("ends_on")),
        name=f"{prefix}_{name}",
    )


class Organisation(models.Model):
    """An organisation that funds, manages, receives or takes part in conservation funding."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300, unique=True, help_text=_("As the source writes it."))
    description = models.TextField(_("description"), blank=True)
    source_note = models.TextField(_("source note"), blank=True)
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class ProgrammeQuerySet(models.QuerySet):
    def with_details(self):
        """Everything a programme page shows: manager, donors, members and partners, target species with
        their parent taxa, Range States, outputs, and its links to other programmes both ways."""
        return self.select_related("managed_by").prefetch_related(
            "donors",
            "members_and_partners",
            models.Prefetch("species", queryset=Species.objects.select_related("parent")),
            "range_states",
            "outputs",
            models.Prefetch("links", queryset=ProgrammeLink.objects.select_related("target")),
            models.Prefetch("linked_from", queryset=ProgrammeLink.objects.select_related("source")),
        )


class Programme(models.Model):
    """A grant-making programme (IUCN Save Our Species Central Asia), or an initiative or programme that
    such a programme supports or is part of (CMS CAMI, the Global Snow Leopard & Ecosystem Protection
    Programme)."""

    class Kind(models.TextChoices):
        GRANT_MAKING = "grant_making", _("Grant-making programme")
        INITIATIVE = "initiative", _("Initiative")
        PROGRAMME = "programme", _("Programme")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    managed_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes_managed",
        verbose_name=_("managed by"),
    )
    donors = models.ManyToManyField(
        Organisation, related_name="programmes_funded", blank=True, verbose_name=_("donors")
    )
    members_and_partners = models.ManyToManyField(
        Organisation, related_name="programme_memberships", blank=True, verbose_name=_("members and partners")
    )
    overview = models.TextField(
        _("overview"), blank=True, help_text=_("The programme's aims, as the source gives them.")
    )
    phase = models.CharField(_("phase"), max_length=100, blank=True, help_text=_("e.g. first phase."))
    period_text = models.CharField(
        _("period (source text)"),
        max_length=100,
        blank=True,
        help_text=_("As the source gives it, e.g. Nov, 2018 - Dec, 2022."),
    )
    starts_on = models.DateField(
        _("starts on"), null=True, blank=True, help_text=_("The first day of the month the source gives.")
    )
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("The last day of the month the source gives.")
    )
    grant_count_min = models.PositiveSmallIntegerField(_("fewest grants"), null=True, blank=True)
    grant_count_max = models.PositiveSmallIntegerField(_("most grants"), null=True, blank=True)
    grant_min_usd = models.DecimalField(
        _("smallest grant (USD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    grant_max_usd = models.DecimalField(
        _("largest grant (USD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    species = models.ManyToManyField(
        "activities.Species", related_name="programmes", blank=True, verbose_name=_("target species")
    )
    range_states = models.ManyToManyField(
        "activities.RangeState", related_name="programmes", blank=True, verbose_name=_("Range States")
    )
    range_states_note = models.CharField(
        _("Range States (source text)"),
        max_length=300,
        blank=True,
        help_text=_("How the source describes the area, e.g. “parts of Kazakhstan, …”."),
    )
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_note = models.TextField(_("source note"), blank=True)
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            _dates_in_order("programme", "dates_in_order"),
            models.CheckConstraint(
                condition=Q(grant_count_min__isnull=True)
                | Q(grant_count_max__isnull=True)
                | Q(grant_count_min__lte=F("grant_count_max")),
                name="programme_grant_counts_in_order",
            ),
            models.CheckConstraint(
                condition=Q(grant_min_usd__isnull=True)
                | Q(grant_max_usd__isnull=True)
                | Q(grant_min_usd__lte=F("grant_max_usd")),
                name="programme_grant_sizes_in_order",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name


class ProgrammeOutput(models.Model):
    """An output a programme (or its phase) sets out to deliver."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="outputs", verbose_name=_("programme")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("programme output")
        verbose_name_plural = _("programme outputs")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programme_output_unique")
        ]

    def __str__(self):
        return _("Output %(number)s") % {"number": self.number}


class ProgrammeLink(models.Model):
    """How one programme relates to another, with the source's words for it."""

    class Relation(models.TextChoices):
        NESTED_IN = "nested_in", _("is nested within")
        SUPPORTS = "supports", _("supports the aim of")
        COORDINATES_WITH = "coordinates_with", _("coordinates its activities with")
        ELEMENT_OF = "element_of", _("is a key element of")
        DRAWS_ON = "draws_on", _("draws on the grant-making experience of")

    source = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="links", verbose_name=_("programme")
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    target = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="linked_from", verbose_name=_("related programme")
    )
    source_text = models.TextField(
        _("source text"), blank=True, help_text=_("The source's sentence for the link.")
    )

    class Meta:
        ordering = ["source", "relation", "target"]
        verbose_name = _("programme link")
        verbose_name_plural = _("programme links")
        constraints = [
            models.UniqueConstraint(fields=["source", "relation", "target"], name="programme_link_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="programme_link_not_to_itself"),
        ]

    def __str__(self):
        return f"{self.source} {self.get_relation_display()} {self.target}"


class GrantQuerySet(models.QuerySet):
    def with_context(self):
        return self.select_related("programme", "donor", "grantee").prefetch_related(
            "range_states", "species"
        )

    def funding_strategy(self, strategy):
        """Grants with at least one activity line in the strategy (each grant once)."""
        lines = GrantActivity.objects.filter(grant=models.OuterRef("pk"), activity__strategy=strategy)
        return self.filter(models.Exists(lines))


class Grant(models.Model):
    """Money committed to conservation work: by a donor, often through a programme, to a grantee, for
    activities in given Range States over a period. Its activity lines say what it funds, and how much."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("programme"),
    )
    donor = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants_given",
        verbose_name=_("donor"),
    )
    grantee = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants_received",
        verbose_name=_("grantee"),
    )
    amount_usd = models.DecimalField(
        _("amount (USD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The whole grant."),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    range_states = models.ManyToManyField(
        "activities.RangeState", related_name="grants", blank=True, verbose_name=_("Range States")
    )
    species = models.ManyToManyField(
        "activities.Species", related_name="grants", blank=True, verbose_name=_("species")
    )
    activities = models.ManyToManyField(
        "activities.Activity",
        through="GrantActivity",
        related_name="grants",
        blank=True,
        verbose_name=_("activities funded"),
    )
    note = models.TextField(_("note"), blank=True)
    source_note = models.TextField(_("source note"), blank=True)
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            _dates_in_order("grant", "dates_in_order"),
            models.CheckConstraint(
                condition=Q(amount_usd__isnull=True) | Q(amount_usd__gte=0), name="grant_amount_not_negative"
            ),
        ]

    def __str__(self):
        return self.title


class GrantActivity(models.Model):
    """One line of a grant: the activity it funds, in which Range State (or for the range as a whole),
    and the part of the grant committed to it — empty where the grant does not split its amount."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="lines", verbose_name=_("grant"))
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.PROTECT,
        related_name="grant_lines",
        verbose_name=_("activity"),
    )
    range_state = models.ForeignKey(
        "activities.RangeState",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grant_lines",
        verbose_name=_("Range State"),
        help_text=_("Empty for funding of the activity across the range, not in one Range State."),
    )
    amount_usd = models.DecimalField(
        _("amount committed (USD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty where the grant does not say how much of it goes to this activity."),
    )

    class Meta:
        ordering = ["grant", "activity__sort_key"]
        verbose_name = _("grant activity line")
        verbose_name_plural = _("grant activity lines")
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "activity", "range_state"],
                condition=Q(range_state__isnull=False),
                name="grant_line_unique_per_state",
            ),
            models.UniqueConstraint(
                fields=["grant", "activity"],
                condition=Q(range_state__isnull=True),
                name="grant_line_unique_range_wide",
            ),
            models.CheckConstraint(
                condition=Q(amount_usd__isnull=True) | Q(amount_usd__gte=0),
                name="grant_line_amount_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.grant} → {self.activity}"

    def clean(self):
        """A line must be readable by the funding-gap computation: a per-country cost is met state by
        state, so funding for it names the Range State; and that state is one of the activity's strategy."""
        if not self.activity_id:
            return
        activity = self.activity
        if self.range_state_id is None:
            if activity.cost_per_country:
                raise ValidationError(
                    {
                        "range_state": _(
                            "The cost of Activity %(code)s is given per country: say which Range State this "
                            "funding is for."
                        )
                        % {"code": activity.code}
                    }
                )
            return
        if not activity.strategy.range_states.filter(pk=self.range_state_id).exists():
            raise ValidationError(
                {
                    "range_state": _("%(state)s is not a Range State of %(strategy)s.")
                    % {"state": self.range_state, "strategy": activity.strategy}
                }
            )
