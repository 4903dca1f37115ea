"""How the index writer gets its speed, checked for sameness: multi-row writes (SQLite's FTS5 fed by
one statement per many rows, in sort-key order, `search.index.ROWS_PER_STATEMENT`) against what the
full-text index must hold, and the analyser's cached terms against word-by-word analysis. Also the
bench's ``search --keep-archive``. No timing here: speed is measured in `bench/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
import sqlalchemy as sa

import archive.backends
import search.index
from archive.backends import backend_for
from archive.engine import make_engine
from archive.migrate import upgrade
from bench import search_bench
from query.document import FIELDS, FieldValue
from query.morphology import Lemmatizer
from query.words import WORD, fold
from replica.corpus import Corpus
from search.index import IndexWriter
from search.terms import TermAnalyser, indexable, indexable_head

#: Strings where the one-pass split could go wrong: stress marks and soft hyphens inside words,
#: underscores, marks at the end of a field, words over `search.terms.MAX_TERM`, other scripts.
ODD = {
    "title": "Соединённых Шта\u0301тов и\u00ad ещё раз_два «x²» Ὀδυσσεύς",
    "lead": "конец\u0301",
    "text": "\u0301начало " + "я" * 250 + " snake_case_word 2024",
    "place": None,
    "persons": ["Ниинистё Саули", "Шольц\u00ad"],
    "topics": [],
    "geography": ["Франция", ""],
}


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


def word_by_word(values: Mapping[str, FieldValue], lemmatizer: Lemmatizer) -> tuple[list[str], list[str]]:
    """The index terms worked out the plain way: each field and entry split on its own, each word
    analysed and added one at a time."""
    lemmas: set[str] = set()
    forms: set[str] = set()
    for name in FIELDS:
        value = values.get(name)
        entries = [value] if isinstance(value, str) else list(value or ())
        for entry in entries:
            for word in WORD.findall(entry):
                lemma_set = lemmatizer.lemmas(word)
                lemmas.update(lemma for lemma in lemma_set if indexable(lemma))
                forms.update(indexable_head(lemma) for lemma in lemma_set if not indexable(lemma))
                spelling = fold(word)
                if spelling not in lemma_set:
                    forms.add(spelling if indexable(spelling) else indexable_head(spelling))
    forms.discard("")
    return sorted(lemmas), sorted(forms - lemmas)


@pytest.mark.parametrize("maxsize", [500_000, 7], ids=["cache kept", "cache emptied often"])
def test_terms_are_those_of_word_by_word_analysis(lemmatizer: Lemmatizer, maxsize: int) -> None:
    analyser = TermAnalyser(lemmatizer, maxsize=maxsize)
    items = [{name: getattr(item, name) for name in FIELDS} for item in Corpus.generate(120, seed=11)]
    items += [
        {name: getattr(item, name) for name in FIELDS} for item in Corpus.generate(40, lang="en", seed=11)
    ]
    for values in [ODD, *items, ODD]:
        assert analyser.terms(values) == word_by_word(values, lemmatizer)


def fts_vocabulary(engine: sa.Engine) -> dict[tuple[str, str], int]:
    """Documents per (column, term) as the full-text index itself holds them."""
    with engine.connect() as connection:
        if backend_for(engine).full_text == "fts5":
            connection.execute(
                sa.text("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, item_search_fts, 'col')")
            )
            found = {
                (column, term): docs
                for term, column, docs in connection.execute(
                    sa.text("SELECT term, col, doc FROM temp.vocabulary")
                )
                if column in ("lemmas", "forms")
            }
            connection.execute(sa.text("DROP TABLE temp.vocabulary"))
            connection.commit()
            return found
        found = {}
        for column, vector in (("lemmas", "document"), ("forms", "spellings")):
            statement = f"SELECT word, ndoc FROM ts_stat('SELECT {vector} FROM item_search')"
            found.update({(column, word): docs for word, docs in connection.execute(sa.text(statement))})
        return found


def written_vocabulary(engine: sa.Engine) -> dict[tuple[str, str], int]:
    """Documents per (column, term) as the `item_search` rows say."""
    counts: dict[tuple[str, str], int] = {}
    with engine.connect() as connection:
        for lemmas, forms in connection.execute(sa.text("SELECT lemmas, forms FROM item_search")):
            for column, text in (("lemmas", lemmas), ("forms", forms)):
                for term in set(text.split()):
                    counts[column, term] = counts.get((column, term), 0) + 1
    return counts


def test_many_rows_per_statement_leave_the_full_text_index_exact(
    engine: sa.Engine, lemmatizer: Lemmatizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches split into several multi-row statements, rows out of sort-key order in the archive,
    then a re-index of changed versions (the upsert's update path): the full-text index holds exactly
    the terms of the rows, on both backends."""
    monkeypatch.setattr(archive.backends, "SQLITE_ROWS_PER_STATEMENT", 7)
    all_rows = list(search_bench.rows(60))
    all_rows.reverse()  # newest first, so ids and sort keys disagree in order
    search_bench.fill(engine, all_rows)
    writer = IndexWriter(engine, lemmatizer, batch=25)
    assert writer.update() == len(all_rows)
    assert writer.pending() == 0
    assert fts_vocabulary(engine) == written_vocabulary(engine)
    item = search.index.ITEM
    with engine.begin() as connection:
        connection.execute(
            sa.update(item)
            .where(item.c.id % 4 == 0)
            .values(text="Санкции против экономики не работают.", version=item.c.version + 1)
        )
    changed = writer.pending()
    assert changed > 0
    assert writer.update() == changed
    assert fts_vocabulary(engine) == written_vocabulary(engine)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT count(*) FROM item_search WHERE lemmas LIKE '%санкция%'"))
        assert rows.scalar() >= changed


