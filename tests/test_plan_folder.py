"""A plan folder is data (issue 27, item 7): ``plan.json`` (with a schema number), ``roster.csv``
and ``summary.json``; the plan is re-derived from them, nothing in the folder is unpickled, and
a folder an older version wrote (its ``plan.pickle``) or no plan's folder is one line."""

from __future__ import annotations

import json
import pickle
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from scheduler import io, pipeline, report
from scheduler.cli import main
from scheduler.errors import InputError
from scheduler.params import PlanParams
from scheduler.replan import open_plan, save_plan

REPO = Path(__file__).resolve().parents[1]
OLDER = "made by an older version (or not a plan folder): run plan again"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[report.PlanResult, Path]:
    """The bundled sample's week planned (3 s, 2 simulated weeks) and saved to a folder."""
    history = io.read_history(REPO / "data" / "sample_history.csv")
    agents, _ = io.read_agents(REPO / "data" / "sample_agents.csv")
    params = PlanParams(time_limit_seconds=3.0, replications=2)
    plan = pipeline.run(history, agents, params=params)
    folder = tmp_path_factory.mktemp("planfolder") / "plan"
    save_plan(plan, folder)
    return plan, folder


@pytest.fixture(scope="module")
def followed(planned: tuple[report.PlanResult, Path],
             tmp_path_factory: pytest.TempPathFactory) -> tuple[report.PlanResult, Path]:
    """The next week planned after ``planned``'s, published (its shifts run into Monday, rest
    and days in a row count across the boundary, fairness counts its nights), and saved."""
    plan, _folder = planned
    history = io.read_history(REPO / "data" / "sample_history.csv")
    week = plan.week_start + timedelta(days=7)
    last = tuple(report.in_week_shifts(plan.roster.roster))
    nxt = pipeline.run(history, plan.agents, week_start=week, params=plan.params, before=last,
                       past_shifts=last)
    assert nxt.roster.roster.before  # the week before runs into this one
    folder = tmp_path_factory.mktemp("followed") / "plan"
    save_plan(nxt, folder)
    return nxt, folder


@pytest.mark.parametrize("which", ["planned", "followed"])
def test_the_plan_is_re_derived_from_its_folder(which: str, request: pytest.FixtureRequest
                                                ) -> None:
    plan, folder = request.getfixturevalue(which)
    assert sorted(p.name for p in folder.iterdir()) == ["plan.json", "roster.csv",
                                                         "summary.json"]
    state = json.loads((folder / io.PLAN_STATE).read_text(encoding="utf-8"))
    assert state["schema"] == io.PLAN_SCHEMA
    again = open_plan(folder)
    # what the plan was planned from, exactly (the forecast's CSV is rounded; plan.json is not)
    pd.testing.assert_frame_equal(again.forecast.frame, plan.forecast.frame, check_exact=True)
    assert again.forecast.rel_error == plan.forecast.rel_error
    assert (again.agents, again.params) == (plan.agents, plan.params)
    # the roster, its coverage, the hourly risk and the simulated check (same seed and runs)
    assert again.roster.roster == plan.roster.roster
    pd.testing.assert_frame_equal(again.coverage, plan.coverage, check_exact=True)
    assert again.hour_risk is not None and plan.hour_risk is not None
    pd.testing.assert_frame_equal(again.hour_risk, plan.hour_risk, check_exact=True)
    pd.testing.assert_frame_equal(again.simulation.hourly_frame(),
                                  plan.simulation.hourly_frame(), check_exact=True)
    # the summary's numbers: every one re-derived equals what plan wrote
    assert again.summary == plan.summary
    written = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert json.loads(json.dumps(again.summary.as_dict())) == written
    assert again.roster.messages == plan.roster.messages and again.notes == plan.notes
    assert (again.before, again.past_shifts) == (plan.before, plan.past_shifts)


def test_a_roster_edited_off_the_plans_rules_is_one_line(
        planned: tuple[report.PlanResult, Path], tmp_path: Path) -> None:
    _plan, folder = planned
    edited = tmp_path / "edited"
    shutil.copytree(folder, edited)
    roster = pd.read_csv(edited / "roster.csv", dtype=str, keep_default_na=False)
    first = roster.index[roster["carried_over"] != "yes"][0]
    roster.loc[first, "start"] = roster.loc[first, "start"][:-2] + "07"  # off the start grid
    io.write_csv(roster, edited / "roster.csv")
    with pytest.raises(InputError, match="is not one this plan can hold") as err:
        open_plan(edited)
    assert str(err.value).startswith(str(edited / "roster.csv"))


class _Touch:
    """A pickle that, unpickled, creates a file: what an older folder's plan.pickle could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return Path.touch, (self.path,)


def test_an_older_folder_is_one_line_and_nothing_is_unpickled(
        planned: tuple[report.PlanResult, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _plan, folder = planned
    old = tmp_path / "old"
    shutil.copytree(folder, old)
    (old / io.PLAN_STATE).unlink()
    ran = tmp_path / "unpickled"
    (old / "plan.pickle").write_bytes(pickle.dumps(_Touch(ran)))
    capsys.readouterr()
    db = f"sqlite:///{tmp_path / 'book.sqlite'}"
    for argv in (["publish", "--plan", str(old), "--db", db],
                 ["simulate", "--plan", str(old), "--out", str(tmp_path / "sim")]):
        assert main(argv) == 2
        assert capsys.readouterr().err.splitlines() == [f"error: {old}: {OLDER}"]
    with pytest.raises(InputError, match=re.escape(OLDER)):
        open_plan(old)
    assert not ran.exists()
    assert not (tmp_path / "book.sqlite").exists() and not (tmp_path / "sim").exists()


@pytest.mark.parametrize("schema", [0, "1", None])
def test_another_schema_or_a_foreign_folder_is_one_line(
        planned: tuple[report.PlanResult, Path], tmp_path: Path, schema: object) -> None:
    _plan, folder = planned
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    state = json.loads((other / io.PLAN_STATE).read_text(encoding="utf-8"))
    state["schema"] = schema
    (other / io.PLAN_STATE).write_text(json.dumps(state), encoding="utf-8")
    with pytest.raises(InputError) as err:
        open_plan(other)
    assert str(err.value) == f"{other}: {OLDER}"
    state["schema"] = io.PLAN_SCHEMA + 1
    (other / io.PLAN_STATE).write_text(json.dumps(state), encoding="utf-8")
    with pytest.raises(InputError, match="made by a newer version"):
        open_plan(other)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not a plan", encoding="utf-8")
    with pytest.raises(InputError) as err:
        open_plan(foreign)
    assert str(err.value) == f"{foreign}: {OLDER}"
