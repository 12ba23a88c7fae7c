"""The rules, one small themed module per Azure service; each exposes ``RULES`` for the registry."""
