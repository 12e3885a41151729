"""The history database's schema, its version (PRAGMA user_version) and the migrations."""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 4

SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    command TEXT NOT NULL,
    source TEXT NOT NULL,
    experiments TEXT NOT NULL
);
CREATE TABLE tallies (
    experiment TEXT PRIMARY KEY,
    runs INTEGER NOT NULL,
    last_run INTEGER NOT NULL,
    last_time TEXT NOT NULL
);
CREATE TABLE states (
    experiment TEXT NOT NULL,
    ce TEXT NOT NULL,
    site TEXT NOT NULL,
    verdict TEXT NOT NULL,
    mode TEXT,
    since_run INTEGER NOT NULL,
    since_time TEXT NOT NULL,
    until_run INTEGER,
    before_site TEXT,
    before_verdict TEXT,
    before_mode TEXT,
    streak_start INTEGER NOT NULL,
    PRIMARY KEY (experiment, ce, since_run)
) WITHOUT ROWID;
CREATE UNIQUE INDEX states_current ON states (experiment, ce) WHERE until_run IS NULL;
CREATE INDEX states_since ON states (since_run);
"""
# runs:    one row per recorded run; experiments is a JSON list of the experiments it covered.
# tallies: per experiment, how many runs ever covered it (pruning does not lower it) and the
#          last one; a CE's stable_runs is that count minus the count where its streak began.
# states:  one row per change: the CE's state from since_run until until_run (exclusive;
#          NULL while current), with the state it replaced, so a run that changes nothing
#          writes no state row and a pruned run leaves the rows after it readable.

# glexec test results (cecap results import), from schema 2 on. UNIQUE: importing the same
# result again records nothing new.
RESULTS = """
CREATE TABLE results (
    time TEXT NOT NULL,
    ce TEXT NOT NULL,
    experiment TEXT NOT NULL,
    metric TEXT NOT NULL,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    imported TEXT NOT NULL,
    UNIQUE (time, ce, experiment, metric)
);
CREATE INDEX results_window ON results (experiment, time);
CREATE TABLE reliable (
    experiment TEXT NOT NULL,
    ce TEXT NOT NULL,
    run INTEGER NOT NULL,
    reliable INTEGER NOT NULL,
    PRIMARY KEY (experiment, run, ce)
) WITHOUT ROWID;
CREATE INDEX reliable_latest ON reliable (experiment, ce, run);
"""
# reliable: each CE a `check` run judged, and whether it found it reliable (1) or not (0),
#           so that the next run covering that CE can name it when it is no longer
#           reliable: the run before may have covered other sites only (check --site).

# The problems `check` holds, from schema 3 on: one row per problem of a CE, from the
# run that first saw it until the run that saw it cleared (NULL while it lasts).
HELD = """
CREATE TABLE held (
    experiment TEXT NOT NULL,
    problem TEXT NOT NULL,
    ce TEXT NOT NULL,
    site TEXT NOT NULL,
    since_run INTEGER NOT NULL,
    since_time TEXT NOT NULL,
    until_run INTEGER,
    PRIMARY KEY (experiment, problem, ce, since_run)
) WITHOUT ROWID;
CREATE UNIQUE INDEX held_current ON held (experiment, problem, ce) WHERE until_run IS NULL;
"""

# What each glexec test printed (a result message's detailsData), from schema 4 on: the
# evidence of the mode glexec ran in. A result imported before has none ('').
OUTPUT = """
ALTER TABLE results ADD COLUMN output TEXT NOT NULL DEFAULT '';
"""

SCHEMA += RESULTS + HELD + OUTPUT
# MIGRATIONS[v]: what takes a history of schema v to v + 1 (MIGRATIONS[0]: unused).
MIGRATIONS = ("", RESULTS, HELD, OUTPUT)


def has_results(db: sqlite3.Connection) -> bool:
    """Whether the database has the results tables: a history of schema 1, read as it is,
    has none."""
    return has_table(db, "results")


def has_table(db: sqlite3.Connection, name: str) -> bool:
    """Whether the database has table ``name`` (an older history, read as it is, may not)."""
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return found is not None


def has_column(db: sqlite3.Connection, table: str, column: str) -> bool:
    """Whether ``table`` has ``column`` (an older history, read as it is, may not)."""
    return any(row[1] == column for row in db.execute(f"PRAGMA table_info({table})"))
