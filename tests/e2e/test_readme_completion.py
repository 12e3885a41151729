"""The README's "Shell completion" lines, taken from README.md and run as written in bash, zsh
and fish (each shell that is installed; zsh and fish are skipped, named, where missing)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import REPO

README = REPO / "README.md"
CECAP = Path(sys.executable).parent / "cecap"
COMMANDS = [
    "audit",
    "audit-factory",
    "check",
    "diff",
    "explain",
    "export",
    "help",
    "history",
    "page",
    "report",
    "results",
    "site-bdiis",
    "sites",
    "snapshot",
    "stances",
    "summary",
    "testlist",
]


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Shell completion\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def the_line(shell: str) -> str:
    """The section's one code line for ``shell`` (it names ``_source`` of that shell)."""
    found = re.findall(rf"^    (.*_CECAP_COMPLETE={shell}_source cecap.*)$", section(), re.M)
    assert len(found) == 1, f"{shell}: {len(found)} lines in the README section"
    return found[0]


def env(home: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CECAP_", "_CECAP"))}
    return {**clean, "HOME": str(home), "PATH": f"{CECAP.parent}{os.pathsep}{clean['PATH']}"}


def shell(program: str, script: str, home: Path) -> subprocess.CompletedProcess[str]:
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} is not installed (apt-get install {program})")
    args = {
        "bash": ["--norc", "--noprofile", "-c"],
        "zsh": ["-f", "-c"],
        "fish": ["--no-config", "-c"],
    }[program]
    done = subprocess.run(
        [path, *args, script], capture_output=True, text=True, env=env(home), timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done


def source(kind: str, home: Path) -> str:
    done = subprocess.run(
        [str(CECAP)], capture_output=True, text=True, timeout=60,
        env={**env(home), "_CECAP_COMPLETE": kind},
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


def test_bash_line_completes_commands_and_choices(tmp_path: Path) -> None:
    script = source("bash_source", tmp_path)
    (tmp_path / "cecap.bash").write_text(script)
    shell("bash", f"bash -n {tmp_path / 'cecap.bash'}", tmp_path)
    # The README's line, then a completion as bash asks for it when Tab is pressed.
    done = shell(
        "bash",
        the_line("bash") + "\n"
        "complete -p cecap\n"
        'COMP_WORDS=(cecap ""); COMP_CWORD=1; _cecap_completion cecap\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
        "COMPREPLY=(); COMP_WORDS=(cecap audit --format l); COMP_CWORD=3\n"
        '_cecap_completion cecap; printf "%s\\n" "${COMPREPLY[@]}"\n',
        tmp_path,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "complete -o nosort -F _cecap_completion cecap"
    commands = len(COMMANDS) + 1
    assert lines[1:commands] == COMMANDS
    # audit's own extra format is offered with the others.
    assert "ldif" in lines[commands:] and "latex" in lines[commands:]


def test_bash_protocol_lists_the_commands(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(CECAP)], capture_output=True, text=True, timeout=60,
        env={**env(tmp_path), "_CECAP_COMPLETE": "bash_complete", "COMP_WORDS": "cecap ",
             "COMP_CWORD": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"plain,{c}" for c in COMMANDS]
    # --bdii takes a snapshot file: the shell completes files there.
    done = subprocess.run(
        [str(CECAP)], capture_output=True, text=True, timeout=60,
        env={**env(tmp_path), "_CECAP_COMPLETE": "bash_complete",
             "COMP_WORDS": "cecap report --bdii exa", "COMP_CWORD": "3"},
    )  # fmt: skip
    assert done.stdout == "file,exa\n"


def test_zsh_line_registers_the_completion(tmp_path: Path) -> None:
    script = source("zsh_source", tmp_path)
    assert script.startswith("#compdef cecap\n")
    (tmp_path / "cecap.zsh").write_text(script)
    shell("zsh", f"zsh -n {tmp_path / 'cecap.zsh'}", tmp_path)
    done = shell(
        "zsh",
        "autoload -Uz compinit && compinit -u -D\n"
        + the_line("zsh")
        + "\nprint -r -- ${_comps[cecap]}",
        tmp_path,
    )
    assert done.stdout == "_cecap_completion\n"


def test_fish_line_completes_commands(tmp_path: Path) -> None:
    assert "complete --no-files --command cecap" in source("fish_source", tmp_path)
    done = shell(
        "fish",
        the_line("fish") + '\ncomplete -C "cecap au"\ncomplete -C "cecap audit --format ld"',
        tmp_path,
    )
    lines = [line.split("\t")[0] for line in done.stdout.splitlines()]
    assert lines == ["audit", "audit-factory", "ldif"]
