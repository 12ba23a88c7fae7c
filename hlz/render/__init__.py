"""Renderers: what people and tools read, made from a plan document or a policy report.

- ``sarif``       SARIF 2.1.0 for code scanning.
- ``markdown``    the pull-request comment.
- ``compliance``  the HIPAA evidence matrix (``hlz report compliance``).
- ``inventory``   the AI model register (``hlz report ai-inventory``).
- ``inventory_resources``  every managed resource (``hlz report inventory``).
- ``phi_map``     the ePHI systems and their paths (``hlz report phi-map``).
- ``model_cards`` CHAI Applied Model Cards (``hlz report model-cards``).
- ``mermaid``     the architecture diagram (``hlz graph``).
- ``summary``     the terminal summary of a policy report.
- ``text``        the one Markdown escape and table helper, terminal-safe text, wording helpers.

Importing the package loads none of them; each command imports the one it writes.
"""
