from contract.knowledge import KNOWLEDGE_KEY, Hit, SearchResult, ServiceSuggestion

HIT = Hit(service="居住证办理", department="市公安局", score=0.81234, answer="……", source="居住证办理（市公安局）")


def test_a_parse_result_round_trips():
    result = SearchResult(query="居住证怎么办", confident=True, hits=[HIT], aspect="materials")
    parsed = SearchResult.from_parse({"intent": {"name": "ask_service"}, KNOWLEDGE_KEY: result.to_dict()})
    assert parsed == result
    assert parsed is not None and parsed.best == HIT


def test_no_answer_without_confidence_or_without_matches():
    assert SearchResult(query="q", confident=False, hits=[HIT]).best is None
    assert SearchResult(query="q", confident=True).best is None
    assert SearchResult.from_parse({"intent": {}}) is None
    assert SearchResult.from_parse(None) is None


def test_a_ticket_suggestion_keeps_four_decimals():
    assert ServiceSuggestion.of(HIT) == ServiceSuggestion(service="居住证办理", score=0.8123)
