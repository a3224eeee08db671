"""The condition mini-language of persona files, parsed — never evaluated as Python.

Grammar:
    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := atom (("<" | "<=" | ">" | ">=" | "==" | "!=") atom)?
    atom    := NUMBER | STRING | "true" | "false" | NAME | NAME "(" STRING ")" | "(" expr ")"

Variables: trust, motivation, turns (numbers) and phase (a string). Functions take one string:
visited("node"), picked_up("cue"), offered("cue"). A parsed condition compiles to a plain closure over a
`State`-like object with attributes trust, motivation, turns, phase, visited, picked_up, offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

NUMERIC_VARS = ("trust", "motivation", "turns")
STRING_VARS = ("phase",)
FUNCTIONS = {"visited": "node", "picked_up": "cue", "offered": "cue"}
KEYWORDS = ("and", "or", "not", "true", "false")


class ConditionError(Exception):
    """A condition that does not parse or names something unknown. `offset` is into the source string."""

    def __init__(self, message: str, offset: int, code: str = "KM030"):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.code = code


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+)
      | (?P<str>"[^"\n]*"|'[^'\n]*')
      | (?P<op><=|>=|==|!=|<|>|\(|\))
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<bad>\S)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str
    offset: int


def tokenize(src: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        kind = m.lastgroup
        if kind is None:
            break
        text = m.group(kind)
        offset = m.start(kind)
        if kind == "bad":
            if text == "=":
                raise ConditionError("use '==' to compare, not '='", offset)
            if text == "&" or text == "|":
                raise ConditionError(f"use 'and'/'or' instead of '{text}'", offset)
            raise ConditionError(f"unexpected character {text!r}", offset)
        toks.append(Tok(kind, text, offset))
    toks.append(Tok("end", "", len(src)))
    return toks


# AST nodes are tuples: ("num", n) ("str", s) ("bool", b) ("var", name) ("call", fn, arg)
# ("not", x) ("and", a, b) ("or", a, b) ("cmp", op, a, b). Each node carries its offset last.


@dataclass
class Parsed:
    source: str
    tree: tuple
    # Names the condition refers to, with offsets (for reference checks and the linter).
    refs: list[tuple[str, str, int]] = field(default_factory=list)  # (function, argument, offset)
    compares: list[tuple[str, str, Any, int]] = field(default_factory=list)  # (var, op, value, offset)


class _Parser:
    def __init__(self, src: str):
        self.src = src
        self.toks = tokenize(src)
        self.i = 0
        self.parsed = Parsed(src, ())

    def peek(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> Tok:
        tok = self.take()
        if tok.text != text:
            found = "the end" if tok.kind == "end" else repr(tok.text)
            raise ConditionError(f"expected {text!r} but found {found}", tok.offset)
        return tok

    def parse(self) -> Parsed:
        if self.peek().kind == "end":
            raise ConditionError("empty condition", 0)
        tree = self.parse_or()
        tok = self.peek()
        if tok.kind != "end":
            raise ConditionError(f"unexpected {tok.text!r}; expected 'and', 'or' or the end", tok.offset)
        self.parsed.tree = tree
        return self.parsed

    def parse_or(self) -> tuple:
        left = self.parse_and()
        while self.peek().text == "or":
            off = self.take().offset
            left = ("or", left, self.parse_and(), off)
        return left

    def parse_and(self) -> tuple:
        left = self.parse_not()
        while self.peek().text == "and":
            off = self.take().offset
            left = ("and", left, self.parse_not(), off)
        return left

    def parse_not(self) -> tuple:
        if self.peek().text == "not":
            off = self.take().offset
            return ("not", self.parse_not(), off)
        return self.parse_compare()

    def parse_compare(self) -> tuple:
        left = self.parse_atom()
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("<", "<=", ">", ">=", "==", "!="):
            self.take()
            right = self.parse_atom()
            self.check_compare(tok, left, right)
            return ("cmp", tok.text, left, right, tok.offset)
        return left

    def check_compare(self, op: Tok, left: tuple, right: tuple) -> None:
        def kind(node: tuple) -> str:
            if node[0] == "var":
                return "string" if node[1] in STRING_VARS else "number"
            return {"num": "number", "str": "string", "bool": "bool"}.get(node[0], "bool")

        lk, rk = kind(left), kind(right)
        if lk != rk:
            raise ConditionError(f"cannot compare a {lk} with a {rk}", op.offset)
        if lk != "number" and op.text not in ("==", "!="):
            raise ConditionError(f"'{op.text}' only compares numbers", op.offset)
        var, const = (left, right) if left[0] == "var" else (right, left)
        if var[0] == "var" and const[0] in ("num", "str"):
            self.parsed.compares.append((var[1], op.text, const[1], const[-1]))

    def parse_atom(self) -> tuple:
        tok = self.take()
        if tok.kind == "num":
            return ("num", int(tok.text), tok.offset)
        if tok.kind == "str":
            return ("str", tok.text[1:-1], tok.offset)
        if tok.text == "(":
            inner = self.parse_or()
            self.expect(")")
            return inner
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                return ("bool", tok.text == "true", tok.offset)
            if tok.text in KEYWORDS:
                raise ConditionError(f"'{tok.text}' needs something before it", tok.offset)
            if self.peek().text == "(":
                return self.parse_call(tok)
            if tok.text in NUMERIC_VARS or tok.text in STRING_VARS:
                return ("var", tok.text, tok.offset)
            if tok.text in FUNCTIONS:
                raise ConditionError(f"{tok.text} needs an argument: {tok.text}(\"...\")", tok.offset, "KM031")
            raise ConditionError(
                f"unknown variable '{tok.text}'{suggest(tok.text, NUMERIC_VARS + STRING_VARS + tuple(FUNCTIONS))}; "
                "known: trust, motivation, turns, phase",
                tok.offset,
                "KM031",
            )
        if tok.kind == "end":
            raise ConditionError("condition ends too early", tok.offset)
        raise ConditionError(f"unexpected {tok.text!r}", tok.offset)

    def parse_call(self, name: Tok) -> tuple:
        if name.text not in FUNCTIONS:
            raise ConditionError(
                f"unknown function '{name.text}'{suggest(name.text, tuple(FUNCTIONS))}; "
                "known: visited, picked_up, offered",
                name.offset,
                "KM031",
            )
        self.expect("(")
        arg = self.take()
        if arg.kind != "str":
            raise ConditionError(f"{name.text}() takes one quoted id, e.g. {name.text}(\"id\")", arg.offset)
        self.expect(")")
        self.parsed.refs.append((name.text, arg.text[1:-1], arg.offset))
        return ("call", name.text, arg.text[1:-1], name.offset)


def suggest(word: str, options) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse(src: str) -> Parsed:
    """Parse a condition; raises ConditionError with an offset into `src`."""
    if not isinstance(src, str):
        raise ConditionError("a condition must be text", 0, "KM012")
    return _Parser(src).parse()


def compile_condition(src: str) -> Callable[[Any], bool]:
    """Compile a condition into a closure taking a state object."""
    return _compile(parse(src).tree)


def _compile(node: tuple) -> Callable[[Any], Any]:
    kind = node[0]
    if kind in ("num", "str", "bool"):
        value = node[1]
        return lambda s: value
    if kind == "var":
        name = node[1]
        return lambda s: getattr(s, name)
    if kind == "call":
        fn, arg = node[1], node[2]
        attr = {"visited": "visited", "picked_up": "picked_up", "offered": "offered"}[fn]
        return lambda s: arg in getattr(s, attr)
    if kind == "not":
        inner = _compile(node[1])
        return lambda s: not inner(s)
    if kind == "and":
        a, b = _compile(node[1]), _compile(node[2])
        return lambda s: bool(a(s)) and bool(b(s))
    if kind == "or":
        a, b = _compile(node[1]), _compile(node[2])
        return lambda s: bool(a(s)) or bool(b(s))
    if kind == "cmp":
        op, a, b = node[1], _compile(node[2]), _compile(node[3])
        import operator

        fn = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
              "==": operator.eq, "!=": operator.ne}[op]
        return lambda s: fn(a(s), b(s))
    raise AssertionError(kind)
