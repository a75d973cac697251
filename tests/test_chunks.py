"""The chunker and the token estimate (llmextract.text.chunks, llmextract.text.tokens):
pure functions, so tested directly on their edge cases."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from llmextract.text.chunks import Chunk, default_overlap, split_text
from llmextract.text.tokens import estimate_tokens

from .longdoc import long_document

WORDS = "the board reviewed the quay repair plan for the northern depots after a debate".split()


def _paragraphs(n: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    paras = []
    for _ in range(n):
        sents = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20))).capitalize()
                 + "." for _ in range(rng.randint(1, 6))]
        paras.append(" ".join(sents))
    return "\n\n".join(paras)


def _check(text: str, chunks: list[Chunk], budget: int, overlap: int) -> None:
    """The invariants of every split: each chunk within the budget (its tokens counted
    again), in order, overlapping its neighbour by at most `overlap`, and every word of
    the text in some chunk."""
    assert len(chunks) >= 2
    for c in chunks:
        assert estimate_tokens(text[c.start:c.end]) == c.tokens <= budget
        assert text[c.start:c.end] == text[c.start:c.end].strip()
    for a, b in pairwise(chunks):
        assert a.start < b.start and a.end < b.end and b.start <= a.end
        assert estimate_tokens(text[b.start:a.end]) <= overlap
    covered = bytearray(len(text))
    for c in chunks:
        covered[c.start:c.end] = b"\x01" * (c.end - c.start)
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))


def test_estimate_is_additive_over_whitespace_and_counts_scripts() -> None:
    text = _paragraphs(30)
    parts = text.split()
    assert estimate_tokens(text) == sum(estimate_tokens(p) for p in parts)
    assert estimate_tokens("") == estimate_tokens("  \n ") == 0
    assert estimate_tokens("the") == 1 and estimate_tokens("international") == 3
    assert estimate_tokens("1,234,567") == 5  # three groups of digits and two commas
    assert estimate_tokens("東京都は新しい計画を発表した") == 14  # one a character
    assert estimate_tokens("Москва") == 2  # other alphabets: a token per three letters
    assert estimate_tokens("x" * 100) <= 100  # never more tokens than characters


def test_a_text_within_the_budget_is_one_chunk_untouched() -> None:
    text = _paragraphs(5)
    tokens = estimate_tokens(text)
    assert split_text(text, tokens) == [Chunk(0, len(text), tokens)]  # exactly at the budget
    assert len(split_text(text, tokens - 1, 0)) == 2  # one token over


def test_paragraphs_sentences_and_overlap() -> None:
    text = _paragraphs(120)
    budget = 600
    chunks = split_text(text, budget)
    _check(text, chunks, budget, default_overlap(budget))
    # chunks end at a paragraph's end when one falls in their second half
    ends = [c.end for c in chunks[:-1]]
    assert sum(text.startswith("\n\n", e) for e in ends) >= len(ends) - 1
    # each chunk after the first starts on a sentence of the one before (the overlap)
    for a, b in pairwise(chunks):
        assert b.start < a.end and text[b.start - 2:b.start] in (". ", "\n\n")


def test_one_giant_paragraph_without_sentence_ends() -> None:
    rng = random.Random(3)
    text = " ".join(rng.choice(WORDS) for _ in range(20_000))
    chunks = split_text(text, 500, 40)
    _check(text, chunks, 500, 40)
    assert all(text[c.start - 1].isspace() for c in chunks[1:])  # cut between words


def test_cjk_without_spaces() -> None:
    sentences = "東京都は新しい港の計画を発表した。" * 400  # sentence ends, no spaces
    chunks = split_text(sentences, 300, 30)
    _check(sentences, chunks, 300, 30)
    assert all(sentences[c.end - 1] == "。" for c in chunks)  # cut after a full stop
    run = "東京都は新しい港の計画を発表した" * 400  # not even a full stop
    _check(run, split_text(run, 300, 30), 300, 30)


def test_a_word_longer_than_a_chunk_is_cut() -> None:
    text = "a few words " + "x" * 60_000 + " and the end."
    _check(text, split_text(text, 400, 20), 400, 20)


def test_the_overlap_must_stay_under_half_the_budget() -> None:
    with pytest.raises(ValueError, match="overlap"):
        split_text("word " * 1000, 100, 50)
    with pytest.raises(ValueError, match="budget"):
        split_text("word", 0)


def test_the_long_document() -> None:
    text, planted = long_document()
    assert 59_000 < len(text.split()) < 61_500 and len(text) < 400_000  # under --max-chars
    assert {p.where for p in planted} == {"start", "middle", "end", "every", "repeated"}
    for budget in (2_795, 6_144):
        chunks = split_text(text, budget)
        _check(text, chunks, budget, default_overlap(budget))
        # some planted fact is cut by a chunk's end, and stands whole in the next chunk
        cut = [p for p in planted for a, b in pairwise(chunks)
               if p.span[0] < a.end < p.span[1] and b.start <= p.span[0]]
        assert cut, budget
