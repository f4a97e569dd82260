"""Issue 17 item 5: `config --deck` and `optimize --deck` over a deck tree, as every other
command reads --deck: a parent (a deck of its own or not) includes the decks under it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from loopdrill.cli import cli
from loopdrill.core.options import OptionError
from loopdrill.services import config
from loopdrill.services import optimize as opt
from loopdrill.store.history import fit_rows
from loopdrill.store.settings import get_meta
from tests.services.test_optimize import NOW, history, make_decks


@pytest.fixture
def tree(db: Database) -> Database:
    make_decks(db, {"lang::a": 90, "lang::b": 90, "language": 5})
    history(db, "lang::a", 90, 7)
    history(db, "lang::b", 90, 7, seed=6)
    history(db, "language", 5, 3, seed=9)
    return db


def test_optimize_a_parent_fits_its_decks_reviews_and_applies_to_each(tree: Database) -> None:
    rows = {deck: len(list(fit_rows(tree, deck))) for deck in ("lang", "lang::a", "lang::b")}
    assert rows["lang"] == rows["lang::a"] + rows["lang::b"] > 0  # not `language`'s
    report = opt.fit(tree, NOW, "lang")  # `lang` is no deck itself: its tree is
    assert report.deck == "lang" and report.fitted is not None
    assert report.cards == 180 and report.reviews > opt.fit(tree, NOW, "lang::a").reviews
    changed = opt.apply(tree, NOW, report, backup_dir=None)
    assert changed.cards == 180
    for deck in ("lang::a", "lang::b"):
        assert json.loads(get_meta(tree, f"parameters:{deck}") or "[]") == report.fitted
    assert get_meta(tree, "parameters:lang") is None and get_meta(tree, "parameters") is None
    assert get_meta(tree, "parameters:language") is None
    with pytest.raises(opt.OptimizeError, match="no deck named 'lan'"):
        opt.fit(tree, NOW, "lan")


def test_config_of_a_parent_sets_and_unsets_each_deck_under_it(tree: Database) -> None:
    assert config.deck_scope(tree, "lang") == ["lang::a", "lang::b"]
    config.set_value(tree, "desired_retention", "0.85", "lang")
    assert [config.options_for(tree, d).desired_retention
            for d in ("lang::a", "lang::b", "language")] == [0.85, 0.85, 0.9]
    assert config.unset_value(tree, "desired_retention", "lang")
    assert config.options_for(tree, "lang::b").desired_retention == 0.9
    assert not config.unset_value(tree, "desired_retention", "lang")
    with pytest.raises(OptionError, match="no deck named 'lan'"):
        config.set_value(tree, "desired_retention", "0.85", "lan")
    with pytest.raises(OptionError, match="'lang' is not a deck itself; its decks are "
                                          "lang::a, lang::b"):
        config.describe(tree, "lang")


def test_config_cli_over_a_tree(db_path: Path, tmp_path: Path) -> None:
    for slug in ("lang::a", "lang::b"):
        name = slug.replace("::", "-")
        (tmp_path / f"{name}.yaml").write_text(
            f"deck: {slug}\ntitle: {slug}\nitems:\n  - {{id: x, front: q, back: a}}\n")
    run = CliRunner().invoke
    assert run(cli, ["import", str(tmp_path / "lang-a.yaml"),
                     str(tmp_path / "lang-b.yaml")]).exit_code == 0
    result = run(cli, ["config", "--deck", "lang", "new_per_day", "7"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "new_per_day = 7 (decks lang::a, lang::b)"
    shown = run(cli, ["config", "--deck", "lang", "new_per_day"]).output.splitlines()
    assert shown == ["lang::a: 7 (deck)", "lang::b: 7 (deck)"]
    listing = run(cli, ["config", "--deck", "lang"]).output
    assert "deck lang::a:" in listing and "deck lang::b:" in listing
    single = run(cli, ["config", "--deck", "lang::a", "new_per_day"]).output
    assert single.strip() == "7 (deck)"
