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
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any, Callable

NUMERIC_VARS = ("trust", "motivation", "turns")
STRING_VARS = ("phase",)
FUNCTIONS = {"visited": "node", "picked_up": "cue", "offered": "cue"}
KEYWORDS = ("and", "or", "not", "true", "false")


MAX_LENGTH = 1000  # characters; shipped conditions are under 100, and the check comes before any parsing
MAX_DEPTH = 40  # nested parentheses / 'not': the parser recurses, so deeper input must be refused, not crash
MAX_DIGITS = 6  # a meter is 0-100; turns stay small; int() of a 5,000-digit text raises in Python


@dataclass(frozen=True)
class Problem:
    message: str
    offset: int
    code: str = "KM030"
    repaired: bool = True  # the tokens were corrected, so the suggested fix covers it


class ConditionError(Exception):
    """A condition that does not parse or names something unknown. `offset` is into the source string.

    `problems` holds every problem found in one go (the first is `message`/`offset`/`code`); `fixed` is the
    condition with all of them repaired, when each one had an obvious repair (e.g. `=` -> `==`, quotes around
    a phase name)."""

    def __init__(self, message: str, offset: int, code: str = "KM030", problems: list[Problem] | None = None,
                 fixed: str | None = None):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.code = code
        self.problems = problems or [Problem(message, offset, code)]
        self.fixed = fixed


