"""The documentation generated from the code (README's sample record, docs/fields.md) is
up to date, and every relative link of README.md and docs/*.md points to a file."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

import pytest

from tests.conftest import ROOT

DOCS = ROOT / "docs"
FIX = "out of date: run python docs/generate.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    return _generator()


def test_field_reference_is_generated(generate: ModuleType) -> None:
    assert (DOCS / "fields.md").read_text(encoding="utf-8") == generate.fields_page(), \
        f"docs/fields.md {FIX}"


def test_readme_sample_record_is_generated(generate: ModuleType) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == generate.readme_with_sample(readme, generate.seed_record()), \
        f"README.md's sample record {FIX}"


def test_sample_rule_leaves_out_volatile_fields(generate: ModuleType) -> None:
    short = generate.shorten({"elapsed_ms": 1.5, "summary": {"figures": [{"a": 1}, {"a": 2}],
                                                             "topics": ["a", "b", "c"]},
                              "title": "x" * 200})
    assert short == {"summary": {"figures": [{"a": 1}], "topics": ["a", "b"]},
                     "title": "x" * 80 + "..."}


def test_every_field_has_a_meaning(generate: ModuleType) -> None:
    page = generate.fields_page()
    for name in ("Result", "Summary", "GroundedFigure", "Dropped", "Usage", "Trust"):
        assert f"## {name}" in page
    assert "|  |" not in page and "| |" not in page


# Pages that other branches bring (web input, batch jobs). Strict xfail: once a page exists
# its test passes, which fails the run until the entry is removed here.
PENDING: set[str] = set()

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _links() -> list[object]:
    found: list[object] = []
    for doc in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target in LINK.findall(_prose(doc.read_text(encoding="utf-8"))):
            if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                continue
            name = str(doc.relative_to(ROOT))
            pending = str(((ROOT / name).parent / target.partition("#")[0]).resolve()
                          .relative_to(ROOT)) in PENDING
            marks = [pytest.mark.xfail(strict=True, reason="page from another branch")]
            found.append(pytest.param(name, target, marks=marks if pending else []))
    return found


def _prose(text: str) -> str:
    """The text outside code fences and inline code."""
    kept, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            kept.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(kept)


@pytest.mark.parametrize(("doc", "target"), _links())
def test_relative_links_point_to_files(doc: str, target: str) -> None:
    path, _, anchor = target.partition("#")
    base = (ROOT / doc).parent
    assert (base / path).exists() if path else True, f"{doc}: link to missing {path}"
    if anchor:
        page = (base / path) if path else ROOT / doc
        headings = {_slug(h) for h in re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"),
                                                 flags=re.M)}
        assert anchor in headings, f"{doc}: no heading #{anchor} in {page.name}"


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lowercase, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_readme_first_two_commands_are_what_ci_runs() -> None:
    """.ci/run runs the README's first two ```sh blocks exactly as written."""
    blocks = re.findall(r"^```sh\n(.*?)^```$", (ROOT / "README.md").read_text(encoding="utf-8"),
                        flags=re.M | re.S)
    assert blocks[:2] == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && "
        "llmextract summarize seeds/ --replay cassettes/seeds.yaml\n",
        'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[test]" && '
        "python -m pytest -q\n",
    ]
