"""The rule on its bundle, in process. Run it with the package installed where incident-lab is:
incident-lab finds the rule through the package's entry point."""

import json
import shutil
from pathlib import Path

from incident_lib.diagnose import diagnose_pods
from incident_lib.sources.bundle import read_bundle

BUNDLE = Path(__file__).parent / "bundle"
POD = ("shop", "storefront-6d5f8b7c9d-x7k2p")


def test_a_secret_missing_because_its_certificate_is_not_ready_is_certificate_not_ready():
    [diagnosis] = diagnose_pods(read_bundle(BUNDLE), *POD)

    assert diagnosis.root_cause == "certificate_not_ready"
    assert diagnosis.rule == "pods.certificate_not_ready/1"
    cited = {(e.field, e.value) for e in diagnosis.evidence}
    assert (
        "status.conditions[Ready]",
        "False: DoesNotExist Issuing certificate as Secret does not exist",
    ) in cited
    assert ("spec.secretName", "storefront-tls") in cited


def test_a_secret_missing_while_its_certificate_is_ready_is_left_to_config_error(tmp_path):
    bundle = shutil.copytree(BUNDLE, tmp_path / "bundle")
    certificates = bundle / "k8s" / "certificates.json"
    document = json.loads(certificates.read_text())
    ready = next(c for c in document["items"][0]["status"]["conditions"] if c["type"] == "Ready")
    ready.update(status="True", reason="Ready", message="Certificate is up to date and has not expired")
    certificates.write_text(json.dumps(document))

    [diagnosis] = diagnose_pods(read_bundle(bundle), *POD)

    assert diagnosis.root_cause == "config_error"
