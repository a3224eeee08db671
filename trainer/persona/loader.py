"""Load a persona file: YAML -> typed `Persona`, with every problem reported as a positioned diagnostic.

Three passes, all run so that a trainer sees every error of a file at once:
1. `yamlsrc.read_source`: syntax, size, aliases, duplicate keys;
2. pydantic validation of the shape (unknown keys, types, ranges, required fields; `trainer.persona.shape`);
3. `semantics.check`: ids, references and conditions, done on the raw data so it runs even when 2 failed.

`load_persona` first asks the cache of validated personas (`trainer.persona.cache`): a file whose exact bytes
passed before is not parsed or validated again. The parser, pydantic and the checks are therefore imported only
when a file is really checked (inside the functions below), which keeps them off the start of `trainer play`.
"""

from __future__ import annotations

import hashlib
import types
import typing
from dataclasses import dataclass
from pathlib import Path

from trainer.persona.diagnostics import Diagnostic, PersonaError
from trainer.persona.messages import did_you_mean, m, place
from trainer.persona.model import Persona
from trainer.vocab import CATEGORIES, MI_CODES, PHASES

if typing.TYPE_CHECKING:
    from trainer.persona.yamlsrc import Source


@dataclass(frozen=True)
class LoadedPersona:
    persona: Persona
    path: str
    content_hash: str  # sha256 of the file's bytes, recorded in journals and exports


@dataclass(frozen=True)
class Checked:
    persona: Persona | None  # None when there are errors
    diagnostics: list[Diagnostic]  # sorted
    source: Source  # the raw data with the position of every key and value (for lint and graph)


def check_source(file: str, text: str | None = None) -> Checked:
    """Validate a persona file (or given text), keeping the parsed source for tools that need positions."""
    from trainer.persona import semantics
    from trainer.persona.yamlsrc import gc_paused, read_source

    with gc_paused():  # validation builds ~10 objects per line of YAML; see yamlsrc.gc_paused
        src = read_source(file, text)
        persona = None
        if src.data is not None:
            persona = _validate_shape(src)
            semantics.check(src)
    diags = sorted(set(src.diagnostics))
    if any(d.is_error for d in diags):
        persona = None
    return Checked(persona, diags, src)


def check_text(file: str, text: str | None = None) -> tuple[Persona | None, list[Diagnostic]]:
    """Validate a persona file (or given text). Returns the model (None on errors) and sorted diagnostics."""
    checked = check_source(file, text)
    return checked.persona, checked.diagnostics


def load_persona(path: str | Path) -> LoadedPersona:
    """Load and validate; raises PersonaError with all diagnostics when the file is not valid. A file whose
    exact bytes passed before comes from the cache of validated personas (see trainer.persona.cache)."""
    from trainer.persona import cache

    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PersonaError([Diagnostic(path, 1, 1, "KM006", m("cannot_read", why=exc.strerror or exc))]) from None
    content_hash = hashlib.sha256(raw).hexdigest()
    entry = cache.entry(raw)
    persona = entry.read() if entry else None
    if persona is not None:
        return LoadedPersona(persona, path, content_hash)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None  # let check_text report it with a position
    persona, diags = check_text(path, text)
    if persona is None:
        raise PersonaError([d for d in diags if d.is_error] or diags)
    if entry:
        entry.write(persona)  # only a file without errors is kept
    return LoadedPersona(persona, path, content_hash)


# --- pass 2: shape -------------------------------------------------------------------------------------------

def _validate_shape(src: Source) -> Persona | None:
    from pydantic import ValidationError

    from trainer.persona import model, shape

    try:
        return model.from_data(shape.Persona.model_validate(src.data).model_dump())
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            _report(src, err)
        return None


_TYPE_KEYS = {"str": "type_text", "string": "type_text", "int": "type_int", "bool": "type_bool", "list": "type_list", "dict": "type_dict",
              "NoneType": "type_none", "float": "type_float"}


_DUTCH_KEYS = {"vertrouwen": "trust", "motivatie": "motivation", "tekst": "text", "volgende": "next",
               "keuzes": "choices", "zegt": "say", "naam": "name", "leeftijd": "age", "effecten": "effects",
               "als": "if", "voorwaarde": "if", "feiten": "facts", "bronnen": "sources", "aflopen": "endings"}


def _type_name(name: str) -> str:
    return m(_TYPE_KEYS[name]) if name in _TYPE_KEYS else name


