"""Untrusted YAML -> plain data plus the source position of every key and value.

Only PyYAML's safe parser is used (libyaml when available). We build Python values from its events ourselves,
with a budget, so "billion laughs" files and recursive aliases are refused in bounded time and memory; aliases
are shared, not copied. Duplicate keys, which PyYAML silently accepts, are reported.

Positions are stored compactly: a path such as ("nodes", 3, "choices", 0, "next") is kept as one string and a
position as one int, because a 1 MiB persona has ~250,000 of them and tuples and objects would each be tracked
by the garbage collector. `Source.where()` turns them back into `Pos`.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from trainer.persona.diagnostics import Diagnostic
from trainer.persona.messages import m

MAX_BYTES = 1024 * 1024  # shipped personas are 30-90 KB; the 5,000-node benchmark persona (terse) just fits
MAX_VALUES = 200_000  # scalars + collections after alias expansion
MAX_DEPTH = 64
MAX_DIGITS = 18  # longer whole numbers are no meter or age; Python refuses int() of more than 4,300 digits
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters a "..." escape can produce

Path = tuple  # of str keys and int indices


@dataclass(slots=True)
class Pos:
    line: int  # 1-based
    col: int  # 1-based
    style: str | None = None  # scalar quote style, to point inside quoted text


_SEP = "\x1f"  # joins path parts into one string key; a control character YAML text practically never has
_STYLES = (None, "'", '"', "|", ">")  # scalar styles; libyaml reports a plain scalar as ""
_STYLE_CODES = {style: code for code, style in enumerate(_STYLES)}


def path_key(path: Path) -> str:
    """The string under which a path's position is stored: () -> "", ("a", 0) -> "\x1fa\x1f0"."""
    return _SEP + _SEP.join(map(str, path)) if path else ""


def _pack(line: int, col: int, style: str | None = None) -> int:
    return (line << 24) | (min(col, 0x1FFFFF) << 3) | _STYLE_CODES.get(style, 0)


def _unpack(packed: int) -> Pos:
    return Pos(packed >> 24, (packed >> 3) & 0x1FFFFF, _STYLES[packed & 7])


@dataclass
class Source:
    file: str
    data: Any = None
    values: dict[str, int] = field(default_factory=dict)  # path_key -> packed position of the value
    keys: dict[str, int] = field(default_factory=dict)  # path_key -> packed position of the key
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: set[str] = field(default_factory=set)  # path keys already reported; the shape check skips them

    def position(self, path: Path, key: bool = False) -> Pos | None:
        """The exact position of a value (or key) at `path`, or None."""
        packed = (self.keys if key else self.values).get(path_key(path))
        return None if packed is None else _unpack(packed)

    def where(self, path: Path, key: bool = False) -> Pos:
        """Position of a value (or its key), falling back to the nearest enclosing path that has one."""
        k = path_key(path)
        while k:
            if key and k in self.keys:
                return _unpack(self.keys[k])
            if k in self.values:
                return _unpack(self.values[k])
            k = k[: k.rfind(_SEP)]
        return _unpack(self.values[""]) if "" in self.values else Pos(1, 1)

    def at(self, path: Path, code: str, message: str, key: bool = False, offset: int = 0,
           severity: str = "error") -> Diagnostic:
        """A diagnostic pointing at a value (or its key); `offset` points inside a one-line text value."""
        pos = self.where(path, key)
        col = pos.col
        if offset and not key:
            col += offset + (1 if pos.style in ("'", '"') else 0)
        return Diagnostic(self.file, pos.line, col, code, message, severity)

    def error(self, path: Path, code: str, message: str, key: bool = False, offset: int = 0,
              severity: str = "error") -> None:
        self.diagnostics.append(self.at(path, code, message, key, offset, severity))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects that form no cycles.

    Parsing a 1 MiB persona creates ~200,000 event objects; the collector would rescan them again and again,
    which made validation three times slower. Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Budget(Exception):
    def __init__(self, message: str, pos: Pos):
        super().__init__(message)
        self.pos = pos


# libyaml's parser when PyYAML was built with it (about 10x faster); the pure-Python one otherwise. Both give
# the same events and positions; the wording of syntax errors differs, and libyaml is slightly more lenient
# (it accepts "{text: Echt?, ...}", PyYAML wants the "?" text quoted).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _pos(node_or_event) -> Pos:
    mark = node_or_event.start_mark
    return Pos(mark.line + 1, mark.column + 1, getattr(node_or_event, "style", None))


