"""README stays true: the two commands, every setting, every launcher command it names."""

from __future__ import annotations

import re
from pathlib import Path

from run import main
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_come_first() -> None:
    first_block = README.split("```")[1]
    assert "./crm up" in first_block and "./crm test" in first_block
    assert (ROOT / "crm").stat().st_mode & 0o111 and (ROOT / ".ci" / "run").stat().st_mode & 0o111


def test_every_setting_is_documented() -> None:
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in README]
    assert not missing, f"README's configuration table lacks {missing}"


def test_every_launcher_command_named_exists(capsys) -> None:  # noqa: ANN001
    named = set(re.findall(r"run\.py (\w+)", README))
    assert {"up", "migrate", "demo", "admin", "token"} <= named
    for command in named:
        try:
            main([command, "--help"])
        except SystemExit as done:  # argparse prints the help and exits 0
            assert done.code == 0, command
    assert "usage: run.py" in capsys.readouterr().out
