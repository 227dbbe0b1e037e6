"""Reading the YAML files of a package: bounded in size, strict about keys and aliases.

Rules (every YAML file a package or the suite holds: package.yaml, indicators.yaml,
regions.yaml, the notebook registry):
- At most ``MAX_YAML_BYTES``; UTF-8 (a BOM is allowed).
- A key given twice in one mapping is an error (PyYAML would keep the last silently); merge
  keys (``<<: *base``) may still be overridden, as YAML defines.
- Anchors and aliases are allowed, but the document with every alias expanded may hold at most
  ``MAX_YAML_NODES`` nodes, and an alias may not contain itself: a kilobyte of nested aliases
  (a "billion laughs" document) would otherwise expand to gigabytes wherever it is walked.
- Only the safe YAML types (no Python objects).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from uniontrends.errors import DataError, Problem

MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_NODES = 100_000
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_MESSAGE = 300


class _YamlProblem(Exception):
    """A rule broken while loading; carries the rule, message and 1-based line."""

    def __init__(self, rule: str, message: str, line: int | None):
        super().__init__(message)
        self.rule, self.message, self.line = rule, message, line


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[tuple[str, str], int] = {}
        for key_node, _value in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                continue
            key = (key_node.tag, key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _YamlProblem(
                    "yaml_duplicate_key",
                    f"key {_short(key_node.value)!r} is given twice in one mapping (lines "
                    f"{seen[key]} and {line}); keep one",
                    line,
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _expanded_size(root: Node) -> int:
    """Nodes of the document with aliases expanded (memoised: linear in distinct nodes).

    Raises:
        _YamlProblem: above MAX_YAML_NODES, or an alias that contains itself.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _YamlProblem(
                "yaml_aliases",
                "an alias refers to a node that contains it (a recursive document)",
                node.start_mark.line + 1,
            )
        open_nodes.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            children: list[Node] = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_YAML_NODES:
                raise _YamlProblem(
                    "yaml_aliases",
                    f"the document expands to more than {MAX_YAML_NODES:,} values once its "
                    "aliases (*name) are resolved; write the values out or use fewer aliases",
                    node.start_mark.line + 1,
                )
        open_nodes.discard(key)
        sizes[key] = total
        return total

    return size(root)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text by the module's rules.

    Args:
        text: the document.
        name: the file name used in problem messages.

    Returns:
        The document (None when empty).

    Raises:
        DataError: syntax error, duplicate key, too many expanded aliases, too deep.
    """
    loader = None
    try:
        loader = _StrictLoader(text)  # the reader refuses control characters here already
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)
    except _YamlProblem as problem:
        raise DataError([Problem(name, problem.rule, problem.message, row=problem.line)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(error).split())
        raise DataError(
            [Problem(name, "yaml_syntax", f"cannot parse YAML: {_short(message, _MAX_MESSAGE)}",
                     row=line)]
        ) from None  # fmt: skip
    except RecursionError:
        raise DataError(
            [Problem(name, "yaml_syntax", "the document is nested too deeply to be read")]
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml(path: Path) -> Any:
    """Read a YAML file by the module's rules.

    Args:
        path: the file.

    Returns:
        The document (None when empty).

    Raises:
        DataError: missing, too large, not UTF-8, or breaking a rule of the module.
    """
    if not path.is_file():
        raise DataError([Problem(path.name, "file_missing", f"{path} does not exist")])
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise DataError(
            [
                Problem(
                    path.name,
                    "file_too_large",
                    f"the file has {size:,} bytes, above the limit of {MAX_YAML_BYTES:,} bytes "
                    "for a YAML file",
                )
            ]
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(
            [
                Problem(
                    path.name,
                    "encoding",
                    f"the file is not UTF-8 text (byte {error.start}); save it as UTF-8",
                )
            ]
        ) from None
    return parse_yaml(text, path.name)
