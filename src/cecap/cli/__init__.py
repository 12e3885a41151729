"""CLI step: the click group, shared options, one settings object per option family, one
error map, one module per command family."""

from __future__ import annotations

from .main import cli, main

__all__ = ["cli", "main"]
