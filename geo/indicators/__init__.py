"""Indicators: small pure functions, each with its reference; nothing else in the project computes one."""
