"""Your own schema: grounding markers, the CLI and the API, replayed from cassettes and live
against the fake server. Articles and answers are the project's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from llmextract import Extractor
from llmextract.check.fields import Name, Stated, Verbatim, ground_model, has_markers
from llmextract.errors import UsageError
from llmextract.fakeserver import FakeServer
from llmextract.schemas.user import load_schema

from .conftest import ARTICLES, CASSETTES, ROOT, cli

QUAKE = ARTICLES / "quake_wire.txt"
CASUALTY = "schemas/examples/casualty.py:CasualtyReport"
EARNINGS = "schemas/examples/earnings.py:EarningsSummary"


# -- the walker ----------------------------------------------------------------------------

class Item(BaseModel):
    phrase: Annotated[str, Verbatim]
    number: Annotated[float, Stated]


class Report(BaseModel):
    where: Annotated[str, Name]
    items: list[Item]
    tags: list[Annotated[str, Verbatim]] = []
    note: Annotated[str | None, Verbatim] = None
    plain: str = "anything"


TEXT = ("Floods in Porto Alegre forced 4,300 people from their homes, and damage reached "
        "$1.2 billion, officials said. \u201cThe water came in the night,\u201d one resident "
        "said.")


def test_markers_are_found_through_nesting() -> None:
    assert has_markers(Report)

    class Plain(BaseModel):
        x: str

    assert not has_markers(Plain)


def test_supported_values_are_kept_with_evidence() -> None:
    answer = Report(where="Porto Alegre", items=[
        Item(phrase="4,300 people", number=4300), Item(phrase="$1.2 billion", number=1.2e9)],
        tags=["The water came in the night"], note="forced 4,300 people from their homes")
    g = ground_model(answer, TEXT)
    assert g.dropped == [] and g.failed_required == []
    assert len(g.data["items"]) == 2 and g.data["plain"] == "anything"
    for ev in g.evidence:
        assert TEXT[ev.span[0]:ev.span[1]] == ev.text


def test_invented_and_contradicted_values_are_dropped_with_their_paths() -> None:
    answer = Report(where="Porto Alegre", items=[
        Item(phrase="4,300 people", number=43000),          # contradicted by its own text
        Item(phrase="12 bridges collapsed", number=12),     # invented
        Item(phrase="$1.2 billion", number=1.2e9)],
        tags=["The water came in the night", "We were abandoned"], note="not in it at all")
    g = ground_model(answer, TEXT)
    paths = {d.field for d in g.dropped}
    assert paths == {"items.0.number", "items.1.phrase", "tags.1", "note"}
    assert [i["phrase"] for i in g.data["items"]] == ["$1.2 billion"]
    assert g.data["tags"] == ["The water came in the night"] and g.data["note"] is None
    assert g.failed_required == []


def test_a_required_field_that_fails_is_reported() -> None:
    g = ground_model(Report(where="Lisbon", items=[]), TEXT)
    assert g.failed_required == ["where"]


def test_paraphrased_verbatim_text_becomes_the_article_words() -> None:
    g = ground_model(Report(where="porto alegre", items=[], tags=[
        "The water came in during the night"]), TEXT)
    assert g.data["where"] == "Porto Alegre"
    assert g.data["tags"] == ["The water came in the night"]


# -- loading schemas -------------------------------------------------------------------------

def test_schema_by_path_and_by_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_schema(CASUALTY).__name__ == "CasualtyReport"
    pkg = tmp_path / "myschemas"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "court.py").write_text(
        "from pydantic import BaseModel\n\nclass Ruling(BaseModel):\n    court: str\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_schema("myschemas.court:Ruling").__name__ == "Ruling"
    for bad in ("myschemas.court:Nope", "no.such.module:X", "justtext", "missing.py:X",
                "myschemas.court:__name__"):
        with pytest.raises(UsageError):
            load_schema(bad)


@pytest.mark.parametrize("spec", ["nomodule:Thing", "schemas/examples/casualty.py:Nope",
                                  "schemas/examples/casualty.py"])
def test_wrong_schema_is_a_usage_error(spec: str) -> None:
    proc = cli("summarize", str(QUAKE), "--schema", spec, "--engine", "rules")
    assert proc.returncode == 2 and "--schema" in proc.stderr and "Traceback" not in proc.stderr


def test_schema_command_prints_the_user_schema() -> None:
    proc = cli("schema", "--schema", CASUALTY)
    assert json.loads(proc.stdout)["title"] == "CasualtyReport"


# -- end to end, replayed from cassettes ----------------------------------------------------

def test_cli_replay_drops_the_invented_quote_and_the_contradicted_number() -> None:
    proc = cli("summarize", str(QUAKE), "--schema", CASUALTY, "--replay",
               str(CASSETTES / "custom_casualty.yaml"))
    assert proc.returncode == 0, proc.stderr
    rec = json.loads(proc.stdout)
    expect = json.loads((ROOT / "tests" / "answers" / "casualty_quake.json").read_text())[
        "expect"]
    assert rec["status"] == "ok" and rec["schema_name"] == "CasualtyReport"
    assert rec["summary"] is None and rec["prompt_version"] == "extract/1"
    assert sorted(d["field"] for d in rec["dropped"]) == sorted(expect["dropped_paths"])
    from_model = [c for c in rec["data"]["counts"] if c["source"] != "rules"]
    assert [c["count"] for c in from_model] == expect["kept_counts"]
    assert len([w for w in rec["data"]["witnesses"] if w["source"] != "rules"]) == expect[
        "kept_quotes"]
    # the registered rules reconcile: the dropped 4000 comes back as the article's 400
    assert [c["count"] for c in rec["data"]["counts"] if c["source"] == "rules"] == [400]
    text = QUAKE.read_text(encoding="utf-8")
    for ev in rec["evidence"]:
        assert text[ev["span"][0]:ev["span"][1]] == ev["text"]


def test_python_api_replay() -> None:
    schema = load_schema(EARNINGS)
    result = Extractor(schema=schema, replay=CASSETTES / "custom_earnings.yaml").summarize(
        ARTICLES / "earnings_ap.txt")
    assert result.status == "ok" and result.data is not None
    assert result.data["company"] == "Halvorsen Foods" and len(result.data["metrics"]) == 3
    assert result.schema_hash and result.schema_hash.startswith("sha256:")


# -- choices for values the article does not support, live against the fake server ----------

BAD = {"event": "quake", "place": "Atlantis", "counts": [], "witnesses": []}
GOOD = {"event": "quake", "place": "Central Sulawesi", "counts": [
    {"text": "at least 87 people", "count": 87, "kind": "killed"}], "witnesses": []}


def answers(folder: Path, *items: dict[str, Any]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "a.json").write_text(json.dumps({
        "schema": "CasualtyReport", "match": "Strong quake kills", "answers": list(items)}))
    return folder


def test_required_field_unsupported_falls_back_to_registered_rules(tmp_path: Path) -> None:
    schema = load_schema(CASUALTY)
    with FakeServer(answers_dir=answers(tmp_path / "a", BAD)) as srv:
        result = Extractor(schema=schema, base_url=srv.base_url, api_key="sk-t",
                           use_cache=False).summarize(QUAKE)
    assert result.status == "fallback" and result.engine == "rules"
    assert result.error is not None and "place" in result.error.message
    assert any(d.field == "place" for d in result.dropped)
    assert result.data is not None and result.data["counts"]


def test_reask_mode_asks_again_with_the_failures(tmp_path: Path) -> None:
    schema = load_schema(CASUALTY)
    with FakeServer(answers_dir=answers(tmp_path / "a", BAD, GOOD)) as srv:
        result = Extractor(schema=schema, base_url=srv.base_url, api_key="sk-t",
                           use_cache=False, on_ungrounded="reask").summarize(QUAKE)
        second = json.dumps(srv.requests[1])
    assert result.status == "ok" and result.usage.requests == 2
    assert result.data is not None and result.data["place"] == "Central Sulawesi"
    assert "Atlantis" in second and "not supported by the article" in second


def test_fail_mode_refuses_any_unsupported_value(tmp_path: Path) -> None:
    schema = load_schema(CASUALTY)
    partly = dict(GOOD, witnesses=[{"quote": "Nothing of this was said", "speaker": "X"}])
    with FakeServer(answers_dir=answers(tmp_path / "a", partly)) as srv:
        drop = Extractor(schema=schema, base_url=srv.base_url, api_key="sk-t",
                         use_cache=False).summarize(QUAKE)
        fail = Extractor(schema=schema, base_url=srv.base_url, api_key="sk-t",
                         use_cache=False, on_ungrounded="fail").summarize(QUAKE)
    assert drop.status == "ok" and [d.field for d in drop.dropped] == ["witnesses.0.quote"]
    assert fail.status == "fallback"


def test_without_registered_rules_a_failed_model_call_is_an_error(tmp_path: Path) -> None:
    class Bare(BaseModel):
        place: Annotated[str, Name]

    result = Extractor(schema=Bare, base_url="http://127.0.0.1:9/v1", api_key="sk-t",
                       max_transport_retries=0, use_cache=False).summarize(QUAKE)
    assert result.status == "error" and result.error is not None
    assert "no rule-based fallback" in result.error.message


def test_cache_keys_differ_by_schema(tmp_path: Path) -> None:
    with FakeServer(answers_dir=ROOT / "tests" / "answers") as srv:
        kw: dict[str, Any] = {"base_url": srv.base_url, "api_key": "sk-t"}
        news = Extractor(**kw).summarize(QUAKE)
        custom = Extractor(schema=load_schema(CASUALTY), **kw).summarize(QUAKE)
        again = Extractor(schema=load_schema(CASUALTY), **kw).summarize(QUAKE)
    assert news.schema_hash != custom.schema_hash
    assert not custom.cached and again.cached and again.data == custom.data


# -- reconciliation with the registered rules, replayed from a cassette ----------------------

RECOVER = json.loads((ROOT / "tests" / "data" / "answers_recover" / "casualty_omits.json")
                     .read_text())["expect"]


def _check_recovered(data: dict[str, Any], evidence: list[dict[str, Any]]) -> None:
    text = QUAKE.read_text(encoding="utf-8")
    counts, witnesses = data["counts"], data["witnesses"]
    assert [c["count"] for c in counts if c["source"] == "rules"] == RECOVER["recovered_counts"]
    assert len([w for w in witnesses if w["source"] == "rules"]) == RECOVER["recovered_quotes"]
    assert {c["source"] for c in counts if c["source"] != "rules"} <= {"llm", "both"}
    recovered = next(i for i, c in enumerate(counts) if c["source"] == "rules")
    ev = next(e for e in evidence if e["path"] == f"counts.{recovered}.text")
    assert text[ev["span"][0]:ev["span"][1]] == counts[recovered]["text"] == ev["text"]


def test_cli_recovers_what_the_model_omitted_from_the_registered_rules() -> None:
    proc = cli("summarize", str(QUAKE), "--schema", CASUALTY, "--replay",
               str(CASSETTES / "custom_casualty_recover.yaml"))
    assert proc.returncode == 0, proc.stderr
    rec = json.loads(proc.stdout)
    assert rec["status"] == "ok" and rec["engine"] == "llm+rules"
    assert rec["trust"]["added_by_rules"] == 3
    _check_recovered(rec["data"], rec["evidence"])


def test_api_recovers_what_the_model_omitted_from_the_registered_rules() -> None:
    with Extractor(schema=load_schema(CASUALTY),
                   replay=CASSETTES / "custom_casualty_recover.yaml") as ex:
        result = ex.summarize(QUAKE)
    assert result.status == "ok" and result.engine == "llm+rules" and result.data is not None
    _check_recovered(result.data, [e.model_dump() for e in result.evidence])
