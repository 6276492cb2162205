"""The case list's search (编号、案由或当事人) through an index of short pieces of text (issue 18).

A LIKE '%…%' over every case's number and title and every party's name reads the whole agency
(90–165 ms at 10^4–10^5 cases), and SQLite's FTS5 trigram tokenizer matches nothing shorter than
three characters — many Chinese names have two. So one mechanism for SQLite and PostgreSQL:
``cases.SearchGram`` holds, for each case, every single character and every pair of adjacent
characters (unigrams and bigrams) of its number, its title and its parties' names, ASCII letters
in lower case, once per (agency, gram, case).

It is a projection, not a recorded fact (no ledger entry), kept by database triggers in the
writing statement — a party inserted, a case inserted, a case's number or title set — so it
commits with the facts whoever writes them (the actions, ``casetrail generate``'s bulk path, a
restore). Parties are insert-only; a case's old number or title leaves its grams behind: the
index is a superset of what the cases hold, never less, and every candidate it gives is confirmed
by the exact substring test (the same ``icontains`` as before), so a stale gram costs one
candidate tested, never a wrong row. ``SearchGrams`` is the migration operation: it installs the
triggers and fills the table from what is there.

A query's grams are its bigrams (its one character when it has one). Their posting lists are
counted up to ``SPARSE`` rows each (one query); when the rarest is short, the candidates are that
list, each tested for the next two rarest grams (index lookups) and the exact match; when every gram is
common, the matches are dense, so the list is walked in its order and each case tested by index
lookups — the first page is found after a few dozen cases. A query with a letter whose case is not
ASCII (e.g. "Ä"), where the databases' lower-casing differs, keeps the plain LIKE.

Masking: the search only narrows the officer's visible cases (``visible_cases``), and it matches
what the list shows anyway (numbers, titles, parties' names are not masked); it never matches the
personal data that is masked (ID numbers, phones, addresses).
"""

from __future__ import annotations

import string
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from casetrail.lib.projection import TriggerProjection

TABLE = "cases_searchgram"
POSITIONS = "cases_searchposition"
# The longest text indexed: a title (200 characters); SQLite's triggers read positions 1..n from
# a table (no recursive CTE inside a trigger). Longer text (written behind the application) has
# no grams past this; the migration's fill and the triggers agree.
MAX_LENGTH = 400
# A posting list up to this many cases is a candidate set small enough to test case by case.
SPARSE = 2000
# Grams of a query tested through the index (the rarest ones); the exact test does the rest.
USED = 3

_UPPER = string.ascii_uppercase
_LOWER = string.ascii_lowercase
_ASCII_LOWER = str.maketrans(_UPPER, _LOWER)


def normalized(text: str) -> str:
    """What the index holds of ``text``: ASCII letters in lower case, nothing else changed (the
    databases' own ``lower`` differ beyond ASCII)."""
    return text.translate(_ASCII_LOWER)


def grams_of(text: str) -> set[str]:
    """Every character and every pair of adjacent characters of ``text``, normalized."""
    t = normalized(text)
    return {t[i : i + w] for w in (1, 2) for i in range(len(t) - w + 1)}


def query_grams(q: str) -> list[str] | None:
    """The grams a case matching ``q`` must hold, or None when the index cannot answer (a letter
    cased outside ASCII)."""
    if any(not c.isascii() and (c.lower() != c or c.upper() != c) for c in q):
        return None
    t = normalized(q)
    if len(t) == 1:
        return [t]
    return sorted({t[i : i + 2] for i in range(len(t) - 1)})


def _posting_sizes(agency_id: int, grams: list[str]) -> list[int]:
    """Each gram's cases in the agency, counted up to SPARSE + 1, in one query."""
    one = f"(SELECT COUNT(*) FROM (SELECT 1 FROM {TABLE} WHERE agency_id = %s AND gram = %s LIMIT {SPARSE + 1}) g{{i}})"
    sql = "SELECT " + ", ".join(one.format(i=i) for i in range(len(grams)))
    params: list[Any] = []
    for g in grams:
        params += [agency_id, g]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(n) for n in cursor.fetchone()]


