"""`?`: every key of the screen underneath, read from the same binding declarations the
footer and the command palette use (the screen's active bindings, app keys included)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def key_table(screen: Screen[object]) -> Table:
    """Key and what it does, one row per action (keys that share it joined): the screen's
    BINDINGS, then the app's, as the footer and palette declare them; a key that does not
    apply right now (check_action) is marked so."""
    rows: dict[str, tuple[list[str], str, bool]] = {}
    declared = [(screen, b) for b in screen.BINDINGS] + [(screen.app, b)
                                                          for b in screen.app.BINDINGS]
    for node, binding in declared:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        name = binding.action.partition("(")[0]
        enabled = bool(node.check_action(name, ())) if node is screen else True
        shown = binding.key_display or " ".join(
            screen.app.get_key_display(Binding(k, binding.action)) for k in binding.key.split(","))
        keys, description, before = rows.get(binding.action, ([], binding.description, False))
        if shown not in keys:
            keys.append(shown)
        rows[binding.action] = (keys, description, before or enabled)
    table = Table(show_header=True, box=None, padding=(0, 2))
    table.add_column("key", style="bold")
    table.add_column("does")
    for keys, description, enabled in rows.values():
        table.add_row(" ".join(keys), description if enabled else f"{description} (not now)",
                      style="" if enabled else "dim")
    return table


class HelpScreen(ModalScreen[None]):
    """The keys of the screen it was opened on."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(f"Keys: {type(self.under).__name__.removesuffix('Screen')}",
                         id="help-title")
            yield Static(key_table(self.under), id="help-keys")
            yield Static("Esc, q or ? closes.", id="help-foot")

    def action_close(self) -> None:
        self.dismiss(None)