def explain_syntax(exc, text: str) -> tuple[int, int, str]:
    """(line, col, message) for a YAML syntax error, saying what the trainer did rather than what the parser
    expected: a tab, a line indented too far, a colon in unquoted text, a quote never closed, ..."""
    problem = str(exc.problem or exc.context or "")
    context = str(exc.context or "")
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.split("\n")
    cur = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = len(cur) - len(cur.lstrip(" \t"))
    if exc.context_mark and "quoted scalar" in context and "end of stream" in problem:
        # the file ended inside quotes: the useful place is where the quote opened, not the end of the file
        return exc.context_mark.line + 1, exc.context_mark.column + 1, m("yaml_unclosed_quote")
    if "tab" in problem or "\\t" in problem or "\t" in cur[:indent] or cur[col - 1:col] == "\t":
        tab = cur.find("\t")
        return line, (tab + 1 if tab >= 0 else col), m("yaml_tab")
    if "cannot start any token" in problem and cur[col - 1:col]:
        return line, col, m("yaml_start_char", char=cur[col - 1])
    if "mapping values are not allowed" in problem:
        before = cur[: col - 1]
        key = re.match(r"\s*(?:-\s+)?([^\s:#'\"][^:#]*?):\s+\S", before)
        if key:
            value = cur[key.end() - 1:].strip().replace('"', "'")
            return line, col, m("yaml_colon", key=key.group(1), value=value)
        return line, col, m("yaml_indent_more")
    if "escape" in problem:
        return line, col, m("yaml_escape")
    if "could not find expected ':'" in problem:
        if exc.context_mark:
            line, col = exc.context_mark.line + 1, exc.context_mark.column + 1
        return line, col, m("yaml_no_colon")
    if "flow" in context or "','" in problem:
        return line, col, m("yaml_flow")
    if "expected <block end>" in problem or "expected '-'" in problem or "expected key" in problem:
        if col - 1 > indent and any(q in cur[indent: col - 1] for q in "\"'"):
            return line, col, m("yaml_quote_inside")
        return line, indent + 1, m("yaml_indent")
    return line, col, m("yaml_other", problem=problem or "invalid YAML")


def read_source(file: str, text: str | None = None) -> Source:
    with gc_paused():
        return _read_source(file, text)


