"""`coach export`: every row a workspace owns, as JSON or CSV, readable back with `read_export`.

Field names are the column names; dates and timestamps are ISO 8601 (timestamps in UTC with
`+00:00`). Tokens are never exported: the `slack_*` tables are not ours to export.

JSON: {"format": "breakthrough-coach-export", "version": 1, "tables": {table: [row, …]}}

CSV: a first line `# format: breakthrough-coach-export; version: 1`, then for each table a
section: a line `# table: <name>`, a header row with the column names, then one row per
record. An empty cell is null; booleans are `true`/`false`.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from typing import IO, Any, Iterable

from sqlalchemy import Boolean, Float, Integer, Table, select
from sqlmodel import SQLModel

from storage.db import Database
from storage.workspaces import owned_tables

FORMAT = "breakthrough-coach-export"
VERSION = 1
CSV_PREAMBLE = f"# format: {FORMAT}; version: {VERSION}"
CSV_TABLE = "# table: "

# Owned by a workspace but bookkeeping, not data: which event ids and signed requests were
# handled, and the `#N` counter (the highest commitment number tells the same).
NOT_EXPORTED = frozenset({"processed_event", "seen_request", "team_counter"})


class ExportError(ValueError):
    """The input is not a Breakthrough Coach export this version can read."""


def exported_tables() -> list[Table]:
    return [owned.table for owned in owned_tables() if owned.name not in NOT_EXPORTED]


def export_data(db: Database, teams: Iterable[str] = ()) -> dict[str, Any]:
    """The export as a dict (what the JSON file holds); all workspaces when `teams` is empty."""
    teams = list(teams)
    owned = {o.name: o for o in owned_tables()}
    tables: dict[str, list[dict[str, Any]]] = {}
    with db.engine.connect() as connection:
        for table in exported_tables():
            query = select(table).order_by(*table.primary_key.columns)
            if teams:
                query = query.where(owned[table.name].rows_of(teams))
            tables[table.name] = [
                {name: _plain(value) for name, value in row.items()} for row in connection.execute(query).mappings()
            ]
    return {"format": FORMAT, "version": VERSION, "tables": tables}


def export(db: Database, stream: IO[str], fmt: str = "json", teams: Iterable[str] = ()) -> None:
    data = export_data(db, teams)
    if fmt == "json":
        json.dump(data, stream, indent=1, ensure_ascii=False)
        stream.write("\n")
    elif fmt == "csv":
        _write_csv(data, stream)
    else:
        raise ExportError(f"unknown export format {fmt!r}: use json or csv")


def read_export(stream: IO[str], fmt: str = "json") -> dict[str, Any]:
    """Read an export back into the dict `export_data` returns."""
    if fmt == "json":
        data = json.load(stream)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ExportError("not a Breakthrough Coach export")
        if data.get("version") != VERSION:
            raise ExportError(f"export version {data.get('version')} is not {VERSION}")
        return data
    if fmt == "csv":
        return _read_csv(stream)
    raise ExportError(f"unknown export format {fmt!r}: use json or csv")


# --- values ----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _parser(table: Table | None, column: str):
    """Turns a CSV cell back into the JSON value of that column (strings stay strings)."""
    sql_type = table.c[column].type if table is not None and column in table.c else None
    nullable = table.c[column].nullable if sql_type is not None else True

    def parse(cell: str) -> Any:
        if cell == "" and (nullable or not _is_text(sql_type)):
            return None
        if isinstance(sql_type, Boolean):
            return cell == "true"
        if isinstance(sql_type, Integer):
            return int(cell)
        if isinstance(sql_type, Float):
            return float(cell)
        return cell

    return parse


def _is_text(sql_type) -> bool:
    return sql_type is None or not isinstance(sql_type, (Boolean, Integer, Float))


# --- CSV -------------------------------------------------------------------------------------


def _write_csv(data: dict[str, Any], stream: IO[str]) -> None:
    stream.write(CSV_PREAMBLE + "\n")
    writer = csv.writer(stream, lineterminator="\n")
    schema = {t.name: t for t in exported_tables()}
    for name, rows in data["tables"].items():
        columns = [c.name for c in schema[name].columns] if name in schema else list(rows[0] if rows else [])
        stream.write(f"{CSV_TABLE}{name}\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])


def _read_csv(stream: IO[str]) -> dict[str, Any]:
    schema = {t.name: t for t in SQLModel.metadata.sorted_tables}
    tables: dict[str, list[dict[str, Any]]] = {}
    current: list[dict[str, Any]] | None = None
    columns: list[str] | None = None
    parsers: list = []
    seen_preamble = False
    for record in csv.reader(stream):
        if not record:
            continue
        if len(record) == 1 and record[0].startswith("# "):
            line = record[0]
            if line.startswith(CSV_TABLE):
                name = line[len(CSV_TABLE) :].strip()
                current = tables.setdefault(name, [])
                table = schema.get(name)
                columns = None
                parsers = [table]  # the header row fills the parsers in
                continue
            if line.startswith("# format:"):
                if FORMAT not in line or f"version: {VERSION}" not in line:
                    raise ExportError(f"not a version {VERSION} Breakthrough Coach export: {line}")
                seen_preamble = True
                continue
        if current is None:
            raise ExportError("a CSV export starts with '# table: <name>' sections")
        if columns is None:
            columns = record
            table = parsers[0]
            parsers = [_parser(table, column) for column in columns]
            continue
        if len(record) != len(columns):
            raise ExportError(f"a row has {len(record)} cells, the header {len(columns)}")
        current.append({column: parse(cell) for column, parse, cell in zip(columns, parsers, record)})
    if not seen_preamble and not tables:
        raise ExportError("not a Breakthrough Coach export")
    return {"format": FORMAT, "version": VERSION, "tables": tables}
