"""The world the service tests act in: a strategy with two Range States and one activity, a focal point
of the first state, a delegate for the activity there, two Secretariat members and a partner."""

import datetime
from types import SimpleNamespace

import pytest

from activities import services
from tests.factories import (
    ActivityFactory,
    DelegationFactory,
    FocalPointFactory,
    RangeStateFactory,
    SecretariatUserFactory,
    StrategyFactory,
    UserFactory,
)


@pytest.fixture
def w(db):
    strategy = StrategyFactory()
    armenia, iran = RangeStateFactory(name="Armenia-like"), RangeStateFactory(name="Iran-like")
    strategy.range_states.add(armenia, iran)
    activity = ActivityFactory(result__objective__strategy=strategy)
    focal = UserFactory(username="focal-a")
    FocalPointFactory(user=focal, range_state=armenia)
    expert = UserFactory(username="expert-a")
    DelegationFactory(delegate=expert, granted_by=focal, range_state=armenia, activity=activity)
    return SimpleNamespace(
        strategy=strategy,
        armenia=armenia,
        iran=iran,
        activity=activity,
        focal=focal,
        expert=expert,
        secretariat=SecretariatUserFactory(username="reviewer"),
        other_secretariat=SecretariatUserFactory(username="reviewer-2"),
        partner=UserFactory(username="partner"),
    )


@pytest.fixture
def open_round(w):
    return services.reporting_round_open(
        user=w.secretariat,
        strategy=w.strategy,
        name=" 2025 annual ",
        opens_on=datetime.date(2025, 1, 1),
        deadline=datetime.date(2025, 6, 30),
    )
