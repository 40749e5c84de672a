"""Thin routes: parse, call `CodingService`, shape the answer."""
