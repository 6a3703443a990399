# Persian as CLDR writes numbers (pattern #,##0.###, with Latin digits): grouped by three. Django's own
# Persian formats set no grouping, so amounts in the reports read 1234567 while the strategy pages, which
# formatted them with Babel (CLDR), read 1,234,567. Every other format comes from Django's Persian
# module (format modules are searched in order, setting by setting).
NUMBER_GROUPING = 3