def test_bench_keeps_the_indexed_archive_and_never_overwrites(tmp_path: Path) -> None:
    kept = tmp_path / "kept.sqlite3"
    search_bench.main(30, kept, with_postgres=False)
    engine = sa.create_engine(f"sqlite:///{kept}")
    with engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT count(*) FROM item")).scalar()
        indexed = connection.execute(sa.text("SELECT count(*) FROM item_search")).scalar()
        queued = connection.execute(sa.text("SELECT count(*) FROM item_search_queue")).scalar()
    engine.dispose()
    assert versions == indexed == 40
    assert queued == 0
    before = kept.read_bytes()
    with pytest.raises(SystemExit, match="already exists"):
        search_bench.main(30, kept, with_postgres=False)
    assert kept.read_bytes() == before


def test_a_batch_whose_write_fails_stays_queued_and_the_others_are_written(
    engine: sa.Engine, lemmatizer: Lemmatizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer thread's failure reaches the caller of `IndexWriter.update`; the batch it was
    writing stays queued (its transaction rolled back), the batch already handed to the writer
    after it is indexed, and the next update indexes what is left."""
    all_rows = list(search_bench.rows(60))
    search_bench.fill(engine, all_rows)
    backend = type(backend_for(engine))
    real_upsert = backend.upsert
    calls: list[set[tuple[int, str]]] = []

    def second_write_fails(
        self: object, connection: sa.Connection, table: sa.Table, rows: list, key: tuple
    ) -> None:
        calls.append({(row["item_id"], row["lang"]) for row in rows})
        if len(calls) == 2:
            raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))
        real_upsert(self, connection, table, rows, key=key)

    monkeypatch.setattr(backend, "upsert", second_write_fails)
    writer = IndexWriter(engine, lemmatizer, batch=25)
    with pytest.raises(sa.exc.OperationalError, match="disk I/O error"):
        writer.update()
    with engine.connect() as connection:
        indexed = {tuple(row) for row in connection.execute(sa.text("SELECT item_id, lang FROM item_search"))}
    assert len(calls) == 3
    assert indexed == calls[0] | calls[2]
    left = writer.pending()
    assert left == len(all_rows) - len(indexed)
    assert writer.update() == left
    assert writer.pending() == 0
    assert fts_vocabulary(engine) == written_vocabulary(engine)


def test_a_reading_connection_reads_beside_a_sqlite_writer(tmp_path: Path) -> None:
    """On SQLite every read-write transaction takes the write lock up front; one marked
    `Backend.only_reading` takes a snapshot instead, so the indexer reads its next batch while its
    writer thread holds the lock."""
    engine = make_engine(f"sqlite:///{tmp_path / 'archive.sqlite3'}")
    upgrade(engine)
    search_bench.fill(engine, list(search_bench.rows(5)))
    backend = backend_for(engine)
    with engine.begin() as writer:
        writer.execute(sa.text("UPDATE item SET version = version + 1"))
        with engine.connect() as reader:
            reader.connection.driver_connection.execute("PRAGMA busy_timeout = 0")  # fail, don't wait
            backend.only_reading(reader)
            assert reader.execute(sa.text("SELECT max(version) FROM item")).scalar() == 1  # the snapshot
        with engine.connect() as plain:
            plain.connection.driver_connection.execute("PRAGMA busy_timeout = 0")
            with pytest.raises(sa.exc.OperationalError, match="database is locked"):
                plain.execute(sa.text("SELECT max(version) FROM item"))
    engine.dispose()
