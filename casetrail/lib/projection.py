"""A projection kept by database triggers, installed by a migration operation.

Some reads need a table derived from insert-only facts (the audio/video items not yet linked to a
case, the search index of the cases' text). Kept by triggers, such a table commits with the facts
in the writing statement whoever writes them — the actions, ``casetrail generate``'s bulk path, a
restore. It is a projection, not a recorded fact: no ledger entry, and it can be rebuilt from the
facts at any time (a migration fills it from what is there).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


class TriggerProjection(migrations.operations.base.Operation):
    """Migration operation: ``install(vendor)`` (the triggers, then the fill) forwards;
    ``remove(vendor)`` and the table emptied backwards. The model's table itself is created by
    an ordinary ``CreateModel`` before it; this operation changes no migration state."""

    reversible = True
    reduces_to_sql = True
    table: str
    description: str

    def install(self, vendor: str) -> list[str]:
        raise NotImplementedError

    def remove(self, vendor: str) -> list[str]:
        raise NotImplementedError

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label: str, editor: Any, *states: Any) -> None:
        for sql in self.install(editor.connection.vendor):
            editor.execute(sql, params=None)

    def database_backwards(self, app_label: str, editor: Any, *states: Any) -> None:
        for sql in [*self.remove(editor.connection.vendor), f"DELETE FROM {self.table}"]:
            editor.execute(sql, params=None)

    def describe(self) -> str:
        return self.description

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (f"{type(self).__module__}.{type(self).__qualname__}", [], {})
