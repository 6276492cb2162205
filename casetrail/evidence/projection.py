"""The triggers that keep ``evidence.UnlinkedItem`` (items not yet linked to a case), on SQLite and
PostgreSQL.

Item and ItemLink are insert-only (第三十五条), so two events decide the projection: an item is
inserted (a row, unless a link to it exists already — a bulk load may write links first) and a
link is inserted (its item's row goes). The triggers run inside the writing statement, so the
projection commits with the facts or not at all, whoever writes them (the actions, `casetrail
generate`'s bulk path, a restore). ``UnlinkedItems`` is the migration operation: it installs the
triggers and fills the table from what is there.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "evidence_unlinkeditem"
COLUMNS = "item_id, agency_id, uploaded_by_id, officer_id"

# The projection computed from the facts: what the migration fills and a test compares.
UNLINKED = (
    "SELECT i.id, i.agency_id, i.uploaded_by_id, i.officer_id FROM evidence_item i "
    "WHERE NOT EXISTS (SELECT 1 FROM evidence_itemlink l WHERE l.item_id = i.id)"
)
FILL = f"INSERT INTO {TABLE} ({COLUMNS}) {UNLINKED}"

SQLITE = [
    f'CREATE TRIGGER "{TABLE}_on_item" AFTER INSERT ON evidence_item '
    f"WHEN NOT EXISTS (SELECT 1 FROM evidence_itemlink WHERE item_id = NEW.id) "
    f"BEGIN INSERT INTO {TABLE} ({COLUMNS}) "
    "VALUES (NEW.id, NEW.agency_id, NEW.uploaded_by_id, NEW.officer_id); END",
    f'CREATE TRIGGER "{TABLE}_on_link" AFTER INSERT ON evidence_itemlink '
    f"BEGIN DELETE FROM {TABLE} WHERE item_id = NEW.item_id; END",
]

PG = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_on_item() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM evidence_itemlink WHERE item_id = NEW.id) THEN
        INSERT INTO {TABLE} ({COLUMNS})
        VALUES (NEW.id, NEW.agency_id, NEW.uploaded_by_id, NEW.officer_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION {TABLE}_on_link() RETURNS trigger AS $$
BEGIN
    DELETE FROM {TABLE} WHERE item_id = NEW.item_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    f'CREATE TRIGGER "{TABLE}_on_item" AFTER INSERT ON evidence_item '
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_on_item()",
    f'CREATE TRIGGER "{TABLE}_on_link" AFTER INSERT ON evidence_itemlink '
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_on_link()",
]

DROP_SQLITE = [
    f'DROP TRIGGER IF EXISTS "{TABLE}_on_item"',
    f'DROP TRIGGER IF EXISTS "{TABLE}_on_link"',
]
DROP_PG = [
    f'DROP TRIGGER IF EXISTS "{TABLE}_on_item" ON evidence_item',
    f'DROP TRIGGER IF EXISTS "{TABLE}_on_link" ON evidence_itemlink',
    f"DROP FUNCTION IF EXISTS {TABLE}_on_item()",
    f"DROP FUNCTION IF EXISTS {TABLE}_on_link()",
]


def trigger_names() -> set[str]:
    """The triggers this projection needs (the same names on both vendors)."""
    return {f"{TABLE}_on_item", f"{TABLE}_on_link"}


class UnlinkedItems(migrations.operations.base.Operation):
    """Migration operation: install the projection's triggers and fill it from Item and ItemLink."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label: str, editor: Any, *states: Any) -> None:
        sqlite = editor.connection.vendor == "sqlite"
        for sql in [*(SQLITE if sqlite else PG), FILL]:
            editor.execute(sql, params=None)

    def database_backwards(self, app_label: str, editor: Any, *states: Any) -> None:
        sqlite = editor.connection.vendor == "sqlite"
        for sql in [*(DROP_SQLITE if sqlite else DROP_PG), f"DELETE FROM {TABLE}"]:
            editor.execute(sql, params=None)

    def describe(self) -> str:
        return f"Keep {TABLE} by triggers on evidence_item and evidence_itemlink"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return ("casetrail.evidence.projection.UnlinkedItems", [], {})
