"""Renderers: what people and tools read, made from a plan document or a policy report.

- ``sarif``       SARIF 2.1.0 for code scanning.
- ``markdown``    the pull-request comment.
- ``compliance``  the HIPAA evidence matrix (``hlz report compliance``).
- ``inventory``   the AI model register (``hlz report ai-inventory``).
- ``mermaid``     the architecture diagram (``hlz graph``).
- ``summary``     the terminal summary of a policy report.
- ``text``        the one Markdown escape and table helper, terminal-safe text, wording helpers.

Importing the package loads none of them; each command imports the one it writes.
"""
