"""Habeas: where a person is held, on what lawful authority, until when, and under what
conditions."""

__version__ = "0.1.0"
