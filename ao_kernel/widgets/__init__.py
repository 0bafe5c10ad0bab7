"""Drawings of the views for notebooks: message graph, sequence diagram, state timeline, live
progress and HTML cards. Everything works offline (no CDN) and renders deterministically."""

from .cards import message_card, process_card, result_card
from .graph import GraphPicture, graph
from .progress import Progress, run_with_progress
from .sequence import SequenceDiagram, sequence
from .timeline import TimelineWidget, timeline

__all__ = ["GraphPicture", "Progress", "SequenceDiagram", "TimelineWidget", "graph",
           "message_card", "process_card", "result_card", "run_with_progress", "sequence",
           "timeline"]
