"""The README's walk-through, run as written: every command of its shell blocks, one after another, in one shell.

Each command must exit 0 except the verification from the owner's own unit, which must be refused with the rule's
message; the key outputs of each step are checked.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARK = "::walk-through-command::"


def walkthrough_blocks(readme: str) -> list[str]:
    """The fenced shell blocks between the '### Walk-through' heading and the next heading of its level or above."""
    start = readme.index("\n### Walk-through\n")
    end = re.compile(r"\n#{2,3} ").search(readme, start + 1)
    section = readme[start: end.start() if end else len(readme)]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def commands(blocks: list[str]) -> list[str]:
    """The blocks' commands, a backslash-continued command joined into one."""
    found, pending = [], ""
    for block in blocks:
        for line in block.splitlines():
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            command = (pending + line).strip()
            pending = ""
            if command and not command.startswith("#"):
                found.append(command)
    return found


def run_in_one_shell(steps: list[str], env: dict[str, str]) -> list[tuple[str, int, str]]:
    """Run the commands in one bash, as a reader pasting them would; (command, exit status, its output) each."""
    script = "".join(f"{{ {step}\n}} 2>&1\necho \"{MARK}{i}:$?\"\n" for i, step in enumerate(steps))
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=300)
    results, output = [], ""
    for line in done.stdout.splitlines(keepends=True):
        if line.startswith(MARK):
            i, status = line[len(MARK):].strip().split(":")
            results.append((steps[int(i)], int(status), output))
            output = ""
        else:
            output += line
    assert len(results) == len(steps), f"the walk-through stopped early:\n{done.stdout[-3000:]}"
    return results


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory) -> list[tuple[str, int, str]]:
    steps = commands(walkthrough_blocks((ROOT / "README.md").read_text(encoding="utf-8")))
    tmp = tmp_path_factory.mktemp("walkthrough")
    env = {k: v for k, v in os.environ.items() if k not in ("DUBAN_DATA_DIR", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", TMPDIR=str(tmp))
    return run_in_one_shell(steps, env)


def output_of(results, *words: str, index: int = 0) -> str:
    """The output of the index-th command that contains all the words."""
    matching = [output for command, _, output in results if all(word in command for word in words)]
    assert len(matching) > index, f"no command with {words} in the walk-through"
    return matching[index]


def test_the_walkthrough_parses_into_commands():
    steps = commands(walkthrough_blocks((ROOT / "README.md").read_text(encoding="utf-8")))
    assert any(step.startswith("duban ingest ") for step in steps)
    assert all(not step.endswith("\\") for step in steps)


def test_every_command_succeeds_except_the_owners_own_verification(walkthrough):
    refused = [(command, status, output) for command, status, output in walkthrough
               if "ledger verify " in command and "--as service_center_verifier" in command]
    assert len(refused) == 1
    _, status, output = refused[0]
    assert status == 1
    assert "service_center_verifier may not verify completion" in output
    assert "never from Provincial Government Affairs Service Center or its units" in output
    failed = [(command, status, output) for command, status, output in walkthrough
              if status != 0 and (command, status, output) not in refused]
    assert not failed, failed
    assert "Traceback" not in "".join(output for _, _, output in walkthrough)


def test_step_1_ingests_drafts_and_a_second_ingest_changes_nothing(walkthrough):
    first = output_of(walkthrough, "duban ingest", "--office")
    assert "document 1 (version 1, plan, 2025-03-03, supervised by Provincial Supervision Office)" in first
    assert "document 2 (version 1, oversight, 2025-11-18, supervised by Provincial Supervision Office)" in first
    assert "15 task" in first and "11 finding" in first
    assert "unchanged" in output_of(walkthrough, "duban ingest", index=1)
    listed = output_of(walkthrough, "ledger items --kind task --document 1")
    assert "(four)" in listed and "15 items" in listed


def test_step_2_confirms_drafts_and_opens_the_rectification_plan(walkthrough):
    assert "active, due 2026-06-30" in output_of(walkthrough, "ledger confirm", '"(four)"')
    assert "due 2025-12-30: 30 working days after the feedback date" in output_of(walkthrough, "ledger rectify 2")
    assert "rectification plan: active, due 2025-12-30" in output_of(walkthrough, "ledger confirm", "--kind rectification")


def test_steps_3_to_6_report_claim_and_close_from_the_supervising_office(walkthrough):
    assert "progress reported on 2025-12-15 [list.txt" in output_of(walkthrough, "ledger progress")
    assert "progress reported on 2025-12-22" in output_of(walkthrough, "ledger progress", index=1)
    assert "completion claimed" in output_of(walkthrough, "ledger claim")
    assert "closed (verified)" in output_of(walkthrough, "ledger verify ", "--as office_verifier")
    shown = output_of(walkthrough, "ledger show")
    assert "2026-01-08 verified by office_verifier" in shown
    assert "item.verify" in shown


def test_step_7_approves_the_deadline_change_and_keeps_the_original(walkthrough):
    assert "awaits approval" in output_of(walkthrough, "ledger request-deadline")
    approved = output_of(walkthrough, "ledger approve")
    assert "due 2026-12-31, originally 2026-09-30, extended 1 time" in approved


def test_step_8_draws_and_records_a_reinspection(walkthrough):
    drawn = output_of(walkthrough, "reinspect draw")
    assert "1 of 1 closed items" in drawn and "check #1: #" in drawn and "(four)" in drawn
    assert "rectification holds" in output_of(walkthrough, "reinspect record")


def test_step_9_lists_red_flags_with_reasons(walkthrough):
    flags = output_of(walkthrough, "ledger flags")
    assert "rectification plan" in flags and "overdue: due on 2025-12-30" in flags
    assert "no_progress_report" in flags
    assert "as of 2026-02-27" in flags
    assert "rectification" in output_of(walkthrough, "--overdue-as-of")
    assert "items written to" in output_of(walkthrough, "ledger export")


def test_step_10_the_history_verifies_with_its_anchor(walkthrough):
    assert output_of(walkthrough, "ledger verify-history").startswith("history OK: ")
    anchored = output_of(walkthrough, "verify-history --anchor")
    assert anchored.startswith("history OK: ") and "the anchor is on the chain" in anchored
