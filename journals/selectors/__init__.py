"""Reads of the journals that need joins or permissions (one module per part)."""
