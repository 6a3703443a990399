"""The Persian Leopard strategy as seeded, exported to XLSX and imported into an empty database, gives
identical data: every field of every theme, objective, result, activity, actor and POW reference."""

import pytest
from django.core.management import call_command

from activities import logframe_xlsx, services
from activities.logframe_xlsx import logframe_workbook
from activities.models import (
    Activity,
    Actor,
    CrossReference,
    Objective,
    Result,
    Strategy,
    StrategyImport,
    Theme,
    WorkProgrammeMeasure,
)
from tests.factories import SecretariatUserFactory

SLUG = "persian-leopard-2023-2032"
STRATEGY_FIELDS = [f for f, _label in logframe_xlsx.STRATEGY_FIELDS]


def logframe_state(slug):
    """Every stored field of the strategy's logframe, by natural key (no database ids)."""
    strategy = Strategy.objects.get(slug=slug)
    skip = {"id", "updated_at", "strategy", "result", "objective", "theme"}

    def fields(obj, model):
        return {
            f.name: getattr(obj, f.name)
            for f in model._meta.concrete_fields
            if f.name not in skip and not f.name.endswith("_ptr")
        }

    activities = {}
    for a in Activity.objects.filter(strategy=strategy).prefetch_related("actors", "cami_pow_measures"):
        activities[a.code] = {
            **fields(a, Activity),
            "result": a.result.code,
            "actors": sorted((x.slug, x.name, x.category, x.description) for x in a.actors.all()),
            "measures": sorted((m.code, m.title, m.sort_key) for m in a.cami_pow_measures.all()),
        }
    return {
        "strategy": {name: getattr(strategy, name) for name in STRATEGY_FIELDS},
        "themes": {t.number: fields(t, Theme) for t in Theme.objects.filter(strategy=strategy)},
        "objectives": {
            o.number: {**fields(o, Objective), "theme": o.theme.number if o.theme else None}
            for o in Objective.objects.filter(strategy=strategy).select_related("theme")
        },
        "results": {
            r.code: {**fields(r, Result), "objective": r.objective.number}
            for r in Result.objects.filter(strategy=strategy).select_related("objective")
        },
        "activities": activities,
        "references": sorted(
            (
                ref.from_activity.code if ref.from_activity else ref.from_result.code,
                ref.kind,
                ref.code,
                ref.to_activity.code if ref.to_activity else None,
                ref.to_result.code if ref.to_result else None,
                ref.to_objective.number if ref.to_objective else None,
                ref.position,
            )
            for ref in CrossReference.objects.filter(from_activity__strategy=strategy).select_related(
                "from_activity", "from_result", "to_activity", "to_result", "to_objective"
            )
            | CrossReference.objects.filter(from_result__strategy=strategy).select_related(
                "from_activity", "from_result", "to_activity", "to_result", "to_objective"
            )
        ),
    }


def empty_database():
    """Everything the seed wrote, gone: the strategies, their logframes, actors and measures."""
    call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_persian_leopard_exported_and_imported_into_an_empty_database_is_identical():
    call_command("seed", verbosity=0)
    before = logframe_state(SLUG)
    assert len(before["activities"]) > 80  # the real table (91 activities), not a stub
    data = logframe_workbook(Strategy.objects.get(slug=SLUG))

    empty_database()
    assert not Strategy.objects.exists() and not Actor.objects.exists()
    assert not WorkProgrammeMeasure.objects.exists()
    user = SecretariatUserFactory()
    pending = services.strategy_import_preview(user=user, file_name="pl.xlsx", data=data)
    assert pending.problems == []
    assert len(pending.preview["activities"]["created"]) == len(before["activities"])
    services.strategy_import_confirm(user=user, strategy_import=pending)

    assert logframe_state(SLUG) == before
    assert StrategyImport.objects.get().state == StrategyImport.State.APPLIED


def test_importing_the_export_into_the_seeded_strategy_changes_nothing(seeded):
    before = logframe_state(SLUG)
    strategy = Strategy.objects.get(slug=SLUG)
    user = SecretariatUserFactory()
    pending = services.strategy_import_preview(
        user=user, file_name="pl.xlsx", data=logframe_workbook(strategy), strategy=strategy
    )
    for kind in ("themes", "objectives", "results", "activities", "actors", "measures", "strategy"):
        assert pending.preview[kind]["created"] == [], kind
        assert pending.preview[kind]["changed"] == [], kind
        assert pending.preview[kind]["kept"] == [], kind
    services.strategy_import_confirm(user=user, strategy_import=pending)
    assert logframe_state(SLUG) == before
