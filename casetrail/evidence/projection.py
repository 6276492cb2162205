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

from casetrail.lib.projection import TriggerProjection

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


class UnlinkedItems(TriggerProjection):
    """Migration operation: install the projection's triggers and fill it from Item and ItemLink."""

    table = TABLE
    description = f"Keep {TABLE} by triggers on evidence_item and evidence_itemlink"

    def install(self, vendor: str) -> list[str]:
        return [*(SQLITE if vendor == "sqlite" else PG), FILL]

    def remove(self, vendor: str) -> list[str]:
        return DROP_SQLITE if vendor == "sqlite" else DROP_PG
