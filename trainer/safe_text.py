"""Text from untrusted places (typed lines, pseudonyms, journals, persona and lexicon files) made safe.

- `printable(s)` for terminal output: control characters (C0 except newline and tab, DEL, C1), the bidi
  overrides/isolates that can disguise text, and lone surrogates are shown as visible escapes (`\\x1b`,
  `\\u202e`), so printed text can never retitle, clear or recolour a terminal or hide a link.
- `json_safe(text)` for JSON printed to a terminal: the same characters inside already-dumped JSON become
  `\\uXXXX` escapes (json.dumps escapes C0 itself, but not C1, bidi controls or surrogates); the data is unchanged.
- `clean_typed(s)` for what a trainee types, before it is matched and journaled: control characters except tab
  are dropped, lone surrogates (undecodable input) become U+FFFD, and the line is cut at MAX_TYPED_CHARS.
"""

from __future__ import annotations

import re

MAX_TYPED_CHARS = 2000  # a typed turn; far above any spoken sentence, far below a CSV/Excel cell (32,767)

# C0 controls except \t and \n, DEL, C1 controls, bidi embeddings/overrides/isolates, lone surrogates
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_TYPED_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """`text` as a string that is safe to print to a terminal (see the module docstring)."""
    s = text if isinstance(text, str) else str(text)
    return _UNSAFE.sub(_escape, s) if _UNSAFE.search(s) else s


def json_safe(dumped: str) -> str:
    """Output of json.dumps(ensure_ascii=False) made safe for a terminal; still valid JSON with the same data."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped) if _UNSAFE.search(dumped) else dumped


def clean_typed(text: str) -> str:
    """A typed line as it is kept: no control characters (tab stays), no surrogates, at most MAX_TYPED_CHARS."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    if _TYPED_DROP.search(text):
        text = _TYPED_DROP.sub("", text)
    return text[:MAX_TYPED_CHARS]


def has_surrogates(value: object) -> bool:
    """True when any string inside a parsed JSON value holds a lone surrogate (it cannot be written as UTF-8)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if _SURROGATE.search(v):
                return True
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False
