"""The species the strategies, plans and grants concern: their scientific names and synonyms, their
common names in the Range States' languages, and their IUCN Red List category where a source gives it.

Strategies and National Action Plans are linked to species from here (`Species.strategies`,
`Species.national_action_plans`), so that `Strategy.objects.filter(species=…)` and
`NationalActionPlan.objects.filter(species=…)` filter every list by species; grants and programmes
link to species from their side with the same related name."""

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _


class SpeciesQuerySet(models.QuerySet):
    def with_names(self):
        """The parent taxon, synonyms and common names (in the source's order): what a species page shows."""
        return self.select_related("parent").prefetch_related(
            Prefetch("synonyms", queryset=SpeciesSynonym.objects.order_by("position")),
            Prefetch("common_names", queryset=CommonName.objects.order_by("position")),
        )


class Species(models.Model):
    """A species or subspecies that strategies, National Action Plans and grants are for."""

    class Rank(models.TextChoices):
        SPECIES = "species", _("Species")
        SUBSPECIES = "subspecies", _("Subspecies")

    class RedListCategory(models.TextChoices):
        EXTINCT = "EX", _("Extinct")
        EXTINCT_IN_THE_WILD = "EW", _("Extinct in the Wild")
        CRITICALLY_ENDANGERED = "CR", _("Critically Endangered")
        ENDANGERED = "EN", _("Endangered")
        VULNERABLE = "VU", _("Vulnerable")
        NEAR_THREATENED = "NT", _("Near Threatened")
        LEAST_CONCERN = "LC", _("Least Concern")
        DATA_DEFICIENT = "DD", _("Data Deficient")
        NOT_EVALUATED = "NE", _("Not Evaluated")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    common_name = models.CharField(
        _("common name"), max_length=120, help_text=_("The English name, e.g. Persian Leopard.")
    )
    scientific_name = models.CharField(_("scientific name"), max_length=120, unique=True)
    rank = models.CharField(_("rank"), max_length=20, choices=Rank.choices, default=Rank.SPECIES)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subspecies",
        verbose_name=_("species of"),
        help_text=_("For a subspecies: the species it belongs to."),
    )
    distribution = models.TextField(
        _("distribution"), blank=True, help_text=_("Where the species occurs, as the source says.")
    )
    red_list_category = models.CharField(
        _("IUCN Red List category"),
        max_length=2,
        choices=RedListCategory.choices,
        blank=True,
        help_text=_("Empty where no source gives the category."),
    )
    red_list_source = models.CharField(
        _("Red List category source"),
        max_length=300,
        blank=True,
        help_text=_("Which source gives the category, and as of when."),
    )
    strategies = models.ManyToManyField(
        "activities.Strategy", related_name="species", blank=True, verbose_name=_("strategies")
    )
    national_action_plans = models.ManyToManyField(
        "activities.NationalActionPlan",
        related_name="species",
        blank=True,
        verbose_name=_("National Action Plans"),
    )
    source_document = models.CharField(
        _("source document"), max_length=200, blank=True, help_text=_("The seed text this was taken from.")
    )
    source_note = models.TextField(
        _("source note"),
        blank=True,
        help_text=_("What the source leaves open, or how a careful reader resolved it."),
    )
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    objects = SpeciesQuerySet.as_manager()

    class Meta:
        ordering = ["common_name"]
        verbose_name = _("species")
        verbose_name_plural = _("species")

    def __str__(self):
        return f"{self.common_name} ({self.scientific_name})"


class SpeciesSynonym(models.Model):
    """Another scientific name a source says the species includes or is known by."""

    species = models.ForeignKey(
        Species, on_delete=models.CASCADE, related_name="synonyms", verbose_name=_("species")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Order in the source."))
    scientific_name = models.CharField(_("scientific name"), max_length=120)
    as_written = models.CharField(
        _("as written"),
        max_length=120,
        blank=True,
        help_text=_("The name exactly as the source writes it, where it abbreviates it."),
    )
    reference = models.CharField(
        _("reference"),
        max_length=200,
        blank=True,
        help_text=_("The authority the source cites, e.g. Kitchener et al 2017."),
    )
    source_note = models.TextField(_("source note"), blank=True)

    class Meta:
        ordering = ["species", "position"]
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        constraints = [
            models.UniqueConstraint(fields=["species", "scientific_name"], name="synonym_unique_per_species"),
        ]

    def __str__(self):
        return self.scientific_name


class CommonName(models.Model):
    """A species' common name in one language, kept with the language exactly as the source names it."""

    species = models.ForeignKey(
        Species, on_delete=models.CASCADE, related_name="common_names", verbose_name=_("species")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Order in the source."))
    language = models.CharField(
        _("language"), max_length=60, help_text=_("As the source names it, e.g. “Farsi/ Dari”.")
    )
    language_code = models.CharField(
        _("language code"),
        max_length=12,
        blank=True,
        help_text=_("The BCP 47 code of that language, so pages can mark the name's language and direction."),
    )
    name = models.CharField(
        _("name"),
        max_length=300,
        help_text=_(
            "The name or names as given; variants stay in the one entry, as the source separates them."
        ),
    )

    class Meta:
        ordering = ["species", "position"]
        verbose_name = _("common name")
        verbose_name_plural = _("common names")
        constraints = [
            models.UniqueConstraint(fields=["species", "language"], name="common_name_one_per_language"),
        ]

    def __str__(self):
        return f"{self.name} ({self.language})"

    # Languages whose usual script is written right to left, and the script subtags that are.
    RTL_LANGUAGES = frozenset({"ar", "fa", "prs", "ckb", "ur", "ps", "he"})
    RTL_SCRIPTS = frozenset({"arab", "hebr"})

    @property
    def is_right_to_left(self) -> bool:
        """Whether the name is written right to left: by its script subtag (ku-Arab) if it has one,
        else by its language."""
        language, *rest = self.language_code.lower().split("-")
        scripts = [part for part in rest if len(part) == 4]
        if scripts:
            return scripts[0] in self.RTL_SCRIPTS
        return language in self.RTL_LANGUAGES
