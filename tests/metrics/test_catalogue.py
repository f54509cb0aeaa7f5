"""The PromQL catalogue: one query per signal per namespace, and no name can change a query's meaning."""

from __future__ import annotations

import pytest

from incident_lib.errors import InputError
from incident_lib.metrics.catalogue import SIGNALS, promql


@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_every_signal_asks_for_the_whole_namespace_at_once(signal):
    query = promql(signal, "apps")
    grouping = {
        "resources": "sum by (namespace, pod, container) (",
        "istio": "sum by (destination_service_namespace, destination_service_name",
        "http": "sum by (namespace, service",
    }[SIGNALS[signal].profile]
    assert grouping in query
    assert 'namespace="apps"' in query and "pod=" not in query


@pytest.mark.parametrize(
    "hostile",
    ['apps"}) or vector(1) #', "apps\nx", "APPS", "-apps", "a" * 64, 'apps", namespace=~".*'],
)
def test_a_hostile_namespace_is_refused_before_it_reaches_a_query(hostile):
    with pytest.raises(InputError, match="invalid namespace name"):
        promql("memory_working_set", hostile)


@pytest.mark.parametrize("signal", sorted(s for s in SIGNALS if SIGNALS[s].profile == "istio"))
def test_istio_signals_read_what_the_callers_sidecars_report(signal):
    # fault injection (delay, abort) happens in the caller's sidecar: only reporter="source" sees it
    query = promql(signal, "apps")
    rest = query.replace("destination_service_namespace", "").replace("destination_service_name", "")
    assert 'reporter="source"' in query and "destination" not in rest
