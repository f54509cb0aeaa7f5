"""A synthetic incident in a large cluster, drawn from one seed: `bundle.generate_bundle` writes it as
`kubectl get pods,events,services,endpoints,deployments,replicasets,nodes -A -o json` prints it.

What the cluster holds, one module each, in the order it is drawn (`draws`: the one random source):
- `namespaces`: system and team namespaces, about half of the latter in the Istio mesh;
- `nodes`: the nodes, their IPs and states (ready, under pressure, NotReady);
- `workloads`: Deployments, StatefulSets and CronJobs' Jobs, and which pods each gets;
- `pods` (with `containers`, `istio`): a pod per workload template, running and ready; `pod_states`
  turns each into its state (`container_failures`, `start_failures`, `pod_endings`), `states` lists
  the states and the root cause a diagnosis should give each;
- `services`, `deployments` (with `controllers`), `node_objects`: the objects around the pods;
- `events`: what the states, the nodes and the start-up of recent pods produced.
There are no metrics: the sweep diagnoses from the API objects alone.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/, at the repository root
