"""Two Secretariat members confirm imports of the same strategy at the same moment (real threads, each
with its own connection, on PostgreSQL): one is applied, the other refused, and nothing is half-written."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from activities import services
from activities.models import Activity, Strategy, StrategyImport
from tests.factories import SecretariatUserFactory

from .workbooks import activity_row, logframe_rows, workbook

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def rows_with_text(text):
    rows = logframe_rows()
    rows[3] = activity_row("1.1.1", text, result="Result 1.1 Areas protected.")
    return rows


def confirm_at_once(pendings):
    barrier = threading.Barrier(len(pendings))
    outcomes = {}

    def confirm(pending):
        try:
            barrier.wait()
            services.strategy_import_confirm(user=pending.uploaded_by, strategy_import=pending)
            outcomes[pending.pk] = "applied"
        except ValidationError as exc:
            outcomes[pending.pk] = exc.messages[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(p,)) for p in pendings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def preview(user, rows):
    return services.strategy_import_preview(user=user, file_name="x.xlsx", data=workbook(rows))


def test_two_confirmations_into_an_existing_strategy_at_once_apply_exactly_one():
    first = SecretariatUserFactory()
    services.strategy_import_confirm(user=first, strategy_import=preview(first, logframe_rows()))
    alice, bob = SecretariatUserFactory(), SecretariatUserFactory()
    pendings = [preview(alice, rows_with_text("Alice's text.")), preview(bob, rows_with_text("Bob's text."))]
    outcomes = confirm_at_once(pendings)
    [refusal] = [o for o in outcomes.values() if o != "applied"]
    assert list(outcomes.values()).count("applied") == 1
    assert "has changed since this preview" in refusal
    winner = next(p for p in pendings if outcomes[p.pk] == "applied")
    assert Activity.objects.get(code="1.1.1").text == (
        "Alice's text." if winner.uploaded_by == alice else "Bob's text."
    )
    assert StrategyImport.objects.filter(state="applied").count() == 2  # the first import and the winner


def test_two_confirmations_creating_the_same_strategy_at_once_create_it_once():
    alice, bob = SecretariatUserFactory(), SecretariatUserFactory()
    pendings = [preview(alice, rows_with_text("Alice's text.")), preview(bob, rows_with_text("Bob's text."))]
    outcomes = confirm_at_once(pendings)
    [refusal] = [o for o in outcomes.values() if o != "applied"]
    assert list(outcomes.values()).count("applied") == 1
    assert "Nothing was written" in refusal
    assert Strategy.objects.count() == 1
    assert Activity.objects.count() == 2
