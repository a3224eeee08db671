"""The JSON Schema for editors: committed copy up to date, valid, in agreement with the loader, documented."""

from __future__ import annotations

import json
import subprocess

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, PERSONAS, ROOT, subprocess_env, trainer_cmd
from trainer.persona.schema import DOCS, persona_schema, schema_text

COMMITTED = ROOT / "schemas" / "persona.schema.json"
SHIPPED = sorted(PERSONAS.glob("*.yaml"))
VALID = sorted((FIXTURES / "valid").glob("*.yaml")) + [ROOT / "docs" / "voorbeeld.yaml"] + SHIPPED
HEADER = "# yaml-language-server: $schema=../schemas/persona.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = persona_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_the_generated_one():
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), \
        "schemas/persona.schema.json is out of date: run `trainer schema -o schemas/persona.schema.json`"


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_valid_personas_pass_the_schema(path, validator):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(data)] == []


@pytest.mark.parametrize("mistake", [
    lambda d: d.update(colour="red"),  # unknown key (KM010)
    lambda d: d.pop("start"),  # missing field (KM011)
    lambda d: d.update(age="veertig"),  # wrong type (KM012)
    lambda d: d["meters"].update(trust=150),  # out of range (KM013)
    lambda d: d["nodes"][0]["choices"][0].update(codes=["vraag"]),  # unknown MI code (KM026)
    lambda d: d["nodes"][0].update(variants={"boos": "x"}),  # unknown phase (KM023)
    lambda d: d.update(sensitivities={"verplichting": {"trust": -1}}),  # unknown category (KM025)
    lambda d: d["nodes"][0].update(choices=[]),  # too short (KM015)
    lambda d: d.update(id="Met Spatie"),  # invalid id (KM014)
])
def test_the_schema_catches_shape_mistakes_like_the_loader(mistake, validator):
    data = yaml.safe_load((ROOT / "docs" / "voorbeeld.yaml").read_text(encoding="utf-8"))
    mistake(data)
    assert list(validator.iter_errors(data))


def test_every_field_has_a_dutch_title_and_description():
    schema = persona_schema()
    models = [schema, *schema["$defs"].values()]
    assert len(models) == len(DOCS)
    for model in models:
        assert model["title"] and model["description"]
        for name, prop in model["properties"].items():
            assert prop.get("title") and prop.get("description"), f"{model['title']}.{name}"
    assert "if" in schema["$defs"]["Choice"]["properties"]  # alias names, as trainers write them
    assert "when" not in json.dumps(schema)


@pytest.mark.skipif(not SHIPPED, reason="no shipped personas yet")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_personas_point_editors_at_the_schema(path):
    assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER


def test_example_points_editors_at_the_schema():
    assert (ROOT / "docs" / "voorbeeld.yaml").read_text(encoding="utf-8").splitlines()[0] == HEADER


def test_cli_schema_prints_and_writes(tmp_path):
    r = subprocess.run(trainer_cmd("schema"), capture_output=True, text=True, env=subprocess_env(), timeout=60)
    assert r.returncode == 0 and r.stdout == schema_text()
    out = tmp_path / "s.json"
    r = subprocess.run(trainer_cmd("schema", "-o", str(out)), capture_output=True, text=True, env=subprocess_env(),
                       timeout=60)
    assert r.returncode == 0 and out.read_text(encoding="utf-8") == schema_text()