def search_filter(*, agency_id: int, q: str) -> Q:
    """The cases of ``agency_id`` whose number, title or a party's name contains ``q`` (case-
    insensitive for ASCII letters, as ``icontains``), as a filter on Case."""
    from casetrail.cases.models import Party, SearchGram

    exact = (
        Q(number__icontains=q)
        | Q(title__icontains=q)
        # Correlated to the case (its parties by the case index), not a scan of every party.
        | Q(Exists(Party.objects.filter(case_id=OuterRef("pk"), name__icontains=q)))
    )
    grams = query_grams(q)
    if not grams:
        return exact

    def holds(gram: str) -> Q:
        return Q(
            Exists(
                SearchGram.objects.filter(agency_id=agency_id, gram=gram, case_id=OuterRef("pk"))
            )
        )

    sizes = _posting_sizes(agency_id, grams)
    # The rarest few grams narrow enough; the exact test decides (a long name's every bigram
    # tested on each candidate cost more than it saved).
    order = sorted(range(len(grams)), key=lambda i: sizes[i])[:USED]
    rarest = order[0]
    if sizes[rarest] == 0:
        return Q(pk__in=[])
    tests = Q()
    for i in order:
        if i != rarest or sizes[rarest] > SPARSE:
            tests &= holds(grams[i])
    if sizes[rarest] <= SPARSE:
        candidates = SearchGram.objects.filter(agency_id=agency_id, gram=grams[rarest])
        tests &= Q(pk__in=candidates.values("case_id"))
    return tests & exact


def grams_from_facts() -> set[tuple[int, str, int]]:
    """The index computed from the cases and parties there are, as (agency, gram, case): what
    the triggers keep (tests compare them; a case whose number or title was replaced keeps the
    old text's grams as well)."""
    from casetrail.cases.models import Case, Party

    out: set[tuple[int, str, int]] = set()
    agency_of = {}
    for pk, agency_id, number, title in Case.objects.values_list(
        "pk", "agency_id", "number", "title"
    ).iterator():
        agency_of[pk] = agency_id
        for text in (number or "", title):
            out |= {(agency_id, g, pk) for g in grams_of(text[:MAX_LENGTH])}
    for case_id, name in Party.objects.values_list("case_id", "name").iterator():
        out |= {(agency_of[case_id], g, case_id) for g in grams_of(name[:MAX_LENGTH])}
    return out


# --- the triggers and the fill -----------------------------------------------------------------

_WIDTHS = "(SELECT 1 AS w UNION ALL SELECT 2)"


def _sqlite_add(agency: str, case: str, text: str) -> str:
    t = f"lower(coalesce({text}, ''))"
    return (
        f"INSERT OR IGNORE INTO {TABLE} (agency_id, gram, case_id) "
        f"SELECT {agency}, substr({t}, p.n, ws.w), {case} FROM {POSITIONS} p, {_WIDTHS} ws "
        f"WHERE p.n + ws.w - 1 <= length({t})"
    )


SQLITE = [
    f"CREATE TABLE IF NOT EXISTS {POSITIONS} (n INTEGER PRIMARY KEY)",
    f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {MAX_LENGTH}) "
    f"INSERT OR IGNORE INTO {POSITIONS} (n) SELECT n FROM s",
    f'CREATE TRIGGER "{TABLE}_on_party" AFTER INSERT ON cases_party BEGIN '
    + _sqlite_add(
        "(SELECT agency_id FROM cases_case WHERE id = NEW.case_id)", "NEW.case_id", "NEW.name"
    )
    + "; END",
    f'CREATE TRIGGER "{TABLE}_on_case" AFTER INSERT ON cases_case BEGIN '
    + _sqlite_add("NEW.agency_id", "NEW.id", "NEW.number")
    + "; "
    + _sqlite_add("NEW.agency_id", "NEW.id", "NEW.title")
    + "; END",
    f'CREATE TRIGGER "{TABLE}_on_case_text" AFTER UPDATE OF number, title ON cases_case BEGIN '
    + _sqlite_add("NEW.agency_id", "NEW.id", "NEW.number")
    + "; "
    + _sqlite_add("NEW.agency_id", "NEW.id", "NEW.title")
    + "; END",
]

