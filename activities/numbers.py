"""Numbers as the active language writes them, one rule for every page, report, export and document.

`Numbers` gives exactly Django's `number_format` output (the language's format module: Django's, or
activities/formats/ where CLDR and Django disagree), its separators and grouping looked up once: the
report tables format thousands of numbers, and number_format looks them up again for every one.
Amounts of money are grouped in every language (`usd`); counts follow USE_THOUSAND_SEPARATOR."""

from decimal import Decimal

from django.conf import settings
from django.utils import numberformat
from django.utils.formats import get_format, localize
from django.utils.translation import get_language, gettext


class Numbers:
    """Django's number_format in the active language, its separators and grouping looked up once: the
    report tables format thousands of numbers, and number_format looks them up again for every one.
    Gives exactly number_format's output (the common cases computed here, the rest by Django's own
    numberformat.format with the same separators)."""

    def __init__(self):
        language = get_language()
        self.decimal_sep = get_format("DECIMAL_SEPARATOR", language, use_l10n=True)
        self.grouping = get_format("NUMBER_GROUPING", language, use_l10n=True)
        self.thousand_sep = get_format("THOUSAND_SEPARATOR", language, use_l10n=True)
        self._percent = None

    def format(self, value, decimal_pos=None, force_grouping=False) -> str:
        """number_format(value, decimal_pos, force_grouping=force_grouping)."""
        grouped = (force_grouping or settings.USE_THOUSAND_SEPARATOR) and self.grouping != 0
        if type(value) is int and not decimal_pos:
            if not grouped:
                return str(value)
            if self.grouping == 3:
                return f"{value:,}".replace(",", self.thousand_sep)
        return numberformat.format(
            value, self.decimal_sep, decimal_pos, self.grouping, self.thousand_sep, force_grouping, True
        )

    def usd(self, value) -> str:
        """An amount grouped as the active language groups digits, cents only when there are some."""
        value = Decimal(value)
        if value == value.to_integral_value():
            if value.adjusted() < 28:  # an integral amount is its int (number_format shows -0 as 0 too)
                return self.format(int(value), force_grouping=True)
            return self.format(value, 0, force_grouping=True)
        return self.format(value, 2, force_grouping=True)

    def percent(self, share) -> str:
        """percent(share)."""
        if share is None:
            return "—"
        if self._percent is None:
            self._percent = gettext("%(percent)s %%")
        return self._percent % {"percent": self.format(round(share * 100))}

    def localize(self, value) -> str:
        """localize(value) for an int, as the rollups count."""
        return self.format(value) if type(value) is int else str(localize(value))


def percent(share) -> str:
    """A share 0–1 as '42 %' (digits and sign as the active language writes them); an em dash when there
    is nothing to divide. For one value: tables keep one Numbers."""
    return Numbers().percent(share)


def usd(value) -> str:
    """An amount grouped as the active language groups digits, cents only when there are some."""
    return Numbers().usd(value)