class _Stop(Exception):
    """A structural problem after which the parser cannot go on."""

    def __init__(self, problem: Problem):
        self.problem = problem


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+)
      | (?P<str>"[^"\n]*"|'[^'\n]*')
      | (?P<open>["'][^\n]*)
      | (?P<op><=|>=|==|!=|=>|=<|&&|\|\||<|>|\(|\)|=|&|\||!)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<bad>\S)
    )""",
    re.VERBOSE,
)
_SYMBOLS = {"&&": "and", "&": "and", "||": "or", "|": "or", "!": "not"}
_DUTCH = {"en": "and", "of": "or", "niet": "not"}


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str
    offset: int


def tokenize(src: str, problems: list[Problem] | None = None) -> list[Tok]:
    """Tokens of a condition. Common slips (`=`, `&&`, an unquoted phase name, ...) are repaired in the tokens
    and recorded in `problems`, so one run reports all of them; without `problems` the first one raises."""
    from trainer.persona.messages import m
    from trainer.vocab import PHASES

    found: list[Problem] = [] if problems is None else problems
    toks: list[Tok] = []
    pos = 0
    while pos < len(src):
        mt = _TOKEN.match(src, pos)
        if not mt or mt.end() == pos:
            break
        pos = mt.end()
        kind = mt.lastgroup
        if kind is None:
            break
        text = mt.group(kind)
        offset = mt.start(kind)
        if kind == "num" and len(text) > MAX_DIGITS:
            found.append(Problem(m("cond_big_number", digits=len(text)), offset, "KM013", repaired=False))
            text = "100"
        elif kind == "open":
            found.append(Problem(m("cond_unclosed"), offset))
            kind, text = "str", text + text[0]
        elif kind == "op" and text in ("=", "=>", "=<"):
            right = {"=": "==", "=>": ">=", "=<": "<="}[text]
            found.append(Problem(m("cond_eq") if text == "=" else m("cond_arrow", right=right, wrong=text), offset))
            text = right
        elif kind == "op" and text in _SYMBOLS:
            found.append(Problem(m("cond_andor", word=_SYMBOLS[text], sym=text), offset))
            kind, text = "name", _SYMBOLS[text]
        elif kind == "name" and text in _DUTCH:
            found.append(Problem(m("cond_dutch_word", word=_DUTCH[text], dutch=text), offset))
            text = _DUTCH[text]
        elif kind == "name" and text.lower() in KEYWORDS and text not in KEYWORDS:
            found.append(Problem(m("cond_case", word=text.lower()), offset))
            text = text.lower()
        elif kind == "name" and text in PHASES:
            found.append(Problem(m("cond_unquoted_phase", word=text), offset))
            kind, text = "str", f'"{text}"'
        elif kind == "name" and toks and toks[-1].text == "(" and len(toks) >= 2 and toks[-2].text in FUNCTIONS:
            found.append(Problem(m("cond_unquoted_arg", fn=toks[-2].text, word=text), offset))
            kind, text = "str", f'"{text}"'
        elif kind == "bad":
            found.append(Problem(m("cond_char", char=text), offset, repaired=False))
            continue
        if problems is None and found:
            raise ConditionError(found[0].message, found[0].offset, found[0].code)
        toks.append(Tok(kind, text, offset))
    toks.append(Tok("end", "", len(src)))
    return toks


def unparse(toks: list[Tok]) -> str:
    """Tokens back to condition text, spaced the way the guide writes conditions."""
    out = ""
    prev = None
    for tok in toks:
        if tok.kind == "end":
            break
        glue = prev is None or prev.text == "(" or tok.text == ")" or (
            tok.text == "(" and prev.kind == "name" and prev.text in FUNCTIONS)
        out += ("" if glue else " ") + tok.text
        prev = tok
    return out


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
    def __init__(self, src: str, toks: list[Tok], problems: list[Problem]):
        self.src = src
        self.toks = toks
        self.i = 0
        self.depth = 0
        self.problems = problems
        self.parsed = Parsed(src, ())

    def peek(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        tok = self.toks[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    def problem(self, message: str, offset: int, code: str = "KM030") -> None:
        self.problems.append(Problem(message, offset, code, repaired=False))

    def stop(self, message: str, offset: int, code: str = "KM030"):
        return _Stop(Problem(message, offset, code, repaired=False))

    def deeper(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.stop(_m("cond_too_deep", n=MAX_DEPTH), offset)

    def expect(self, text: str) -> Tok:
        tok = self.take()
        if tok.text != text:
            found = _m("cond_the_end") if tok.kind == "end" else repr(tok.text)
            raise self.stop(_m("cond_expected", want=repr(text), found=found), tok.offset)
        return tok

    def parse(self) -> Parsed:
        if self.peek().kind == "end":
            raise self.stop(_m("cond_empty"), 0)
        tree = self.parse_or()
        tok = self.peek()
        if tok.kind != "end":
            raise self.stop(_m("cond_trailing", tok=repr(tok.text)), tok.offset)
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
            self.deeper(off)
            inner = self.parse_not()
            self.depth -= 1
            return ("not", inner, off)
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
            if node[0] == "unknown":
                return "unknown"
            if node[0] == "var":
                return "string" if node[1] in STRING_VARS else "number"
            return {"num": "number", "str": "string", "bool": "bool"}.get(node[0], "bool")

        lk, rk = kind(left), kind(right)
        if "unknown" in (lk, rk):
            return  # already reported
        if lk != rk:
            self.problem(_m("cond_mix", a=_m(f"cond_kind_{lk}"), b=_m(f"cond_kind_{rk}")), op.offset)
            return
        if lk != "number" and op.text not in ("==", "!="):
            self.problem(_m("cond_only_numbers", op=op.text), op.offset)
            return
        var, const = (left, right) if left[0] == "var" else (right, left)
        if var[0] == "var" and const[0] in ("num", "str"):
            self.parsed.compares.append((var[1], op.text, const[1], const[-1]))

    def parse_atom(self) -> tuple:
        tok = self.take()
        if tok.kind == "num":
            return ("num", int(tok.text), tok.offset)  # at most MAX_DIGITS digits (tokenize)
        if tok.kind == "str":
            return ("str", tok.text[1:-1], tok.offset)
        if tok.text == "(":
            self.deeper(tok.offset)
            inner = self.parse_or()
            self.expect(")")
            self.depth -= 1
            return inner
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                return ("bool", tok.text == "true", tok.offset)
            if tok.text in KEYWORDS:
                raise self.stop(_m("cond_needs_before", word=tok.text), tok.offset)
            if self.peek().text == "(":
                return self.parse_call(tok)
            if tok.text in NUMERIC_VARS or tok.text in STRING_VARS:
                return ("var", tok.text, tok.offset)
            if tok.text in FUNCTIONS:
                self.problem(_m("cond_needs_arg", fn=tok.text), tok.offset, "KM031")
            else:
                hint = suggest(tok.text, NUMERIC_VARS + STRING_VARS + tuple(FUNCTIONS))
                self.problem(_m("cond_unknown_var", word=tok.text, hint=hint), tok.offset, "KM031")
            return ("unknown", tok.text, tok.offset)
        if tok.kind == "end":
            raise self.stop(_m("cond_early_end"), tok.offset)
        raise self.stop(_m("cond_unexpected", tok=repr(tok.text)), tok.offset)

    def parse_call(self, name: Tok) -> tuple:
        known = name.text in FUNCTIONS
        if not known:
            self.problem(_m("cond_unknown_fn", word=name.text, hint=suggest(name.text, tuple(FUNCTIONS))),
                         name.offset, "KM031")
        self.expect("(")
        arg = self.take()
        if arg.kind != "str":
            raise self.stop(_m("cond_arg", fn=name.text), arg.offset)
        self.expect(")")
        if not known:
            return ("unknown", name.text, name.offset)
        self.parsed.refs.append((name.text, arg.text[1:-1], arg.offset))
        return ("call", name.text, arg.text[1:-1], name.offset)


def _m(key: str, **fields) -> str:
    from trainer.persona.messages import m

    return m(key, **fields)


def suggest(word: str, options) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse(src: str) -> Parsed:
    """Parse a condition; raises ConditionError with an offset into `src` and every problem found."""
    if not isinstance(src, str):
        raise ConditionError(_m("cond_not_text"), 0, "KM012")
    if len(src) > MAX_LENGTH:  # before tokenizing: a huge condition costs nothing to refuse
        raise ConditionError(_m("cond_too_long", n=MAX_LENGTH), 0, "KM015")
    return _parse_cached(src)


@lru_cache(maxsize=4096)
def _parse_cached(src: str) -> Parsed:
    problems: list[Problem] = []
    toks = tokenize(src, problems)
    parser = _Parser(src, toks, problems)
    parsed = None
    try:
        parsed = parser.parse()
    except _Stop as stop:
        problems.append(stop.problem)
    if not problems:
        return parsed
    problems.sort(key=lambda p: p.offset)
    fixed = unparse(toks) if parsed is not None and all(p.repaired for p in problems) else None
    first = problems[0]
    raise ConditionError(first.message, first.offset, first.code, problems, fixed)


def compile_condition(src: str) -> Callable[[Any], bool]:
    """Compile a condition into a closure taking a state object."""
    return _compile(parse(src).tree)


def condition_names(src: str) -> frozenset[str]:
    """The variables and functions a condition reads (e.g. {"trust", "visited"})."""

    def walk(node: tuple):
        if node[0] in ("var", "call"):
            yield node[1]
        for part in node[1:]:
            if isinstance(part, tuple):
                yield from walk(part)

    return frozenset(walk(parse(src).tree))


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
