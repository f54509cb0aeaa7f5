"""The pods and events of the synthetic incident of `sweep.py` (`synthetic_cluster` writes the bundle
with the objects around them): the mix of pod states and the root cause each should be diagnosed as,
the pods in those states, and their events.

The cluster is drawn by the modules of `synthetic/` (its docstring says what each holds).
"""

from __future__ import annotations

from synthetic.draws import CAPTURED_AT
from synthetic.events import events
from synthetic.pod_states import pods_in_states
from synthetic.pods import GeneratedPod
from synthetic.states import MIX
from synthetic.workloads import Workload

__all__ = ["CAPTURED_AT", "MIX", "GeneratedPod", "Workload", "events", "pods_in_states"]
