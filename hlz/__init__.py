"""hlz offline tooling: plan a stack under Pulumi mocks, evaluate the policy pack, report."""

__version__ = "0.1.0"
