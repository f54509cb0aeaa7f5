"""What a notebook parameter means, checked before a kernel starts.

`runner.py` checks a value's type against the notebook's parameters cell; this module checks what the
project's parameter names mean, whichever notebook declares them: `window` is a duration or START/END,
`source` is `live` or a bundle that exists, `prometheus_url` holds no credentials (the executed
notebook keeps its parameters), and the names of namespaces and pods are valid and, for a
bundle, held by it (the closest names that are, suggested). A mistake then costs one line, not a
kernel start and a traceback in a cell.
"""

from __future__ import annotations

from incident_lib.durations import parse_duration
from incident_lib.errors import InputError
from incident_lib.names import dns_label, dns_subdomain, not_found
from incident_lib.snapshot import Snapshot, parse_window
from incident_lib.sources.open import LIVE, bundle_path
from incident_lib.sources.prometheus import display_url

NAMESPACE_PARAMETERS = ("namespace", "namespaces", "monitoring_namespace")
POD_PARAMETERS = ("pod", "pods")


def check_meanings(given: dict[str, object], effective: dict[str, object]) -> None:
    """Raise InputError naming the first parameter in `given` whose value does not mean what its name
    says. `effective` holds every parameter of the run (defaults included, paths absolute): names are
    looked up in its `source`, pods in its `namespace`."""
    source = str(effective.get("source", LIVE))
    if "window" in given:
        _check_window(str(given["window"]))
    if "source" in given:
        _check_source(source)
    if "prometheus_url" in given:
        _check_no_credentials(str(given["prometheus_url"]))
    namespaces = {n: _as_list(given[n]) for n in NAMESPACE_PARAMETERS if n in given}
    pods = {n: _as_list(given[n]) for n in POD_PARAMETERS if n in given}
    for values in namespaces.values():
        for value in values:
            dns_label(value, "namespace")
    for values in pods.values():
        for value in values:
            dns_subdomain(value, "pod")
    if (namespaces or pods) and source != LIVE:
        _check_held(_bundle(source), namespaces, pods, effective.get("namespace"))


def _check_window(window: str) -> None:
    if not window:
        return
    try:
        parse_duration(window)
    except ValueError:
        if "/" not in window:
            raise InputError(
                f"parameter window {window!r}: expected a duration ending now (30m, 1h, 6h) "
                "or START/END in RFC 3339"
            ) from None
        try:
            parse_window(window)
        except InputError as exc:
            raise InputError(f"parameter {exc}") from None


def _check_source(source: str) -> None:
    if source == LIVE:
        return
    path = bundle_path(source)
    if not path.exists():
        raise InputError(
            f"parameter source: {source} does not exist (a bundle directory, a .tar.gz, or live)"
        )
    if not (path.is_dir() or path.is_file()):
        raise InputError(f"parameter source: {source} is neither a directory nor a file")


def _check_no_credentials(url: str) -> None:
    if display_url(url) != url:  # papermill writes parameters into the executed notebook, verbatim
        raise InputError(
            "parameter prometheus_url: the executed notebook would keep the credentials in the URL; "
            "give them in PROMETHEUS_USER and PROMETHEUS_PASSWORD (or PROMETHEUS_TOKEN) instead"
        )


def _bundle(source: str) -> Snapshot:
    from incident_lib.sources.bundle import read_bundle

    return read_bundle(bundle_path(source))


def _check_held(
    snapshot: Snapshot, namespaces: dict[str, list], pods: dict[str, list], namespace: object
) -> None:
    held = snapshot.namespaces()
    for parameter, values in namespaces.items():
        for value in values:
            if value not in held:
                error = not_found("namespace", value, held)
                listed = "" if "did you mean" in str(error) else f"; the snapshot holds {', '.join(held)}"
                raise InputError(f"parameter {parameter}: {error}{listed}")
    if not isinstance(namespace, str):
        return  # a notebook whose pods are not of one namespace: nothing to look them up in
    names = [p.name for p in snapshot.view.pods_in(namespace)]
    for parameter, values in pods.items():
        for value in values:
            if value not in names:
                raise InputError(
                    f"parameter {parameter} (namespace {namespace}): {not_found('pod', value, names)}"
                )


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]
