"""Patterns compiled on first use (llmextract.text.lazy_re) behave as compiled ones."""

from __future__ import annotations

import re

from llmextract.text.lazy_re import lazy


def test_a_lazy_pattern_compiles_on_first_use_and_answers_as_re_compile() -> None:
    source = r"(?P<n>\d+)\s*(?P<u>kg|km)"
    pat, ref = lazy(source, re.IGNORECASE), re.compile(source, re.IGNORECASE)
    assert "_compiled" not in vars(pat)  # nothing compiled yet
    text = "3 KG, 12km and 7 kg"
    got = pat.search(text)
    assert got is not None and got.span() == ref.search(text).span()  # type: ignore[union-attr]
    assert "_compiled" in vars(pat)
    assert [m.span() for m in pat.finditer(text)] == [m.span() for m in ref.finditer(text)]
    assert pat.findall(text) == ref.findall(text)
    assert pat.sub("N", text) == ref.sub("N", text)
    assert pat.split(text, maxsplit=1) == ref.split(text, maxsplit=1)
    assert pat.match(text, 4) is None and ref.match(text, 4) is None
    assert pat.fullmatch("5 km") is not None
    # anything else a Pattern has comes from the compiled one
    assert (pat.pattern, pat.flags, pat.groupindex) == (ref.pattern, ref.flags, ref.groupindex)


def test_attributes_before_any_call_compile_it_too() -> None:
    pat = lazy(r"a(b)")
    assert pat.groups == 1
    assert pat.search("xab") is not None
