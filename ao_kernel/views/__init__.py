"""Pure views of the log: pandas tables, the message graph, sequence and state-timeline data.

Views read the recorded log (and, for timelines, replay it once); they never drive the network.
`ao_kernel.widgets` draws them.
"""

from .graph import edges_frame, message_graph
from .sequence import Sequence, sequence
from .tables import inbox_frame, messages_frame, results_frame
from .timeline import Diff, Step, Timeline, state_timeline

__all__ = ["Diff", "Sequence", "Step", "Timeline", "edges_frame", "inbox_frame",
           "message_graph", "messages_frame", "results_frame", "sequence", "state_timeline"]
