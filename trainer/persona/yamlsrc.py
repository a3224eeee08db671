"""Untrusted YAML -> plain data plus the source position of every key and value.

Only PyYAML's safe loader is used. We compose the node graph (cheap: aliases are shared, not copied) and build
Python values ourselves with a budget, so "billion laughs" files and recursive aliases are refused in bounded
time and memory. Duplicate keys, which PyYAML silently accepts, are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from trainer.persona.diagnostics import Diagnostic

MAX_BYTES = 1024 * 1024  # a persona of 5,000 nodes is about 1 MB
MAX_VALUES = 200_000  # scalars + collections after alias expansion
MAX_DEPTH = 64

Path = tuple  # of str keys and int indices


@dataclass
class Pos:
    line: int  # 1-based
    col: int  # 1-based
    style: str | None = None  # scalar quote style, to point inside quoted text


@dataclass
class Source:
    file: str
    data: Any = None
    values: dict[Path, Pos] = field(default_factory=dict)
    keys: dict[Path, Pos] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def where(self, path: Path, key: bool = False) -> Pos:
        """Position of a value (or its key), falling back to the nearest enclosing path that has one."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if key and p in self.values:
                return self.values[p]
            p = p[:-1]
            table = self.keys if key else self.values
        return self.values.get((), Pos(1, 1))

    def error(self, path: Path, code: str, message: str, key: bool = False, offset: int = 0,
              severity: str = "error") -> None:
        pos = self.where(path, key)
        col = pos.col
        if offset and not key:
            col += offset + (1 if pos.style in ("'", '"') else 0)
        self.diagnostics.append(Diagnostic(self.file, pos.line, col, code, message, severity))


class _Budget(Exception):
    pass


def _pos(node: yaml.Node) -> Pos:
    mark = node.start_mark
    return Pos(mark.line + 1, mark.column + 1, getattr(node, "style", None))


def read_source(file: str, text: str | None = None) -> Source:
    src = Source(file)
    if text is None:
        try:
            with open(file, "rb") as fh:
                raw = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            src.diagnostics.append(Diagnostic(file, 1, 1, "KM006", f"cannot read file: {exc.strerror or exc}"))
            return src
        if len(raw) > MAX_BYTES:
            src.diagnostics.append(Diagnostic(file, 1, 1, "KM002", f"file is larger than {MAX_BYTES // 1024} KiB"))
            return src
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            src.diagnostics.append(Diagnostic(file, line, col, "KM006", "file is not valid UTF-8 text"))
            return src
    elif len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        src.diagnostics.append(Diagnostic(file, 1, 1, "KM002", f"file is larger than {MAX_BYTES // 1024} KiB"))
        return src

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        src.diagnostics.append(Diagnostic(file, line, col, "KM001", f"YAML syntax error: {problem}"))
        return src
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        mark = getattr(exc, "position", None)
        src.diagnostics.append(Diagnostic(file, 1, (mark or 0) + 1, "KM001", f"YAML error: {exc}"))
        return src
    except RecursionError:
        src.diagnostics.append(Diagnostic(file, 1, 1, "KM003", f"nesting deeper than {MAX_DEPTH} levels"))
        return src

    if root is None:
        src.diagnostics.append(Diagnostic(file, 1, 1, "KM005", "the file is empty; a persona starts with 'id:'"))
        return src
    if not isinstance(root, yaml.MappingNode):
        p = _pos(root)
        src.diagnostics.append(Diagnostic(file, p.line, p.col, "KM005", "a persona file must be a mapping of keys (id:, name:, ...)"))
        return src

    constructor = yaml.SafeLoader("")
    budget = [0]
    try:
        src.data = _build(root, (), src, constructor, budget, 0)
    except _Budget as exc:
        src.data = None
        p = _pos(root)
        src.diagnostics.append(Diagnostic(file, p.line, p.col, "KM003", str(exc)))
    return src


def _build(node: yaml.Node, path: Path, src: Source, constructor, budget: list[int], depth: int) -> Any:
    budget[0] += 1
    if budget[0] > MAX_VALUES:
        raise _Budget(f"the file expands to more than {MAX_VALUES:,} values (aliases that blow up?); refused")
    if depth > MAX_DEPTH:
        raise _Budget(f"nesting deeper than {MAX_DEPTH} levels (recursive alias?); refused")
    src.values.setdefault(path, _pos(node))
    if isinstance(node, yaml.ScalarNode):
        try:
            return constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            p = _pos(node)
            src.diagnostics.append(Diagnostic(src.file, p.line, p.col, "KM012", f"unsupported value: {getattr(exc, 'problem', exc)}"))
            return None
    if isinstance(node, yaml.SequenceNode):
        if node.tag not in ("tag:yaml.org,2002:seq",):
            _bad_tag(node, src)
        return [_build(item, path + (i,), src, constructor, budget, depth + 1) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        if node.tag not in ("tag:yaml.org,2002:map",):
            _bad_tag(node, src)
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                p = _pos(key_node)
                src.diagnostics.append(Diagnostic(src.file, p.line, p.col, "KM001", "merge keys ('<<') are not supported in persona files"))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                p = _pos(key_node)
                src.diagnostics.append(Diagnostic(src.file, p.line, p.col, "KM012", "a key must be a plain word, not a list or mapping"))
                continue
            key = constructor.construct_object(key_node, deep=True) if key_node.tag != "tag:yaml.org,2002:str" else key_node.value
            if not isinstance(key, str):
                key = str(key) if key is not None else "null"
            if key in out:
                p = _pos(key_node)
                first = src.keys.get(path + (key,))
                where = f" (first at line {first.line})" if first else ""
                src.diagnostics.append(Diagnostic(src.file, p.line, p.col, "KM004", f"duplicate key '{key}'{where}"))
                continue
            src.keys[path + (key,)] = _pos(key_node)
            out[key] = _build(value_node, path + (key,), src, constructor, budget, depth + 1)
        return out
    return None


def _bad_tag(node: yaml.Node, src: Source) -> None:
    p = _pos(node)
    src.diagnostics.append(Diagnostic(src.file, p.line, p.col, "KM012", f"unsupported YAML tag {node.tag}"))
