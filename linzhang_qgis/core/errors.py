"""Errors of the core, each with a Chinese and an English sentence a technician understands.

Each subclass also inherits the builtin it stands for (rasterio does the same), so callers may
catch ``ValueError`` or ``OSError`` without knowing this module.
"""
from __future__ import annotations


class LinzhangError(Exception):
    """Base error: ``str()`` gives the Chinese sentence, then the English one."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en

    def __str__(self) -> str:
        return f"{self.message_zh}\n{self.message_en}"


class WorkspaceError(LinzhangError, ValueError):
    """The file is not a usable one-map workspace."""


class WorkspaceVersionError(WorkspaceError):
    """The workspace was written by a newer version of the plugin."""


class InputDataError(LinzhangError, ValueError):
    """An input layer or file cannot be used as it is (missing field, empty, wrong type)."""


class MissingDependencyError(LinzhangError, ImportError):
    """A Python package the feature needs is not installed."""
