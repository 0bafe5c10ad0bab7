"""Pure views of the log: pandas tables (graphs and timelines come with the notebook issue)."""

from .tables import messages_frame, results_frame

__all__ = ["messages_frame", "results_frame"]
