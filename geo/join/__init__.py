"""Researchers' joins: their rows to districts, with statistics; one set of row rules for every engine."""
