"""Loading the seed fixtures (fixtures/*.yaml) into the database, idempotently: strategies with their
logframes (writing.py) and the regional picture around them (regional_checks.py, regional.py).

A run first reads and checks every file completely — unknown keys, cells the parsers cannot read,
codes that do not fit their parent, unknown actor slugs — and reports every problem at once without
writing anything. Only then does it write, in one transaction, touching only rows whose values differ
and naming each field it changes. Rows that vanished from a fixture are deleted, except activities
with progress entries: those stop the run, because progress that people entered is never dropped.
"""

from pathlib import Path

from django.db import transaction

from activities.models import Actor

from .checking import Reader, SeedError, check_document, clean_text, read_documents
from .regional import RegionalWriter
from .regional_checks import SECTIONS as REGIONAL_SECTIONS
from .regional_checks import Checker, Known
from .writing import SeedReport, Writer, write_strategy, write_vocabularies

__all__ = ["FIXTURES_DIR", "SeedError", "SeedReport", "seed_load"]

FIXTURES_DIR = Path(__file__).resolve().parent.parent.parent / "fixtures"


def seed_load(*, paths: list[Path] | None = None) -> SeedReport:
    """Load the seed fixtures; raise SeedError (writing nothing) if any file has a problem."""
    paths = sorted(paths or FIXTURES_DIR.glob("*.yaml"))
    documents = read_documents(paths)
    readers = [Reader(source) for source, _ in documents]
    known_actors = set(Actor.objects.values_list("slug", flat=True))
    for (_source, doc), reader in zip(documents, readers, strict=True):
        reader.mapping(
            doc,
            "top level",
            optional=(
                "meetings", "range_states", "work_programme_measures", "actors", "strategy",
                *REGIONAL_SECTIONS,
            ),
        )  # fmt: skip
        known_actors |= {
            clean_text(a.get("slug"))
            for a in reader.items(doc.get("actors"), "actors")
            if isinstance(a, dict)
        }
    plans = [
        check_document(doc, reader, known_actors)
        for (_s, doc), reader in zip(documents, readers, strict=True)
    ]
    known = Known.gather([doc for _source, doc in documents])
    for (_source, doc), reader in zip(documents, readers, strict=True):
        Checker(reader, known).check(doc)
    problems = [p for reader in readers for p in reader.problems]
    if problems:
        raise SeedError(problems)
    report = SeedReport()
    with transaction.atomic():
        writer = Writer(report)
        regional = RegionalWriter(writer)
        for _source, doc in documents:
            write_vocabularies(writer, doc)
        regional.write_vocabularies([doc for _source, doc in documents])
        for (source, doc), plan in zip(documents, plans, strict=True):
            if "strategy" in doc:
                write_strategy(writer, doc["strategy"], plan, source)
        regional.write([doc for _source, doc in documents])
    return report
