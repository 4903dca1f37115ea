"""language versions: an item is kept once per language

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 00:00:00

kremlin.ru and en.kremlin.ru give an item the same id. Until now an archive held one language (that
of ``base_url``) and ``item`` was keyed on the id alone; from here on ``item`` is keyed on
``(id, lang)`` and everything that points at an item points at one language version of it:

* ``itemrevision`` gains ``lang`` (its revisions are of that version);
* ``outbox`` gains ``item_lang`` (the version the alert is about) and ``follow_up`` (the short notice
  of ``follow_translation``);
* ``call`` is keyed on ``(item_id, lang)``: each version has the record its own language's reader made;
* ``item_search`` and ``item_search_queue`` are keyed on ``(item_id, lang)``; the index is rebuilt
  (every version is queued again, and searched one by one until `search.index.IndexWriter` caught up).

Every row is carried over with the language its item had, so an upgraded one-language archive loses
nothing. The tables are copied aside, re-created and filled again, which works alike on SQLite
(whose ``ALTER TABLE`` cannot change a primary key) and PostgreSQL. SQLite's foreign keys are
deferred to the commit meanwhile.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import archive.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = archive.types.UTCDateTime

#: Tables re-created here, children before parents (dropped in this order, filled in reverse).
_TABLES = ("item_search_queue", "item_search", "call", "outbox", "itemrevision", "item")

_ITEM_STATE_CHANGED = (
    "old.content_hash IS NOT new.content_hash OR old.version IS NOT new.version OR old.kind IS NOT new.kind"
)
_SQLITE_ENQUEUE = (
    "INSERT INTO item_search_queue (item_id, lang) SELECT new.id, new.lang WHERE NOT EXISTS"
    " (SELECT 1 FROM item_search_queue WHERE item_id = new.id AND lang = new.lang);"
)


def _facet(value: str) -> str:
    return f"CASE WHEN {value} <> '' AND {value} NOT GLOB '*[^a-z0-9]*' THEN {value} ELSE '' END"


_FTS_INSERT = (
    "INSERT INTO item_search_fts (rowid, lemmas, forms, kind, lang) VALUES "
    f"(new.sort_key, new.lemmas, new.forms, {_facet('new.kind')}, {_facet('new.lang')});"
)
_FTS_DELETE = (
    "INSERT INTO item_search_fts (item_search_fts, rowid, lemmas, forms, kind, lang) VALUES "
    f"('delete', old.sort_key, old.lemmas, old.forms, {_facet('old.kind')}, {_facet('old.lang')});"
)
_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS item_search_enqueue_update",
    "DROP TRIGGER IF EXISTS item_search_enqueue_insert",
    "DROP TRIGGER IF EXISTS item_search_fts_update",
    "DROP TRIGGER IF EXISTS item_search_fts_delete",
    "DROP TRIGGER IF EXISTS item_search_fts_insert",
    "DROP TABLE IF EXISTS item_search_fts",
)
_SQLITE_CREATE = (
    """CREATE VIRTUAL TABLE item_search_fts USING fts5(
        lemmas, forms, kind, lang,
        content='', tokenize="unicode61 remove_diacritics 0", detail=column
    )""",
    f"CREATE TRIGGER item_search_fts_insert AFTER INSERT ON item_search BEGIN {_FTS_INSERT} END",
    f"CREATE TRIGGER item_search_fts_delete AFTER DELETE ON item_search BEGIN {_FTS_DELETE} END",
    f"CREATE TRIGGER item_search_fts_update AFTER UPDATE ON item_search"
    f" BEGIN {_FTS_DELETE} {_FTS_INSERT} END",
    f"CREATE TRIGGER item_search_enqueue_insert AFTER INSERT ON item BEGIN {_SQLITE_ENQUEUE} END",
    f"CREATE TRIGGER item_search_enqueue_update AFTER UPDATE ON item WHEN {_ITEM_STATE_CHANGED}"
    f" BEGIN {_SQLITE_ENQUEUE} END",
)
_POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS item_search_enqueue_update ON item",
    "DROP TRIGGER IF EXISTS item_search_enqueue_insert ON item",
    "DROP FUNCTION IF EXISTS item_search_enqueue()",
)
_POSTGRES_CREATE = (
    """ALTER TABLE item_search
        ADD COLUMN document tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, lemmas)) STORED,
        ADD COLUMN spellings tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, forms)) STORED""",
    "CREATE INDEX ix_item_search_document ON item_search USING gin (document)",
    "CREATE INDEX ix_item_search_spellings ON item_search USING gin (spellings)",
    """CREATE FUNCTION item_search_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO item_search_queue (item_id, lang) VALUES (NEW.id, NEW.lang)
            ON CONFLICT (item_id, lang) DO NOTHING;
        RETURN NULL;
    END
    $$""",
    "CREATE TRIGGER item_search_enqueue_insert AFTER INSERT ON item"
    " FOR EACH ROW EXECUTE FUNCTION item_search_enqueue()",
    "CREATE TRIGGER item_search_enqueue_update AFTER UPDATE ON item FOR EACH ROW WHEN"
    " (OLD.content_hash IS DISTINCT FROM NEW.content_hash OR OLD.version IS DISTINCT FROM NEW.version"
    " OR OLD.kind IS DISTINCT FROM NEW.kind)"
    " EXECUTE FUNCTION item_search_enqueue()",
)


def _version_fk(*columns: str, **options: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(list(columns), ["item.id", "item.lang"], **options)


def _create_tables() -> None:
    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("url", _TEXT(), nullable=False),
        sa.Column("lang", _TEXT(), nullable=False),
        sa.Column("section", _TEXT(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("title", _TEXT(), nullable=False),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("published_at", _TIME(timezone=True), nullable=True),
        sa.Column("place", _TEXT(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.Column("geography", sa.JSON(), nullable=True),
        sa.Column("persons", sa.JSON(), nullable=True),
        sa.Column("first_seen_at", _TIME(timezone=True), nullable=False),
        sa.Column("updated_at", _TIME(timezone=True), nullable=False),
        sa.Column("site_updated_at", _TIME(timezone=True), nullable=True),
        sa.Column("content_hash", _TEXT(), nullable=False),
        sa.Column("source", _TEXT(), nullable=False),
        sa.Column("details_pending", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", "lang"),
    )
    op.create_index("ix_item_details_pending", "item", ["details_pending"])
    op.create_index("ix_item_kind", "item", ["kind"])
    op.create_index("ix_item_lang", "item", ["lang"])
    op.create_index("ix_item_published_at", "item", ["published_at"])
    op.create_table(
        "itemrevision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lang", _TEXT(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("replaced_at", _TIME(timezone=True), nullable=False),
        sa.Column("content_hash", _TEXT(), nullable=False),
        sa.Column("title", _TEXT(), nullable=False),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("published_at", _TIME(timezone=True), nullable=True),
        sa.Column("place", _TEXT(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.Column("geography", sa.JSON(), nullable=True),
        sa.Column("persons", sa.JSON(), nullable=True),
        _version_fk("item_id", "lang"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "lang", "version", name="uq_revision_item_version"),
    )
    op.create_index("ix_itemrevision_item_id", "itemrevision", ["item_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("item_lang", _TEXT(), nullable=True),
        sa.Column("follow_up", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("incident", _TEXT(), nullable=True),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("rule", _TEXT(), nullable=False),
        sa.Column("destination", _TEXT(), nullable=False),
        sa.Column("destination_label", _TEXT(), nullable=False),
        sa.Column("status", _TEXT(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("matches", sa.Text(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIME(timezone=True), nullable=False),
        sa.Column("next_attempt_at", _TIME(timezone=True), nullable=False),
        sa.Column("claimed_at", _TIME(timezone=True), nullable=True),
        sa.Column("claimed_by", _TEXT(), nullable=True),
        sa.Column("sent_at", _TIME(timezone=True), nullable=True),
        _version_fk("item_id", "item_lang"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "item_id", "item_lang", "item_version", "rule", "destination", name="uq_outbox_triple"
        ),
        sa.UniqueConstraint("incident", "rule", "destination", name="uq_outbox_incident"),
    )
    op.create_index("ix_outbox_item_id", "outbox", ["item_id"])
    op.create_index("ix_outbox_rule", "outbox", ["rule"])
    op.create_index("ix_outbox_status_due", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "call",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("lang", sa.String(), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("counterparts", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("initiated_by", sa.JSON(), nullable=False),
        sa.Column("readable", sa.Boolean(), nullable=False),
        sa.Column("reader", sa.Integer(), nullable=False),
        sa.Column("updated_at", _TIME(timezone=True), nullable=False),
        _version_fk("item_id", "lang"),
        sa.PrimaryKeyConstraint("item_id", "lang"),
    )
    op.create_index("ix_call_readable", "call", ["readable"])
    op.create_table(
        "item_search",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("lang", sa.String(), nullable=False),
        sa.Column("sort_key", sa.BigInteger(), nullable=False),
        sa.Column("published_at", _TIME(timezone=True), nullable=True),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("persons", sa.Text(), server_default="", nullable=False),
        sa.Column("topics", sa.Text(), server_default="", nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("content_hash", _TEXT(), nullable=False),
        sa.Column("analyser", _TEXT(), nullable=False),
        sa.Column("indexed_at", _TIME(timezone=True), nullable=False),
        sa.Column("lemmas", sa.Text(), nullable=False),
        sa.Column("forms", sa.Text(), server_default="", nullable=False),
        _version_fk("item_id", "lang", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id", "lang"),
        sa.UniqueConstraint("sort_key"),
    )
    op.create_index("ix_item_search_analyser", "item_search", ["analyser"])
    op.create_index("ix_item_search_kind_key", "item_search", ["kind", "sort_key"])
    op.create_table(
        "item_search_queue",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("lang", sa.String(), nullable=False),
        _version_fk("item_id", "lang", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id", "lang"),
    )


#: What each kept table's rows become: new column -> expression over the copy (``o``) and its item (``i``).
_COPIES = {
    "item": ("item_0005", None, {}),
    "itemrevision": ("itemrevision_0005", "o.item_id", {"lang": "i.lang"}),
    "outbox": (
        "outbox_0005",
        "o.item_id",
        {"item_lang": "i.lang", "follow_up": "false"},
    ),
    "call": ("call_0005", "o.item_id", {"lang": "i.lang"}),
}


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")
        for statement in _SQLITE_DROP:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in _POSTGRES_DROP:
            op.execute(statement)
    for table in _COPIES:
        op.execute(f'CREATE TABLE {table}_0005 AS SELECT * FROM "{table}"')
    for table in _TABLES:
        op.drop_table(table)
    _create_tables()
    inspector = sa.inspect(bind)
    for table, (copy, item_ref, derived) in _COPIES.items():  # items first: the others point at them
        kept = [column["name"] for column in inspector.get_columns(copy)]
        columns = [name for name in kept if name not in derived] + list(derived)
        values = [f"o.{name}" for name in kept if name not in derived] + list(derived.values())
        source = f"{copy} o" if item_ref is None else f"{copy} o LEFT JOIN item_0005 i ON i.id = {item_ref}"
        op.execute(f'INSERT INTO "{table}" ({", ".join(columns)}) SELECT {", ".join(values)} FROM {source}')
    if dialect == "postgresql":
        for table in ("itemrevision", "outbox"):
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
    for table in _COPIES:
        op.execute(f"DROP TABLE {table}_0005")
    for statement in {"sqlite": _SQLITE_CREATE, "postgresql": _POSTGRES_CREATE}.get(dialect, ()):
        op.execute(statement)
    op.execute("INSERT INTO item_search_queue (item_id, lang) SELECT id, lang FROM item")


def downgrade() -> None:
    raise NotImplementedError(
        "0006 keeps both language versions of an item; a one-language archive cannot hold them"
    )
