"""The YAML loader for deck files from strangers: PyYAML's safe loader (libyaml's when
present) whose scalar constructors fail with a YAML error naming the line, and which refuses
anchors and aliases before anything is built (an alias bomb expands to billions of values)."""

from __future__ import annotations

from typing import Any

import yaml

from loopdrill.core.model import DeckError, Problem
from loopdrill.core.text import shown

# libyaml's parser (in PyYAML's wheels) when present: the same documents and marks, five to
# ten times faster than the pure-Python one
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SCALAR_TAGS = ("int", "float", "bool", "null", "timestamp", "binary", "str")


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """The safe loader whose scalar constructors fail with a YAML error naming the line
    (`as_of: 2026-13-45`, `!!float abc`, a 5,000-digit integer), not a Python exception."""


def _guarded(construct: Any) -> Any:
    def guarded(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, AttributeError, OverflowError, IndexError, KeyError):
            kind = str(node.tag).rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown(node.value, 60)} is not a valid {kind}",
                node.start_mark) from None
    return guarded


for _tag in SCALAR_TAGS:
    _name = f"tag:yaml.org,2002:{_tag}"
    _Loader.add_constructor(_name, _guarded(_BASE.yaml_constructors[_name]))
_LOADER = _Loader


def load_yaml(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """The document's value and its node (for line numbers); DeckError naming the line when
    it is not valid YAML or uses an alias."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _refuse_aliases(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise DeckError([Problem(name, line, f"not valid YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise DeckError([Problem(name, 0, f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return data, node


def _refuse_aliases(root: yaml.Node) -> None:
    """A node reached twice is an alias (`*x`): refused, since a deck has no use for them and
    nine levels of nine aliases expand to billions of values (a cycle never ends)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise yaml.MarkedYAMLError(problem="anchors and aliases (&name, *name) are not "
                                       "allowed in a deck file", problem_mark=node.start_mark)
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
