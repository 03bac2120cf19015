"""One option table: every spec command's options, their --help, the flags reader and suggestions come from it."""

from __future__ import annotations

import re

import pytest

from lrviz.spec.flagtable import CURVE, OPTIONS

SPEC_COMMANDS = ["plot", "compare", "export", "check", "search", "explore"]


def _help(cli, command: str) -> str:
    result = cli(command, "--help")
    assert result.code == 0
    return result.out


@pytest.mark.parametrize("command", SPEC_COMMANDS)
def test_options_show_the_kind_of_value_they_take(cli, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "160")
    text = _help(cli, command)
    assert "<str>" not in text  # every option that takes a value says what kind
    if command in ("plot", "compare", "explore", "search"):
        assert re.search(r"--dpi +FLOAT ", text)
    if command != "compare":
        assert re.search(r"--steps +INTEGER ", text)


@pytest.mark.parametrize("command", ["plot", "export", "check", "explore"])
def test_every_spec_command_takes_every_curve_option(cli, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "160")
    text = _help(cli, command)
    for name in CURVE:
        assert OPTIONS[name].flag in text, (command, name)


def test_check_takes_title_like_the_other_commands(cli):
    result = cli("check", "cosine", "--t-max", "100", "--title", "x")
    assert result.code == 0, result.err
    assert "did you mean" not in result.err


def test_a_misspelt_curve_option_gets_a_suggestion(cli):
    result = cli("plot", "cosine", "--t-max", "5", "--optimzer", "adam", "--no-save")
    assert result.code == 2
    assert result.err == "Error: --optimzer: unknown option for CosineAnnealingLR; did you mean '--optimizer'?\n"


def test_an_unknown_switch_at_the_end_is_an_unknown_option_not_a_missing_value(cli):
    result = cli("plot", "cosine", "--t-max", "5", "--no-color")
    assert (result.code, result.err) == (2, "Error: --no-color: unknown option\n")
    misspelt = cli("plot", "cosine", "--t-max", "5", "--t-maxx")
    assert misspelt.err == "Error: --t-maxx: unknown option; did you mean '--t-max'?\n"


def test_a_known_flag_at_the_end_still_needs_its_value(cli):
    result = cli("plot", "cosine", "--t-max")
    assert (result.code, result.err) == (2, "Error: --t-max: expected a value after it\n")


def test_onecycle_keeps_its_own_steps_per_epoch(cli):
    result = cli("plot", "onecycle", "--max-lr", "0.1", "--epochs", "10", "--steps-per-epoch", "100", "--no-save", "-q")
    assert result.code == 0, result.err
