"""How a plan document writes the values it cannot show (docs/plan-format.md).

Shared by the planner, which writes them (``hlz.engine``), and the checker, which reads them
(``hlz.policy_check``). Kept in a module of its own, importing nothing, so that checking a saved
plan never loads the planner's engine (Pulumi's runtime and mocks).
"""

SECRET_MASK = "[secret]"
"""A secret input: the plan records that there is a value, never the value."""

UNKNOWN_MARK = "[unknown]"
"""A value known only after deployment (``hlz plan --preview``): rules that read it report
Undetermined, as under ``pulumi preview``."""
