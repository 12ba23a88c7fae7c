"""Reusable, secure-by-default Pulumi components for the hlz landing zone and AI lab."""
