"""search positions: phrases, the title and ranking answered by the index

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 14:30:00

Index format 3 (`search.terms.INDEX_FORMAT`) keeps where each word stands, so the databases answer
phrases, the ``title:`` scope and a ranking (FTS5 bm25(), ts_rank_cd, the title weighing more) without
the matcher checking every candidate:

* ``item_search`` gains ``title_terms`` and ``body_terms`` (SQLite: the words as FTS5 tokens, one per
  position), ``vector`` (PostgreSQL: a tsvector of every lemma at its position, the title weighted
  A), ``pairs`` (PostgreSQL: a tsvector of every two lemmas of adjacent words, ``a_b``) and
  ``capped`` (PostgreSQL lost positions of the row: its positional answers are checked);
* an index on ``(sort_key, persons, topics)``: the person and topic filters beside a full-text query
  read the lists from it, not from the (now wider) rows;
* ``item_search_token`` says which lemmas a compound token (``a_b``, a word with several lemmas) holds;
* SQLite: a contentless FTS5 table ``item_search_pos`` (rowid = sort key; columns title, body, kind,
  lang; ``detail=full``: positions; ``_`` a token character, so compounds are one token) kept in step
  with ``item_search`` by triggers, beside ``item_search_fts`` (the bag of words, unchanged);
* PostgreSQL: a GIN index on ``vector`` and on ``pairs`` (a two-word phrase is one lookup of
  ``pairs``, no row rechecked), ``vector`` compressed with lz4 where the server can, and a partial
  index of the capped rows. (Written by the indexer rather than generated from text, so the rows
  do not carry them twice.)

Rows of format 2 hold no positions: the index is emptied and every version queued again, so an
upgraded archive is searched one by one (right, slower) until `search.index.IndexWriter` caught up.
The downgrade does the same the other way round.

Like 0004's, these hand-written objects are unknown to autogenerate (see 0004's docstring), and the
triggers on ``item_search`` are lost if a later migration batch-alters it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _facet(value: str) -> str:
    return f"CASE WHEN {value} <> '' AND {value} NOT GLOB '*[^a-z0-9]*' THEN {value} ELSE '' END"


_POS_INSERT = (
    "INSERT INTO item_search_pos (rowid, title, body, kind, lang) VALUES "
    f"(new.sort_key, new.title_terms, new.body_terms, {_facet('new.kind')}, {_facet('new.lang')});"
)
_POS_DELETE = (
    "INSERT INTO item_search_pos (item_search_pos, rowid, title, body, kind, lang) VALUES "
    f"('delete', old.sort_key, old.title_terms, old.body_terms, {_facet('old.kind')}, {_facet('old.lang')});"
)
_SQLITE_UP = (
    """CREATE VIRTUAL TABLE item_search_pos USING fts5(
        title, body, kind, lang,
        content='', tokenize="unicode61 remove_diacritics 0 tokenchars '_'", detail=full
    )""",
    f"CREATE TRIGGER item_search_pos_insert AFTER INSERT ON item_search BEGIN {_POS_INSERT} END",
    f"CREATE TRIGGER item_search_pos_delete AFTER DELETE ON item_search BEGIN {_POS_DELETE} END",
    f"CREATE TRIGGER item_search_pos_update AFTER UPDATE ON item_search"
    f" BEGIN {_POS_DELETE} {_POS_INSERT} END",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS item_search_pos_update",
    "DROP TRIGGER IF EXISTS item_search_pos_delete",
    "DROP TRIGGER IF EXISTS item_search_pos_insert",
    "DROP TABLE IF EXISTS item_search_pos",
)
_POSTGRES_UP = (
    "CREATE INDEX ix_item_search_vector ON item_search USING gin (vector)",
    "CREATE INDEX ix_item_search_pairs ON item_search USING gin (pairs)",
    # Ranking reads ``positions`` of every match: lz4 unpacks it several times quicker than pglz
    # (where the server has lz4; else the default stays).
    """DO $$ BEGIN
        ALTER TABLE item_search ALTER COLUMN vector SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
    END $$""",
    # Keep the heap rows small: the tsvectors (and text) go to the TOAST table whenever a row is
    # over 128 bytes, the person and topic lists stay inline (their filter reads them). A count
    # reads the heap row of every match: at 100,000 items, 237 MB of heap became 41 MB and a
    # count of 31,732 matches 143 -> 11 ms; ranking then reads the vectors from TOAST.
    "ALTER TABLE item_search SET (toast_tuple_target = 128)",
    "ALTER TABLE item_search ALTER COLUMN persons SET STORAGE MAIN, ALTER COLUMN topics SET STORAGE MAIN",
    # The capped rows are few: a positional search finds them (to check them) without a scan.
    "CREATE INDEX ix_item_search_capped ON item_search (sort_key) WHERE capped",
)
_POSTGRES_DOWN = (
    "ALTER TABLE item_search RESET (toast_tuple_target)",
    "ALTER TABLE item_search ALTER COLUMN persons SET STORAGE EXTENDED,"
    " ALTER COLUMN topics SET STORAGE EXTENDED",
    "DROP INDEX IF EXISTS ix_item_search_capped",
    "DROP INDEX IF EXISTS ix_item_search_pairs",
    "DROP INDEX IF EXISTS ix_item_search_vector",
)
_COLUMNS = ("title_terms", "body_terms", "vector", "pairs")
#: ``vector`` and ``pairs`` are tsvectors on PostgreSQL (written by the indexer), text elsewhere.
_TSVECTOR = sa.Text().with_variant(TSVECTOR(), "postgresql")


def _empty_the_index() -> None:
    """Every row goes (the full-text tables follow by trigger or generation) and every version is
    queued again: rows of the other format must not answer."""
    if op.get_bind().dialect.name == "sqlite":
        # Quicker than a 'delete' per row through the trigger: empty the contentless table at once.
        op.execute("INSERT INTO item_search_fts (item_search_fts) VALUES ('delete-all')")
        op.execute("DROP TRIGGER IF EXISTS item_search_fts_delete")
        op.execute("DELETE FROM item_search")
        op.execute(
            "CREATE TRIGGER item_search_fts_delete AFTER DELETE ON item_search BEGIN "
            "INSERT INTO item_search_fts (item_search_fts, rowid, lemmas, forms, kind, lang) VALUES "
            f"('delete', old.sort_key, old.lemmas, old.forms, {_facet('old.kind')},"
            f" {_facet('old.lang')}); END"
        )
    else:
        op.execute("DELETE FROM item_search")
    op.execute("DELETE FROM item_search_queue")
    op.execute("INSERT INTO item_search_queue (item_id, lang) SELECT id, lang FROM item")


def upgrade() -> None:
    _empty_the_index()
    for name in _COLUMNS:
        kind = _TSVECTOR if name in ("vector", "pairs") else sa.Text()
        op.add_column("item_search", sa.Column(name, kind, server_default="", nullable=False))
    op.add_column("item_search", sa.Column("capped", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index("ix_item_search_lists", "item_search", ["sort_key", "persons", "topics"])
    op.create_table(
        "item_search_token",
        sa.Column("lemma", sa.String(), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("lemma", "token"),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE_UP, "postgresql": _POSTGRES_UP}.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE_DOWN, "postgresql": _POSTGRES_DOWN}.get(dialect, ()):
        op.execute(statement)
    _empty_the_index()
    op.drop_table("item_search_token")
    op.drop_index("ix_item_search_lists", table_name="item_search")
    for name in (*_COLUMNS, "capped"):
        # A plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch re-creation of item_search would
        # lose the triggers of its full-text table.
        op.execute(f"ALTER TABLE item_search DROP COLUMN {name}")
