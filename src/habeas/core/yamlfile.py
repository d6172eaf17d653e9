"""Read a YAML file keeping the line of every key and item, so an error can name where it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass
class LocatedYaml:
    """The plain data of a YAML document, and the line (1-based) of every path in it.

    Paths look like ``facility.units[2].cells[0].bunks``.
    """

    data: Any
    lines: dict[str, int]

    def line_of(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            # Fall back to the nearest enclosing key that exists.
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


class YamlSyntaxError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _convert(node: yaml.Node, path: str, lines: dict[str, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(yaml.safe_load(yaml.serialize(key_node)))
            child = f"{path}.{key}" if path else key
            out[key] = _convert(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, f"{path}[{i}]", lines) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def load(text: str) -> LocatedYaml:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise YamlSyntaxError(str(exc.problem or exc), mark.line + 1 if mark else None) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), None) from exc
    lines: dict[str, int] = {}
    data = _convert(node, "", lines) if node is not None else None
    return LocatedYaml(data=data, lines=lines)
