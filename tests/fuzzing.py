"""Hypothesis settings shared by the property and fuzz tests.

PAPERTRIAGE_FUZZ_EXAMPLES sets the examples per test (the default keeps the suite
fast; run more by hand); PAPERTRIAGE_FUZZ_RANDOM set means a new random run each time
instead of the same derandomized examples."""

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("PAPERTRIAGE_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("PAPERTRIAGE_FUZZ_RANDOM") is None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
