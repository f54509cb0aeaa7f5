"""The PromQL catalogue: one query per signal per namespace, and no name can change a query's meaning."""

from __future__ import annotations

import pytest

from incident_lib.errors import InputError
from incident_lib.metrics.catalogue import SIGNALS, promql


@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_every_signal_aggregates_the_whole_namespace_by_pod(signal):
    query = promql(signal, "apps")
    assert query.startswith("sum by (namespace, pod, container) (")
    assert 'namespace="apps"' in query and "pod=" not in query


@pytest.mark.parametrize(
    "hostile",
    ['apps"}) or vector(1) #', "apps\nx", "APPS", "-apps", "a" * 64, 'apps", namespace=~".*'],
)
def test_a_hostile_namespace_is_refused_before_it_reaches_a_query(hostile):
    with pytest.raises(InputError, match="invalid namespace name"):
        promql("memory_working_set", hostile)
