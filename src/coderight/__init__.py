"""Coderight: computer-assisted medical coding and coding integrity."""

__version__ = "0.1.0"
