"""Raw bulk inserts for the synthetic dataset: COPY on PostgreSQL, executemany on SQLite.

Not Django's bulk_create, for two reasons: it overwrites auto_now / auto_now_add fields with the time
of the run (the dataset spans eight years and must come out the same for the same seed), and it costs
several times more per row than a COPY, which matters at four million rows.

Rows are tuples in the order of the table's `columns`, holding what the model's fields hold: aware
datetimes in UTC, dates, Decimals, bools, dicts for JSON. Every row carries its primary key, so ids are
decided by the generator (in time order, as the services would have assigned them)."""

import json

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max


def next_id(model) -> int:
    """The first free primary key of `model`'s table."""
    return (model._default_manager.aggregate(n=Max("pk"))["n"] or 0) + 1


def _converter(field, vendor: str):
    kind = field.get_internal_type()
    if kind == "JSONField":
        return json.dumps
    if vendor != "sqlite":
        return None  # psycopg's COPY adapts dates, datetimes, Decimals and bools itself
    if kind == "DateTimeField":
        # What Django's SQLite backend stores: the naive UTC time, str() (no fraction when it is 0).
        return lambda value: str(value.replace(tzinfo=None))
    if kind == "DateField":
        return str
    if kind == "DecimalField":
        return str
    return None


class Table:
    """Buffers rows for one model's table and writes them in batches."""

    def __init__(self, model, columns: list[str] | None = None, *, batch: int = 20_000):
        fields = {field.attname: field for field in model._meta.concrete_fields}
        self.model = model
        self.columns = columns or list(fields)
        self.batch = batch
        self.rows: list[tuple] = []
        self.written = 0
        vendor = connection.vendor
        converters = [_converter(fields[column], vendor) for column in self.columns]
        self._convert = [(i, c) for i, c in enumerate(converters) if c is not None]
        quote = connection.ops.quote_name
        names = ", ".join(quote(column) for column in self.columns)
        table = quote(model._meta.db_table)
        if vendor == "postgresql":
            self._sql = f"COPY {table} ({names}) FROM STDIN"
        else:
            self._sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(self.columns))})"

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def row(self, **values) -> None:
        """Add one row given by column name (every column, no other): for the small tables."""
        if values.keys() != set(self.columns):
            missing, unknown = set(self.columns) - values.keys(), values.keys() - set(self.columns)
            raise ValueError(f"{self.model.__name__}: missing {sorted(missing)}, unknown {sorted(unknown)}")
        self.add(tuple(values[column] for column in self.columns))

    def extend(self, rows) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if not self.rows:
            return
        rows = self.rows
        if self._convert:
            convert = self._convert
            converted = []
            for row in rows:
                values = list(row)
                for i, fn in convert:
                    if values[i] is not None:
                        values[i] = fn(values[i])
                converted.append(values)
            rows = converted
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self._sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self._sql, rows)
        self.written += len(self.rows)
        self.rows = []


def reset_sequences(models) -> None:
    """Point PostgreSQL's id sequences past the ids written explicitly (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