def _report(src: Source, err: dict) -> None:
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if loc and loc[-1] == "[key]":  # a dict key that is not allowed (phase, category)
        path = loc[:-2] + (loc[-2],)
        _report_key(src, path, str(loc[-2]))
        return
    from trainer.persona.yamlsrc import path_key

    path = _file_path(src.data, loc)
    if path_key(path) in src.suppressed:
        return  # the reader already said what is wrong with this value (e.g. a 5,000-digit number)
    field = next((p for p in reversed(path) if isinstance(p, str)), "value")
    where = place(src.data, path)
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1])
        hint = did_you_mean(str(path[-1]), allowed)
        dutch = _DUTCH_KEYS.get(str(path[-1]))
        if dutch in allowed:  # 'vertrouwen:' for 'trust:'
            hint = m("did_you_mean", word=dutch)
        listed = m("allowed_keys", keys=", ".join(allowed)) if allowed and not hint else ""
        src.error(path, "KM010", m("unknown_key", key=path[-1], hint=hint, where=where) + listed, key=True)
    elif kind == "missing":
        src.error(path[:-1], "KM011", m("missing", field=path[-1], where=place(src.data, path[:-1])), key=True)
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        lo, hi = _range_of(field, path)
        src.error(path, "KM013", m("range", field=field, value=value, lo=lo, hi=hi, where=where))
    elif kind == "literal_error":
        expected = _literal_options(field, path)
        code, what = {"codes": ("KM026", "what_mi_code"), "difficulty": ("KM014", "what_difficulty"),
                      "kind": ("KM014", "what_cue_kind"), "format": ("KM014", "what_format")}.get(field, ("KM014", None))
        hint = did_you_mean(str(value), expected)
        if code == "KM026":  # a Dutch name ('vraag', 'bevestiging') names its code
            from trainer.i18n import MI_LABELS

            by_label = [c for c, names in MI_LABELS.items() if str(value).lower() in (names["nl"], names["en"])]
            hint = m("did_you_mean", word=by_label[0]) if by_label else hint
        src.error(path, code, m("bad_literal", value=value, what=m(what) if what else field, hint=hint, where=where,
                                options=", ".join(expected)))
    elif kind == "string_pattern_mismatch":
        src.error(path, "KM014", m("bad_id", value=value))
    elif kind in ("too_short", "string_too_short"):
        n = (err.get("ctx") or {}).get("min_length", 1)
        key = "empty_text" if kind == "string_too_short" else "too_short_list"
        src.error(path, "KM015", m(key, field=field, n=n, where=where))
    elif kind in ("too_long", "string_too_long"):
        n = (err.get("ctx") or {}).get("max_length", "?")
        key = "too_long_text" if kind == "string_too_long" else "too_long_list"
        src.error(path, "KM015", m(key, field=field, n=n, where=where))
    elif kind.endswith("_type") or kind in ("model_attributes_type", "model_type", "dict_type", "list_type"):
        want_name = kind.split("_")[0]
        got_name = type(value).__name__
        tip = ""
        if got_name == "bool" and want_name in ("str", "string"):
            tip = m("tip_yes_no")
        elif got_name in ("int", "float") and want_name in ("str", "string"):
            tip = m("tip_quote_number")
        src.error(path, "KM012", m("wrong_type", field=field, want=_type_name(want_name), got=_type_name(got_name),
                                   where=where, tip=tip))
    else:
        src.error(path, "KM014", m("invalid_value", field=field, why=err["msg"], where=where))


def _file_path(data, loc: tuple) -> tuple:
    """The error location as a path in the file: pydantic adds type tags to union locations ('str',
    'function-after[...]'), which are dropped unless the file really has such a key (a key like '0[')."""
    path = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and ("[" in part or part in ("str", "int", "bool")):
            continue
        else:
            node = None
        path.append(part)
    return tuple(path)


def _report_key(src: Source, path: tuple, key: str) -> None:
    container = str(path[-2]) if len(path) >= 2 else ""
    if container in ("variants", "phases", "moods"):
        src.error(path, "KM023", m("unknown_phase", key=key, hint=did_you_mean(key, PHASES), phases=", ".join(PHASES)),
                  key=True)
    elif container == "sensitivities":
        from trainer.i18n import CATEGORY_LABELS  # a Dutch label ('verplichting') names its category

        by_label = [c for c, names in CATEGORY_LABELS.items() if key.lower() in (names["nl"].lower(), names["en"].lower())]
        hint = m("did_you_mean", word=by_label[0]) if by_label else did_you_mean(key, CATEGORIES)
        src.error(path, "KM025", m("unknown_category", key=key, hint=hint), key=True)
    else:
        src.error(path, "KM014", m("not_allowed_key", key=key), key=True)


def _container(path: tuple) -> str:
    strs = [p for p in path if isinstance(p, str)]
    return strs[-2] if len(strs) >= 2 else ""


def _range_of(field: str, path: tuple = ()) -> tuple[int, int]:
    if field == "age":
        return 16, 100
    is_change = any(p in ("effects", "fallback_effects", "sensitivities") for p in path)
    return (-100, 100) if is_change or field not in ("trust", "motivation") else (0, 100)


def _literal_options(field: str, path: tuple) -> list[str]:
    if field == "codes" or _container(path) == "codes":
        return list(MI_CODES)
    ann = _annotation_at(path)
    opts = _literals(ann)
    return opts or []


def _literals(ann) -> list[str]:
    args = typing.get_args(ann)
    if typing.get_origin(ann) is typing.Literal:
        return [str(a) for a in args]
    for a in args:
        found = _literals(a)
        if found:
            return found
    return []


def _allowed_keys(path: tuple) -> list[str]:
    model = _annotation_at(path)
    model = _unwrap_model(model)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _unwrap_model(ann):
    from pydantic import BaseModel

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in typing.get_args(ann):
        m = _unwrap_model(a)
        if m is not None:
            return m
    return None


def _annotation_at(path: tuple):
    """Walk the shape model's type annotations along a data path (keys and list indices)."""
    from pydantic import BaseModel

    from trainer.persona.shape import Persona

    ann = Persona
    for part in path:
        ann = _strip(ann)
        if isinstance(part, int):
            args = typing.get_args(ann)
            ann = args[0] if args else None
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            f = next((f for n, f in ann.model_fields.items() if (f.alias or n) == part), None)
            ann = f.annotation if f else None
        elif typing.get_origin(ann) is dict:
            ann = typing.get_args(ann)[1]
        else:
            return None
        if ann is None:
            return None
    return ann


def _strip(ann):
    """Optional[X] / Annotated[X, ...] -> X."""
    while True:
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            ann = typing.get_args(ann)[0]
        elif origin in (typing.Union, types.UnionType):
            non_none = [a for a in typing.get_args(ann) if a is not type(None)]
            ann = non_none[0] if len(non_none) == 1 else ann
            if len(non_none) != 1:
                return ann
        else:
            return ann
