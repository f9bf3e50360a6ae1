"""The help texts promise only what is built: `datacouple --help`, every command's help and
every option's help, and the CLI reference. DESIGN.md plans a Spark engine; it does not
exist yet, so no help text may offer it."""

from __future__ import annotations

import re

import click

from datacouple.cli import main

from helpers import REPO_ROOT, run_cli

UNBUILT = re.compile(r"\bspark\b", re.IGNORECASE)


def every_help_text(group: click.Group) -> dict[str, str]:
    texts = {"datacouple": group.help or ""}
    for name, command in group.commands.items():
        texts[name] = command.help or ""
        for param in command.params:
            if isinstance(param, click.Option):
                texts[f"{name} {param.opts[-1]}"] = param.help or ""
    return texts


def test_no_help_text_offers_what_is_not_built():
    offers = {where: text for where, text in every_help_text(main).items()
              if UNBUILT.search(text)}
    assert offers == {}


def test_the_engine_option_offers_the_engines_that_exist():
    (engine,) = [p for p in main.commands["fingerprint"].params if p.name == "engine"]
    assert list(engine.type.choices) == ["arrow"]
    assert "only one built" in engine.help


def test_top_level_help_lists_exactly_the_commands(tmp_path):
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    listed = re.findall(r"^  (\w+) ", result.stdout.split("Commands:")[1], re.MULTILINE)
    assert sorted(listed) == sorted(main.commands)
    assert not UNBUILT.search(result.stdout)


def test_the_cli_reference_names_spark_only_as_not_built():
    text = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.search(r"\bspark\b", line, re.IGNORECASE):
            assert "is not" in line or "not built" in line, line
