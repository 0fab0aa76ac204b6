"""The book's experiments as the Compare tab offers them (``engine.book_experiments``;
the widgets read them here, never from the engine itself)."""

from __future__ import annotations

from engine.book_experiments import BOOK_EXPERIMENTS, BookExperiment

__all__ = ["BOOK_EXPERIMENTS", "BookExperiment"]