def _read_source(file: str, text: str | None) -> Source:
    src = Source(file)
    if text is None:
        try:
            with open(file, "rb") as fh:
                raw = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            src.diagnostics.append(Diagnostic(file, 1, 1, "KM006", m("cannot_read", why=exc.strerror or exc)))
            return src
        if len(raw) > MAX_BYTES:
            src.diagnostics.append(Diagnostic(file, 1, 1, "KM002", m("too_big", kib=MAX_BYTES // 1024)))
            return src
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            src.diagnostics.append(Diagnostic(file, line, col, "KM006", m("not_utf8")))
            return src
    elif len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        src.diagnostics.append(Diagnostic(file, 1, 1, "KM002", m("too_big", kib=MAX_BYTES // 1024)))
        return src

    try:
        # Events, not yaml.compose: composing resolves every scalar in Python and is 5x slower. The event list is
        # linear in the file size (an alias is one event), and a syntax error anywhere is reported before any
        # other problem, as a trainer expects.
        events = list(yaml.parse(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        line, col, message = explain_syntax(exc, text)
        src.diagnostics.append(Diagnostic(file, line, col, "KM001", message))
        return src
    except yaml.reader.ReaderError as exc:  # a control character in the text
        at = max(0, min(int(exc.position or 0), len(text)))
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        src.diagnostics.append(Diagnostic(file, line, col, "KM001", m("control_char_file", code=char)))
        return src
    except yaml.YAMLError as exc:
        src.diagnostics.append(Diagnostic(file, 1, 1, "KM001", m("yaml_other", problem=exc)))
        return src
    except RecursionError:
        src.diagnostics.append(Diagnostic(file, 1, 1, "KM003", m("too_deep", depth=MAX_DEPTH)))
        return src

    root_event = next((e for e in events if isinstance(e, _NODE_EVENTS)), None)
    if root_event is None:
        src.diagnostics.append(Diagnostic(file, 1, 1, "KM005", m("empty")))
        return src
    if not isinstance(root_event, yaml.MappingStartEvent):
        p = _pos(root_event)
        src.diagnostics.append(Diagnostic(file, p.line, p.col, "KM005", m("not_mapping")))
        return src
    try:
        src.data = _Builder(src).build(events)
    except _Budget as exc:
        src.data = None
        src.diagnostics.append(Diagnostic(file, exc.pos.line, exc.pos.col, "KM003", str(exc)))
    return src


_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"
_HUGE = object()  # a number far too large to be a meter or an age (reported as KM013)
_COLLECTION_TAGS = (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
# Plain scalars starting with a letter are text, except YAML 1.1's booleans and null (PyYAML's resolver).
_LETTER_WORDS = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF "
                          "null Null NULL".split())
_LETTER_VALUES = {word: (None if word.lower() == "null" else word.lower() in ("yes", "true", "on"))
                  for word in _LETTER_WORDS}
_WHOLE_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")  # what PyYAML reads as exactly int(text)
_NEED_KEY = object()  # a mapping waiting for its next key
_DISCARD = object()  # a mapping waiting for the value of a key that was refused
_OPEN = object()  # an anchor whose collection is still being built


class _Frame:
    """A mapping or sequence being built. `path` is None for a collection that is thrown away."""

    __slots__ = ("value", "path", "is_map", "key", "anchor", "start_count", "height", "is_key")

    def __init__(self, value, path, anchor, start_count, is_key):
        self.value = value
        self.path = path
        self.is_map = isinstance(value, dict)
        self.key = _NEED_KEY
        self.anchor = anchor
        self.start_count = start_count
        self.height = 1
        self.is_key = is_key


class _Builder:
    """Plain Python data from YAML events, recording the position of every key and value.

    A budget on the number of values (counting what aliases expand to, without copying) and on the nesting
    depth refuses "billion laughs" and recursive aliases in time linear in the file size.
    """

    def __init__(self, src: Source):
        self.src = src
        self.scalars = yaml.SafeLoader("")  # resolves and constructs scalars only; it never parses
        self.anchors: dict[str, object] = {}  # name -> (value, size, height), or _OPEN
        self.count = 0
        self.stack: list[_Frame] = []
        self.root = None

    def build(self, events: list) -> dict:
        # The loop handles the bulk of a persona inline (plain words, whole numbers, quoted text and collections
        # without tags or anchors, in places that are kept); anything unusual goes through the methods below.
        # This is most of the time spent validating, hence the local names.
        documents = 0
        stack, values, keys = self.stack, self.src.values, self.src.keys
        scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        letter_values, whole_number, style_codes = _LETTER_VALUES, _WHOLE_NUMBER.fullmatch, _STYLE_CODES
        for ev in events:
            cls = ev.__class__
            if cls is scalar_event:
                top = stack[-1] if stack else None
                if top is None or top.path is None or ev.anchor is not None or ev.tag is not None:
                    self.scalar(ev)
                    continue
                value = ev.value
                if ev.implicit[0]:  # a plain scalar: YAML decides its type
                    if value and value[0].isalpha():
                        value = letter_values.get(value, value)
                    elif len(value) <= MAX_DIGITS and whole_number(value):
                        value = int(value)
                    else:
                        self.scalar(ev)
                        continue
                elif ev.style == '"' and _CONTROL.search(value):
                    self.control(ev, value)
                mark = ev.start_mark
                # _pack inlined; a column always fits its 21 bits because lines are shorter than MAX_BYTES
                packed = ((mark.line + 1) << 24) | ((mark.column + 1) << 3) | style_codes.get(ev.style, 0)
                self.count += 1
                if self.count > MAX_VALUES:
                    self.count_values(0, _unpack(packed))
                if not top.is_map:
                    values[top.path + _SEP + str(len(top.value))] = packed
                    top.value.append(value)
                elif top.key is _NEED_KEY:
                    key = value if value.__class__ is str else "null" if value is None else str(value)
                    if key in top.value:
                        self.add_key(top, key, _unpack(packed))  # a duplicate: reported there
                    else:
                        top.key = key
                        keys[top.path + _SEP + key] = packed
                else:
                    if top.key is not _DISCARD:
                        values[top.path + _SEP + top.key] = packed
                        top.value[top.key] = value
                    top.key = _NEED_KEY
            elif cls is mapping_start or cls is sequence_start:
                top = stack[-1] if stack else None
                if (top is None or top.path is None or ev.anchor is not None or ev.tag is not None
                        or (top.is_map and top.key is _NEED_KEY) or top.key is _DISCARD or len(stack) >= MAX_DEPTH):
                    self.start(ev, {} if cls is mapping_start else [])
                    continue
                path = top.path + _SEP + (top.key if top.is_map else str(len(top.value)))
                mark = ev.start_mark
                packed = ((mark.line + 1) << 24) | ((mark.column + 1) << 3)
                self.count += 1
                if self.count > MAX_VALUES:
                    self.count_values(0, _unpack(packed))
                values[path] = packed
                stack.append(_Frame({} if cls is mapping_start else [], path, None, self.count, False))
            elif cls is mapping_end or cls is sequence_end:
                frame = stack[-1]
                if frame.anchor is not None or frame.is_key or len(stack) == 1:
                    self.end()
                    continue
                stack.pop()
                top = stack[-1]  # deliver the finished collection to its parent (see deliver())
                if frame.height >= top.height:
                    top.height = frame.height + 1
                if not top.is_map:
                    top.value.append(frame.value)
                else:
                    if top.key is not _DISCARD:
                        top.value[top.key] = frame.value
                    top.key = _NEED_KEY
            elif cls is yaml.AliasEvent:
                self.alias(ev)
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.diag(_pos(ev), "KM001", m("second_document"))
                    break
        return self.root

    # --- where a new node goes -------------------------------------------------------------------------------
    def slot(self) -> tuple[object, bool]:
        """(path of the next node or None to discard it, whether it is a mapping key)."""
        if not self.stack:
            return "", False
        top = self.stack[-1]
        if top.path is None:
            return None, top.is_map and top.key is _NEED_KEY
        if not top.is_map:
            return top.path + _SEP + str(len(top.value)), False
        if top.key is _NEED_KEY:
            return None, True
        return (None if top.key is _DISCARD else top.path + _SEP + top.key), False

    def deliver(self, value, height: int) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if height + 1 > top.height:
            top.height = height + 1
        if not top.is_map:
            top.value.append(value)
        else:
            if top.key is not _DISCARD:
                top.value[top.key] = value
            top.key = _NEED_KEY

    def count_values(self, n: int, pos: Pos, height: int = 0) -> None:
        """Count n more values at the current depth; `height` is the nesting inside them (for aliases)."""
        self.count += n
        if self.count > MAX_VALUES:
            raise _Budget(m("too_many_values", n=MAX_VALUES), pos)
        if len(self.stack) + height > MAX_DEPTH:
            raise _Budget(m("too_deep", depth=MAX_DEPTH), pos)

    # --- events ----------------------------------------------------------------------------------------------
    def scalar(self, ev) -> None:
        path, is_key = self.slot()
        pos = Pos(ev.start_mark.line + 1, ev.start_mark.column + 1, ev.style)
        self.count_values(1, pos)
        if is_key:
            self.key(self.stack[-1], ev, pos)
            return
        value = self.construct(ev, pos)
        if value is _HUGE:  # reported; the shape check must not add "must be a whole number, not nothing"
            value = None
            if path is not None:
                self.src.suppressed.add(path)
        if path is not None:
            self.src.values[path] = _pack(pos.line, pos.col, pos.style)
        if ev.anchor is not None:
            self.anchor(ev, (value, 1, 0), pos)
        self.deliver(value, 0)

    def start(self, ev, value) -> None:
        path, is_key = self.slot()
        pos = Pos(ev.start_mark.line + 1, ev.start_mark.column + 1)
        self.count_values(1, pos, 1)
        if ev.tag not in _COLLECTION_TAGS:
            self.diag(pos, "KM012", m("unsupported_tag", tag=ev.tag))
        if is_key:
            self.diag(pos, "KM012", m("key_not_word"))
            self.stack[-1].key = _DISCARD  # and its value is dropped too
        if path is not None:
            self.src.values[path] = _pack(pos.line, pos.col)
        if ev.anchor is not None:
            self.anchor(ev, _OPEN, pos)
        self.stack.append(_Frame(value, path, ev.anchor, self.count, is_key))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, self.count - frame.start_count + 1, frame.height)
        if not frame.is_key:
            self.deliver(frame.value, frame.height)

    def alias(self, ev) -> None:
        path, is_key = self.slot()
        pos = Pos(ev.start_mark.line + 1, ev.start_mark.column + 1)
        target = self.anchors.get(ev.anchor)
        if target is _OPEN:
            raise _Budget(m("recursive_alias", name=ev.anchor), pos)
        if target is None:
            self.diag(pos, "KM001", m("undefined_alias", name=ev.anchor))
            target = (None, 1, 0)
        value, size, height = target
        self.count_values(size, pos, height)  # the shared value counts as often as it is used
        if is_key:
            top = self.stack[-1]
            if isinstance(value, (dict, list)):
                self.diag(pos, "KM012", m("key_not_word"))
                top.key = _DISCARD
            else:
                self.add_key(top, "null" if value is None else str(value), pos)
            return
        if path is not None:
            self.src.values[path] = _pack(pos.line, pos.col)
        self.deliver(value, height)

    # --- keys and scalars ------------------------------------------------------------------------------------
    def key(self, top: _Frame, ev, pos: Pos) -> None:
        if self.tag(ev) == _MERGE_TAG:
            self.diag(pos, "KM001", m("merge_key"))
            top.key = _DISCARD
            return
        key = self.construct(ev, pos)
        if key is _HUGE:
            key = None
        if ev.anchor is not None:
            self.anchor(ev, (key, 1, 0), pos)
        self.add_key(top, key if isinstance(key, str) else "null" if key is None else str(key), pos)

    def add_key(self, top: _Frame, key: str, pos: Pos) -> None:
        if key in top.value:
            first = self.src.keys.get(top.path + _SEP + key) if top.path is not None else None
            where = m("first_at", line=first >> 24) if first else ""
            in_item = top.path is not None and top.path.rsplit(_SEP, 1)[-1].isdigit()
            self.diag(pos, "KM004", m("duplicate_key", key=key, first=where) + (m("dash_forgotten") if in_item else ""))
            top.key = _DISCARD
            return
        top.key = key
        if top.path is not None:
            self.src.keys[top.path + _SEP + key] = _pack(pos.line, pos.col, pos.style)

    def tag(self, ev) -> str:
        tag = ev.tag
        if tag is None or tag == "!":
            if not ev.implicit[0]:
                return _STR_TAG  # quoted or block text
            value = ev.value
            if value and value[0].isalpha() and value not in _LETTER_WORDS:
                return _STR_TAG  # fast path for the common case: words
            return self.scalars.resolve(yaml.ScalarNode, value, ev.implicit)
        return tag

    def construct(self, ev, pos: Pos):
        tag = self.tag(ev)
        if tag == _STR_TAG:
            if ev.style == '"' and _CONTROL.search(ev.value):
                self.control(ev, ev.value)
            return ev.value
        if tag == _INT_TAG and sum(ch.isdigit() for ch in ev.value) > MAX_DIGITS:
            self.diag(pos, "KM013", m("huge_number", digits=sum(ch.isdigit() for ch in ev.value)))
            return _HUGE
        try:
            node = yaml.ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, ev.style)
            return self.scalars.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.diag(pos, "KM012", m("unsupported_value", why=getattr(exc, 'problem', None) or exc))
            return None
        except ValueError:  # e.g. int() of a 5,000-digit number (Python refuses to convert it)
            self.diag(pos, "KM013", m("huge_number", digits=sum(ch.isdigit() for ch in ev.value)))
            return None

    def control(self, ev, value: str) -> None:
        """Text with a control character (written as an escape like "\\e[2J" in double quotes): printed to a
        trainee's or assessor's terminal it could clear or retitle the screen, or disguise a link."""
        char = _CONTROL.search(value).group()
        self.diag(Pos(ev.start_mark.line + 1, ev.start_mark.column + 1), "KM017", m("control_char_text", code=ord(char)))

    def anchor(self, ev, entry, pos: Pos) -> None:
        if ev.anchor in self.anchors:
            self.diag(pos, "KM001", m("anchor_twice", name=ev.anchor))
        self.anchors[ev.anchor] = entry

    def diag(self, pos: Pos, code: str, message: str) -> None:
        self.src.diagnostics.append(Diagnostic(self.src.file, pos.line, pos.col, code, message))
