"""The help texts promise only what is built: `datacouple --help`, every command's help and
every option's help, and the CLI reference. The engines offered are exactly the engines the
API runs, and the reference documents each of them."""

from __future__ import annotations

import re

import click

from datacouple.cli import main

from helpers import REPO_ROOT, run_cli


def every_help_text(group: click.Group) -> dict[str, str]:
    texts = {"datacouple": group.help or ""}
    for name, command in group.commands.items():
        texts[name] = command.help or ""
        for param in command.params:
            if isinstance(param, click.Option):
                texts[f"{name} {param.opts[-1]}"] = param.help or ""
    return texts


def test_the_engine_option_offers_the_engines_that_exist():
    from datacouple.profile.api import ENGINES
    from datacouple.profile.spark import engine  # noqa: F401  (built, and importable)

    (option,) = [p for p in main.commands["fingerprint"].params if p.name == "engine"]
    assert tuple(option.type.choices) == ENGINES == ("arrow", "spark")
    assert all(name in option.help for name in ENGINES)
    help_texts = every_help_text(main)
    assert "--engine spark" in help_texts["fingerprint --spark-master"]


def test_top_level_help_lists_exactly_the_commands(tmp_path):
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    listed = re.findall(r"^  (\w+) ", result.stdout.split("Commands:")[1], re.MULTILINE)
    assert sorted(listed) == sorted(main.commands)


def test_the_cli_reference_documents_every_engine():
    text = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "`--engine [arrow\\|spark]`" in text and "`--spark-master" in text
    assert (REPO_ROOT / "docs" / "spark.md").exists()
