"""Qala Atlas spatial core: sources, districts, joins and indicators for Astana, Almaty and Shymkent."""

__version__ = "0.1.0"