PG = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_add(p_agency bigint, p_case bigint, p_text text)
RETURNS void AS $$
DECLARE
    t text := translate(coalesce(p_text, ''), '{_UPPER}', '{_LOWER}');
BEGIN
    INSERT INTO {TABLE} (agency_id, gram, case_id)
    SELECT DISTINCT p_agency, substr(t, n, w), p_case
    FROM generate_series(1, least(length(t), {MAX_LENGTH})) AS n, (VALUES (1), (2)) AS ws (w)
    WHERE n + w - 1 <= length(t)
    ON CONFLICT DO NOTHING;
END
$$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION {TABLE}_on_party() RETURNS trigger AS $$
BEGIN
    PERFORM {TABLE}_add((SELECT agency_id FROM cases_case WHERE id = NEW.case_id), NEW.case_id,
                        NEW.name);
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION {TABLE}_on_case() RETURNS trigger AS $$
BEGIN
    PERFORM {TABLE}_add(NEW.agency_id, NEW.id, NEW.number);
    PERFORM {TABLE}_add(NEW.agency_id, NEW.id, NEW.title);
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    f'CREATE TRIGGER "{TABLE}_on_party" AFTER INSERT ON cases_party '
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_on_party()",
    f'CREATE TRIGGER "{TABLE}_on_case" AFTER INSERT ON cases_case '
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_on_case()",
    f'CREATE TRIGGER "{TABLE}_on_case_text" AFTER UPDATE OF number, title ON cases_case '
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_on_case()",
]

FILL_SQLITE = [
    _sqlite_add("c.agency_id", "c.id", "c.number").replace(
        f"FROM {POSITIONS} p", f"FROM cases_case c, {POSITIONS} p"
    ),
    _sqlite_add("c.agency_id", "c.id", "c.title").replace(
        f"FROM {POSITIONS} p", f"FROM cases_case c, {POSITIONS} p"
    ),
    _sqlite_add("c.agency_id", "y.case_id", "y.name").replace(
        f"FROM {POSITIONS} p",
        f"FROM cases_party y JOIN cases_case c ON c.id = y.case_id, {POSITIONS} p",
    ),
]
FILL_PG = [
    f"SELECT {TABLE}_add(agency_id, id, number), {TABLE}_add(agency_id, id, title) FROM cases_case",
    f"SELECT {TABLE}_add(c.agency_id, y.case_id, y.name) FROM cases_party y "
    "JOIN cases_case c ON c.id = y.case_id",
]

DROP_SQLITE = [
    f'DROP TRIGGER IF EXISTS "{TABLE}_on_party"',
    f'DROP TRIGGER IF EXISTS "{TABLE}_on_case"',
    f'DROP TRIGGER IF EXISTS "{TABLE}_on_case_text"',
    f"DROP TABLE IF EXISTS {POSITIONS}",
]
DROP_PG = [
    f'DROP TRIGGER IF EXISTS "{TABLE}_on_party" ON cases_party',
    f'DROP TRIGGER IF EXISTS "{TABLE}_on_case" ON cases_case',
    f'DROP TRIGGER IF EXISTS "{TABLE}_on_case_text" ON cases_case',
    f"DROP FUNCTION IF EXISTS {TABLE}_on_party()",
    f"DROP FUNCTION IF EXISTS {TABLE}_on_case()",
    f"DROP FUNCTION IF EXISTS {TABLE}_add(bigint, bigint, text)",
]


class SearchGrams(TriggerProjection):
    """Migration operation: install the search index's triggers and fill it from the cases and
    parties there are."""

    table = TABLE
    description = f"Keep {TABLE} by triggers on cases_case and cases_party"

    def install(self, vendor: str) -> list[str]:
        return [*SQLITE, *FILL_SQLITE] if vendor == "sqlite" else [*PG, *FILL_PG]

    def remove(self, vendor: str) -> list[str]:
        return DROP_SQLITE if vendor == "sqlite" else DROP_PG
