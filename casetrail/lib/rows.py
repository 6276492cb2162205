"""A new row inserted in one plain statement, for the hot path of the actions (issue 18).

``Model.objects.create`` builds and compiles its INSERT anew on every call (the save machinery,
the insert compiler): on a ledgered action that cost more than the ledger append itself. ``insert``
writes the same row — every concrete field's value prepared exactly as the ORM prepares it
(``pre_save``, then ``get_db_prep_save``) — with an INSERT built once per model and database.

Only for plain models: no ``save()`` override, no signal receivers (nothing in CaseTrail listens
to model signals; business rules live in the actions), values that are values (no expressions).
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from django.db import connection, models

from casetrail.lib import statements

M = TypeVar("M", bound=models.Model)


@functools.cache
def _statement(model: type[models.Model], vendor: str) -> tuple[str, tuple[Any, ...]]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({values}) "
        f"RETURNING {qn(meta.pk.column)}"
    )
    return sql, fields


def insert(instance: M) -> M:
    """Insert ``instance`` (a new row; its primary key is given by the database) and return it,
    saved, as ``objects.create`` would."""
    sql, fields = _statement(type(instance), connection.vendor)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    instance.pk = statements.execute(sql, params).fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance
