"""Rule engine quotations and speakers."""

from __future__ import annotations

from pathlib import Path

from llmextract.rules.quotes import find_quotes

DATA = Path(__file__).parent / "data" / "rules"


def _check_spans(text: str) -> list[tuple[str, str | None]]:
    qs = find_quotes(text)
    for q in qs:
        assert text[q.start : q.end] == q.text
    return [(q.text, q.speaker) for q in qs]


def test_said_after_and_before() -> None:
    text = ('"We will rebuild," Mayor John Smith said on Monday.\n'
            'Jane Doe, a local teacher, told reporters: "Nobody warned us about the flood."\n')
    assert _check_spans(text) == [
        ("We will rebuild", "John Smith"),
        ("Nobody warned us about the flood.", "Jane Doe"),
    ]


def test_curly_quotes_said_x_and_pronoun() -> None:
    text = ("Officials met on Monday.\n“The roads are closed,” said Ana Ruiz, the police chief. "
            "“Stay home,” she added.\n")
    assert _check_spans(text) == [("The roads are closed", "Ana Ruiz"), ("Stay home", "Ana Ruiz")]


def test_organisation_speaker_and_it_added() -> None:
    text = ('"Troops have suffered around 1,100 casualties," South Korea\'s Joint Chiefs of '
            'Staff said.\n"More deployments are possible," it added.\n')
    got = _check_spans(text)
    assert got[0][1] == "South Korea's Joint Chiefs of Staff"
    assert got[1][1] == "South Korea's Joint Chiefs of Staff"


def test_according_to() -> None:
    text = 'According to the ministry, the rebels were "preparing a new offensive in the east."\n'
    assert _check_spans(text)[0][1] == "the ministry"


def test_paragraph_continuation_and_line_break() -> None:
    text = (DATA / "wire_flood.txt").read_text()
    got = _check_spans(text)
    assert ("We are asking for patience", "Mark Timbal") in got
    last = got[-1]
    assert last[0].startswith("Help is on the way") and last[0].endswith("damaged.")
    assert "\n" in last[0]


def test_newspaper_continuation_takes_later_speaker() -> None:
    text = (DATA / "sport_quotes.txt").read_text()
    got = _check_spans(text)
    assert got[0] == ("I have waited for this moment for seven years. Nothing was given to me.",
                      "Lucia Rivera")
    assert ("She was simply better today", "Hannah Novak") in got
    assert all(q != "Lakeside Classic" for q, _ in got)  # a title in quotes is not a quote


def test_short_scare_quotes_skipped_but_fragments_kept() -> None:
    text = ('The plan, dubbed "Project Blue", was dropped.\n'
            'Judge Mary Cole said corruption "has to stop."\n')
    got = _check_spans(text)
    assert got == [("has to stop.", "Mary Cole")]


def test_nested_single_quotes_stay_inside() -> None:
    text = '"He told me \'run\' and I ran," said Tom Hale.\n'
    assert _check_spans(text) == [("He told me 'run' and I ran", "Tom Hale")]


def test_unclosed_quote_at_end_and_no_quotes() -> None:
    text = 'The Kenyan runner Eliud Kipchoge added: "We are going up the tree and onward'
    got = _check_spans(text)
    assert got and got[0][0].endswith("onward")
    assert find_quotes("No quotes at all here.") == []
    assert find_quotes("") == []
    assert find_quotes('"') == []


def test_the_company_resolves_to_the_company_named_before() -> None:
    text = ("Millions of Brightwater Foods customers were told to check their cards.\n\n"
            "Brightwater Foods said it had closed the affected website.\n\n"
            'The company said in a statement: "We acted within minutes to secure the data."\n')
    assert _check_spans(text) == [("We acted within minutes to secure the data.",
                                   "Brightwater Foods")]


def test_the_agency_resolves_to_the_acronym_named_before_and_it_said_follows() -> None:
    text = ("The Coastal Flood Monitoring Service (CFMS) issued a warning on Monday.\n\n"
            "According to a bulletin released by the CFMS, rivers rose overnight.\n\n"
            "The weather agency said that three districts were affected.\n\n"
            '"We expect the water to recede by Friday," it said.\n')
    got = _check_spans(text)
    assert got == [("We expect the water to recede by Friday", "CFMS")]


def test_descriptive_agency_matches_the_organisation_sharing_a_word() -> None:
    text = ('The UN refugee agency says the camp is "full beyond capacity."\n\n'
            "Officials of the United Nations High Commissioner for Refugees (UNHCR) and the "
            "World Health Organization (WHO) visited on Friday.\n")
    assert _check_spans(text) == [("full beyond capacity.", "UNHCR")]


def test_role_phrase_resolves_to_the_person_named_in_apposition() -> None:
    text = ("The state returning officer, Prof. Ada Okafor, read the figures on Sunday.\n\n"
            "Declaring the result, the returning officer said, "
            '"Mr Bello is hereby declared the winner of the election."\n')
    got = _check_spans(text)
    assert got[0][1] == "Ada Okafor"


def test_age_epithet_and_verb_phrase_then_asked() -> None:
    text = ("Maria Lopez won her first title on Sunday.\n\n"
            "Sitting at the podium, the 24-year-old looked at the trophy and asked: "
            '"Where does this one go?"\n')
    assert _check_spans(text) == [("Where does this one go?", "Maria Lopez")]


def test_quote_after_reported_speech_in_previous_paragraph() -> None:
    text = ("Prices rose after Energy Minister Omar Haddad had said on Monday that producers "
            "would cut output.\n\n"
            '"We do not want to see prices collapse again," when the market was flooded.\n')
    assert _check_spans(text)[0][1] == "Omar Haddad"


def test_role_phrase_left_alone_when_ambiguous() -> None:
    text = ("Northgate Bank and Southfield Bank both reported losses.\n\n"
            '"Demand was weak," the bank said.\n')
    assert _check_spans(text)[0][1] == "the bank"


def test_british_single_quotation_marks() -> None:
    text = ("The mayor, Cllr Joan Ashby, said the town had been given ‘very little warning’.\n\n"
            "‘Nobody here wanted to lose the ferry,’ she said. ‘But the operator’s costs have "
            "doubled since the ’90s and the passengers’ fares cannot cover them.’\n\n"
            "Visitors queued at Bryn’s café on the quay.")
    got = _check_spans(text)
    assert ("very little warning", "Joan Ashby") in got
    assert ("Nobody here wanted to lose the ferry", "Joan Ashby") in got
    assert any(q.startswith("But the operator’s costs") and q.endswith("cover them.")
               and s == "Joan Ashby" for q, s in got)
    assert len(got) == 3  # no quotation from apostrophes ("Bryn’s", "’90s")


def test_british_quote_spanning_paragraphs_and_nested() -> None:
    text = ("Tom Reyes, the harbour master, described the storm.\n\n"
            "‘The waves came over the wall at midnight. We had never seen anything like it.\n\n"
            "‘By dawn the boats were on the road,’ he said.\n\n"
            '"She told me ‘stay inside’ and I did," said Maria Lopes, a resident.')
    got = _check_spans(text)
    assert got[0][0].startswith("The waves came") and got[0][1] == "Tom Reyes"
    assert got[1] == ("By dawn the boats were on the road", "Tom Reyes")
    assert got[2] == ("She told me ‘stay inside’ and I did", "Maria Lopes")
    assert len(got) == 3


def test_speaker_with_middle_initial() -> None:
    text = ("District Judge Ellen R. Marsh sentenced the men on Friday.\n\n"
            '"You put lives at risk for money," the judge said.\n\n'
            '"This court will not look away," Marsh said.')
    got = _check_spans(text)
    assert got == [("You put lives at risk for money", "Ellen R. Marsh"),
                   ("This court will not look away", "Ellen R. Marsh")]


def test_role_before_name_after_verb_and_pronoun_after_reported_speech() -> None:
    text = ('"We were second best all afternoon," said Harbour Town coach Rui Almeida.\n\n'
            '"It was a long week," said lead author Dr. Sofia Lind, of the clinic.\n\n'
            "Anna Berg praised the defence. She added that the keeper had a fever. "
            '"He could hardly stand on Friday."')
    got = dict(_check_spans(text))
    assert got["We were second best all afternoon"] == "Rui Almeida"
    assert got["It was a long week"] == "Sofia Lind"
    assert got["He could hardly stand on Friday."] == "Anna Berg"


def test_she_said_skips_organisations_teams_and_other_gender() -> None:
    text = ("Karen Holm led the inquiry for two years. Tom Reyes, a council member, "
            "said little. The Harbour Trust, which funded it, declined to comment.\n\n"
            '"We were never given the full accounts," she said.')
    assert _check_spans(text)[-1] == ("We were never given the full accounts", "Karen Holm")
    text = ("Ben Cole scored twice in the win. Northfield, who had lost three of their last "
            'four games, slipped to sixth.\n\n"I just kept running," he said.')
    assert _check_spans(text)[-1] == ("I just kept running", "Ben Cole")


def test_a_role_noun_known_by_its_ending_before_the_name_after_said() -> None:
    text = ('The plan passed.\n\n"We plan for this every summer," said climatologist Rebecca '
            'Lindqvist, one of the authors.\n\n"It will cost more," said consultant Mara '
            'Oyelaran.\n\n"Nobody asked us," said later New York officials.\n')
    got = [(q.text, q.speaker) for q in find_quotes(text)]
    assert got[0][1] == "Rebecca Lindqvist" and got[1][1] == "Mara Oyelaran"
    assert got[2][1] != "New York"  # "later" is no role


def test_a_pronoun_stands_for_the_name_after_a_capitalised_role() -> None:
    text = ('The levy was approved.\n\nCouncil leader Priya Shah, whose group proposed it, said '
            'the money would be ring-fenced.\n\n"Our residents cannot keep paying," she told '
            'the chamber.\n')
    assert [q.speaker for q in find_quotes(text)] == ["Priya Shah"]


def test_said_span_finds_what_a_whole_search_finds() -> None:
    """Figure attribution searches only where a speaker phrase before a verb can lie."""
    from llmextract.rules import figures

    cases = [
        "Prices rose 5 percent in May, the highest since 2020, officials said.",
        "LIMA, May 2 (AP) - Output fell 3% in March, the Interior Ministry said on Friday.",
        "Output fell 3%, Ana Ruiz, the bank's chief economist, said in a note.",
        "Output fell 3%, Ana Ruiz, who (as ever) spoke at length, told reporters.",
        "The firm pointed out that sales rose 4 percent, and Acme went on to grow.",
        "Sales rose 4 percent, he said, and 12 stores closed, the company added.",
        "It rose 9%: \"a record,\" the 52-year-old said.",
        "No verb here at all, just 14 numbers and a comma.",
        "xhe said 4 things; I said 5.",
        "",
    ]
    for s in cases:
        span = figures._said_span(s)
        whole = figures._SAID_RE.search(s)
        part = figures._SAID_RE.search(s, *span) if span is not None else None
        assert (whole and (whole.span(), whole.group("spk"))) == \
            (part and (part.span(), part.group("spk"))), s


def test_letter_tree_matches_the_words() -> None:
    import re

    from llmextract.rules.quote_vocab import letter_tree

    words = sorted({"said", "say", "says", "added", "adds", "asked", "ask"})
    rx = re.compile(rf"(?:{letter_tree(words)})\b")
    for w in [*words, "sa", "sayss", "addeds", "as", "a"]:
        assert (rx.fullmatch(w) is not None) == (w in words), w


def test_org_mentions_by_line_match_a_whole_search() -> None:
    """Organisation patterns are searched only in the lines that can hold a match."""
    from llmextract.rules import speakers

    text = ("The World Health Organization (WHO) said on Monday.\n\n"
            "Carphone Warehouse customers waited. Acme said it would pay.\n"
            "The Interior Ministry of Peru and the Central Bank met.\n(UN) talks (no caps)")
    got = speakers._org_mentions(text)
    for rx in (speakers._DEF_RE, speakers._ORG_TAIL_RE, speakers._CORP_CUE_RE):
        whole = [m.span() for m in rx.finditer(text)]
        if rx is speakers._DEF_RE:
            by_line = [m.span() for m in speakers._in_lines(rx, text, speakers._brackets(text))]
        else:
            gate = (speakers._ORG_TAIL_GATE_RE if rx is speakers._ORG_TAIL_RE
                    else speakers._CORP_CUE_GATE_RE)
            by_line = [m.span() for m in speakers._in_lines(
                rx, text, (g.start() for g in gate.finditer(text)))]
        assert by_line == whole and whole, rx
    assert "WHO" in {c for _, c, _ in got}


def test_clean_speaker_without_spaces_and_with_junk() -> None:
    from llmextract.rules.quotes import clean_speaker

    assert clean_speaker("Kruger,") == "Kruger"
    assert clean_speaker("And Kruger") == "Kruger"
    assert clean_speaker("Meanwhile, Dr. Ann Li") == "Ann Li"
    assert clean_speaker("the") is None
    assert clean_speaker("Police chief Dan Holt on Monday") == "Dan Holt"
