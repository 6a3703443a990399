"""The groupings a strategy's map can outline, read from the strategy's own rows."""

from reporting.maps.render import MapGroup


def metapopulation_groups(strategy) -> list[MapGroup]:
    """The strategy's metapopulations (the Persian Leopard's Figure 1) as map groups, in their order."""
    return [
        MapGroup(number=m.number, name=m.name, iso_codes=frozenset(s.iso_code for s in m.range_states.all()))
        for m in strategy.metapopulations.prefetch_related("range_states")
    ]
