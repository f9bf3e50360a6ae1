"""docs/cli.md against the real click command tree: every command has its section, every
option and argument of a command is named in that command's section, and no section documents
a command that no longer exists."""

from __future__ import annotations

import re

import click
import pytest

from datacouple.cli import main

from helpers import REPO_ROOT

REFERENCE = REPO_ROOT / "docs" / "cli.md"
GLOBAL_SECTION = "Global options"


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    """Every command of the tree by its full name ("diff", or "group sub" when nested)."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        found[full] = command
        if isinstance(command, click.Group):
            found.update(_commands(command, f"{full} "))
    return found


def _sections(markdown: str) -> dict[str, str]:
    """The text under each `## ` heading, by heading; table-escaped pipes read as pipes."""
    sections: dict[str, str] = {}
    heading = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            sections[heading] = ""
        elif heading is not None:
            sections[heading] += line.replace("\\|", "|") + "\n"
    return sections


def _mentions(text: str, token: str) -> bool:
    """`token` as a whole word of the text: `-o` is not found inside `--output`."""
    return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text) is not None


def _names(param: click.Parameter) -> list[str]:
    """What a user types or reads in the usage line: option strings, an argument's metavar."""
    if isinstance(param, click.Option):
        return [*param.opts, *param.secondary_opts]
    return [param.metavar or param.name.upper()]


COMMANDS = _commands(main)
SECTIONS = _sections(REFERENCE.read_text(encoding="utf-8"))
DOCUMENTED = {heading.removeprefix("datacouple ") for heading in SECTIONS
              if heading.startswith("datacouple ")}


def test_the_tree_is_not_empty():
    assert len(COMMANDS) >= 10, sorted(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_and_argument_is_in_its_section(name: str):
    command = COMMANDS[name]
    section = SECTIONS.get(f"datacouple {name}")
    assert section is not None, f"docs/cli.md has no '## datacouple {name}' section"
    assert f"datacouple {name}" in section, f"{name}: no usage line in its section"
    missing = [token for param in command.params for token in _names(param)
               if not _mentions(section, token)]
    assert not missing, f"docs/cli.md '## datacouple {name}' does not mention {missing}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_choice_and_shown_default_is_in_its_section(name: str):
    section = SECTIONS.get(f"datacouple {name}", "")
    missing = []
    for param in COMMANDS[name].params:
        if not isinstance(param, click.Option):
            continue
        if isinstance(param.type, click.Choice):
            missing += [str(choice) for choice in param.type.choices
                        if not _mentions(section, str(choice))]
        shown = param.show_default and not param.is_flag and param.default is not None
        if shown and not _mentions(section, str(param.default)):
            missing.append(str(param.default))
    assert not missing, f"docs/cli.md '## datacouple {name}' does not mention {missing}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_and_exit_codes(name: str):
    command = COMMANDS[name]
    assert (command.help or "").strip(), f"{name} has no docstring/help"
    assert "Exit codes" in SECTIONS.get(f"datacouple {name}", ""), f"{name}: no exit codes"


def test_no_section_documents_a_command_that_does_not_exist():
    assert not DOCUMENTED - COMMANDS.keys(), (
        f"docs/cli.md documents commands that do not exist: {sorted(DOCUMENTED - COMMANDS.keys())}"
    )


def test_the_global_options_are_documented():
    section = SECTIONS.get(GLOBAL_SECTION)
    assert section is not None, f"docs/cli.md has no '## {GLOBAL_SECTION}' section"
    tokens = [token for param in main.params for token in _names(param)]
    assert "--version" in tokens
    missing = [token for token in [*tokens, "--help"] if not _mentions(section, token)]
    assert not missing, f"docs/cli.md '## {GLOBAL_SECTION}' does not mention {missing}"
    assert (main.help or "").strip()
