"""The landing-zone layer: hub network, private DNS, Key Vault, monitoring, security baseline."""
