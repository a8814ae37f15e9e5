"""The release gate of survey outputs: one suppression pattern over every linked table, proven by an audit.

``gate.release`` is the only way a survey-derived figure leaves a join: ``cells`` states every published
figure as sums over district x group cells, ``rules`` says which cells are sensitive and what protection they
need, ``audit`` computes what an attacker can derive for each hidden cell, ``versions`` refuses a version whose
difference from a served one would single people out, and ``page`` renders the checker's report.
"""
