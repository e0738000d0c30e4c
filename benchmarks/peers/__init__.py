"""Peer rule engines running the benchmark's four rules: zen-engine and durable_rules adapters."""
