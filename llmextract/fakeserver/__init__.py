"""A small OpenAI-compatible fake server for tests, demos and benchmarks (stdlib only).

    from llmextract.fakeserver import FakeServer, FaultPlan

    with FakeServer(answers_dir="tests/answers", latency=0.2,
                    faults=FaultPlan(rate=0.3, kinds=["429", "500"], seed=0)) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test")

Run it standalone with `python -m llmextract.fakeserver --help`.
"""

from llmextract.fakeserver.answers import MINIMAL_MATCH, RULES_MATCH, AnswerBook
from llmextract.fakeserver.batches import BatchPlan
from llmextract.fakeserver.faults import FAULT_KINDS, FaultPlan
from llmextract.fakeserver.profiles import PROFILES, Profile
from llmextract.fakeserver.server import FakeServer

__all__ = ["FAULT_KINDS", "MINIMAL_MATCH", "PROFILES", "RULES_MATCH", "AnswerBook", "BatchPlan",
           "FakeServer", "FaultPlan", "Profile"]
