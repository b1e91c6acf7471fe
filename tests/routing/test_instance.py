"""The Li & Lim parser: every published instance reads, every malformed or inconsistent file is a
one-line error, and solve_pdptw turns it into exit status 2 (never a traceback)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from o2o.routing.instance import parse_instance, read_instance
from o2o.routing.problem import InstanceError

from .conftest import DATA, ROOT, SMALL, write_instance


def _replace_line(text: str, number: int, line: str) -> str:
    lines = text.splitlines()
    lines[number] = line
    return "\n".join(lines) + "\n"


BAD = {
    "delivery without its pickup": (_replace_line(SMALL, 7, "6\t-20\t0\t-8\t0\t150\t5\t9\t0"), "without its pickup"),
    "delivery naming another's pickup": (_replace_line(SMALL, 7, "6\t-20\t0\t-8\t0\t150\t5\t3\t0"), "names pickup 3 instead"),
    "negative demand at a pickup": (_replace_line(SMALL, 2, "1\t10\t0\t-10\t0\t100\t5\t0\t2"), "negative demand"),
    "window closes before it opens": (_replace_line(SMALL, 2, "1\t10\t0\t10\t90\t80\t5\t0\t2"), "closes"),
    "a word where a number goes": (_replace_line(SMALL, 2, "1\t10\t0\tten\t0\t100\t5\t0\t2"), "not a number"),
    "not a finite number": (_replace_line(SMALL, 2, "1\tnan\t0\t10\t0\t100\t5\t0\t2"), "not a finite number"),
    "a fraction of a unit of demand": (_replace_line(SMALL, 2, "1\t10\t0\t2.5\t0\t100\t5\t0\t2"), "whole number"),
    "missing fields": (_replace_line(SMALL, 2, "1\t10\t0\t10\t0\t100\t5"), "needs 9 fields"),
    "header short": (_replace_line(SMALL, 0, "2\t20"), "header needs 3 fields"),
    "no vehicles": (_replace_line(SMALL, 0, "0\t20\t1"), "vehicles must be at least 1"),
    "index out of order": (_replace_line(SMALL, 3, "7\t20\t0\t-10\t0\t150\t5\t1\t0"), "out of order"),
    "delivery demand not the opposite": (_replace_line(SMALL, 3, "2\t20\t0\t-9\t0\t150\t5\t1\t0"), "expected -10"),
    "pickup naming a delivery not in the file": (_replace_line(SMALL, 2, "1\t10\t0\t10\t0\t100\t5\t0\t42"), "not in the file"),
    "both pickup and delivery": (_replace_line(SMALL, 2, "1\t10\t0\t10\t0\t100\t5\t2\t2"), "both a pickup"),
    "neither pickup nor delivery": (_replace_line(SMALL, 2, "1\t10\t0\t10\t0\t100\t5\t0\t0"), "neither"),
    "demand above capacity": (
        _replace_line(_replace_line(SMALL, 2, "1\t10\t0\t30\t0\t100\t5\t0\t2"), 3, "2\t20\t0\t-30\t0\t150\t5\t1\t0"),
        "exceeds the capacity",
    ),
    "depot with demand": (_replace_line(SMALL, 1, "0\t0\t0\t5\t0\t200\t0\t0\t0"), "depot"),
    "unreachable window": (_replace_line(SMALL, 2, "1\t10\t0\t10\t0\t5\t5\t0\t2"), "cannot be reached"),
    "empty file": ("", "empty file"),
    "header only": ("2\t20\t1\n", "no nodes"),
}


def test_the_small_instance_reads():
    problem = parse_instance(SMALL, name="small")
    assert (problem.vehicles, problem.capacity, len(problem.nodes)) == (2, 20, 7)
    assert [(r.pickup, r.delivery, r.demand) for r in problem.requests] == [(1, 2, 10), (3, 4, 5), (5, 6, 8)]


def test_every_published_instance_reads_as_its_bks_entry_says(li_lim_dir):
    bks = json.loads((li_lim_dir / "BKS.json").read_text())
    files = sorted(li_lim_dir.glob("*.txt"))
    assert len(files) == 56
    for path in files:
        problem = read_instance(path)
        entry = bks[path.stem]
        assert len(problem.nodes) - 1 == entry["jobs"], path.stem
        assert (problem.vehicles, problem.capacity) == (entry["vehicles"], entry["capacity"]), path.stem
        assert sum(r.demand for r in problem.requests) == entry["total_demand"], path.stem


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_is_a_one_line_error_and_exit_status_2(case, tmp_path):
    text, words = BAD[case]
    path = write_instance(tmp_path, text)
    with pytest.raises(InstanceError) as parsed:
        read_instance(path)
    message = str(parsed.value)
    assert words in message and "\n" not in message and message.startswith(str(path))
    with pytest.raises(CommandError) as command:
        call_command("solve_pdptw", str(path), "--seconds", "1")
    assert command.value.returncode == 2
    assert str(command.value) == message


def test_a_missing_file_and_a_bad_budget_are_exit_status_2(tmp_path):
    with pytest.raises(CommandError) as missing:
        call_command("solve_pdptw", str(tmp_path / "nope.txt"), "--seconds", "1")
    assert missing.value.returncode == 2 and "no such file" in str(missing.value)
    for seconds in ("0", "-1", "soon", "inf"):
        with pytest.raises(CommandError) as budget:
            call_command("solve_pdptw", str(DATA / "lc101.txt"), "--seconds", seconds)
        assert budget.value.returncode == 2 and "--seconds" in str(budget.value)


def test_the_real_command_exits_2_with_one_line_and_no_traceback(tmp_path):
    path = write_instance(tmp_path, BAD["delivery without its pickup"][0])
    done = subprocess.run([sys.executable, "manage.py", "solve_pdptw", str(path), "--seconds", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert str(path) in lines[0] and "without its pickup" in lines[0]
