"""Every CSV the tool writes is safe to open in Excel: a text cell a spreadsheet would run as a
formula (``= + - @``, OWASP's CSV injection) is written with a leading apostrophe, whatever
field it sits in (event names, notes, agent names), and the tool's own readers take the
apostrophe off, so a file it wrote reads back as it was."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from scheduler.book import Book
from scheduler.cli import main
from scheduler.domain import Roster, Shift
from scheduler.io import FORMULA_PREFIXES, csv_bytes, read_raw_table, write_csv

HOSTILE = "=HYPERLINK(\"http://x\",\"click\")"
"""A cell that a spreadsheet would run."""


def formula_cells(path: Path) -> list[str]:
    """The cells of a CSV file a spreadsheet would take for a formula (numbers are data)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    out = []
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_PREFIXES):
                try:
                    float(cell)
                except ValueError:
                    out.append(cell)
    return out


def test_every_written_csv_escapes_formulas_and_reads_back(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": [HOSTILE, "@SUM(A1)", "+1 cmd", "-x", "小雨"],
                          "n": [-3, 2, 3, 4, 5], "signed": ["-3", "-2.5", "1", "2", "3"]})
    path = write_csv(frame, tmp_path / "out.csv")
    assert formula_cells(path) == []
    assert path.read_bytes() == csv_bytes(frame)
    text = path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "\n-x" not in text
    assert "\n'@SUM(A1),2,-2.5\n" in text  # numbers, negative ones too, stay numbers
    back = read_raw_table(path).frame
    assert list(back["name"]) == list(frame["name"])  # the reader takes the escape off
    assert list(back["signed"]) == list(frame["signed"])


def test_event_names_from_a_promotions_file_are_escaped(repo: Path, tmp_path: Path) -> None:
    promo = tmp_path / "promos.csv"
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    promo.write_text(f"name,start,end,multiplier\n{quoted},2026-11-27 20:00,2026-11-27 23:00,"
                     "2.5\n", encoding="utf-8")
    out = tmp_path / "fc"
    assert main(["forecast", "--history", str(repo / "data" / "sample_history.csv"),
                 "--week-start", "2026-11-23", "--promotions", str(promo),
                 "--out", str(out)]) == 0
    events = (out / "events.csv").read_text(encoding="utf-8-sig")
    assert "HYPERLINK" in events  # the name is there...
    for name in ("events.csv", "forecast.csv"):
        assert formula_cells(out / name) == [], name  # ...and never as a formula


def test_the_books_export_escapes_notes(tmp_path: Path) -> None:
    week = date(2026, 11, 23)
    roster = Roster(week, (Shift("A01", datetime(2026, 11, 23, 9), datetime(2026, 11, 23, 17),
                                 3),))
    url = f"sqlite:///{tmp_path / 'book.sqlite'}"
    Book(url).publish(roster, agent_hours=8.0, summary={}, inputs={}, note="@SUM(1+1)*cmd")
    assert main(["book", "--db", url, "--export", str(tmp_path / "csv")]) == 0
    files = sorted((tmp_path / "csv").glob("book_*.csv"))
    assert files and any("SUM(1+1)" in f.read_text(encoding="utf-8-sig") for f in files)
    for f in files:
        assert formula_cells(f) == [], f.name
