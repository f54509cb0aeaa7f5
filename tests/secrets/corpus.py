"""The seeded corpus: secrets in every place users put them, and a bundle directory that holds them all.

Each `Seed` is one form seen in real clusters, placed where it was seen (env, args, command strings,
probe paths and headers, annotations, event messages, termination messages, logs). `secret` is what
must never appear in any output; the rest of `text` is what a reader may still see. The bundle is the
shipped crash-loop drill with a `shop` namespace added around the seeds: crash-looping pods whose
spec, status, events and logs hold them, as a bundle made by hand with `kubectl` would (unredacted).
"""

from __future__ import annotations

import base64
import json
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tests.helpers import ROOT
from tools import k8s_objects as k8s

NS = "shop"
CAPTURED = k8s.parse_timestamp("2025-12-17T10:29:00Z")


@dataclass(frozen=True)
class Seed:
    place: str  # env, args, command, probe-path, probe-header, annotation, event, termination, log
    text: str  # the value as written there (for env, headers and annotations: NAME=value)
    secret: str


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def aws_key_id(tag: str) -> str:
    """An AWS access key id's shape: AKIA and 16 upper-case letters or digits."""
    return "AKIA" + tag.upper().ljust(16, "7")[:16]


def jwt(tag: str) -> str:
    return ".".join(
        (_b64url('{"alg":"HS256","typ":"JWT"}'), _b64url(f'{{"sub":"{tag}"}}'), _b64url(f"sig-{tag}"))
    )


def dockerconfig(tag: str) -> str:
    """A base64 dockerconfigjson, as `kubectl create secret docker-registry` writes it."""
    return _b64(json.dumps({"auths": {"registry.local": {"auth": _b64(f"robot:Docker-pw-{tag}")}}}))


def private_key_body(tag: str) -> str:
    return f"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7{tag}"


def private_key(tag: str) -> str:
    return f"-----BEGIN PRIVATE KEY-----\n{private_key_body(tag)}\n-----END PRIVATE KEY-----"


AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSEED11KEY"

SEEDS: tuple[Seed, ...] = (
    # env: NAME=value
    Seed("env", f"S3_ID={aws_key_id('seedenv01')}", aws_key_id("seedenv01")),
    Seed("env", "DB_PASSWORD=Pa55-env-02", "Pa55-env-02"),
    Seed("env", "STRIPE_API_KEY=sk_test_Env03secret", "sk_test_Env03secret"),
    Seed("env", f"REGISTRY_CFG={dockerconfig('env04')}", dockerconfig("env04")),
    Seed("env", "DATABASE_URL=postgres://app:Pg-pass-env05@db:5432/shop", "Pg-pass-env05"),
    Seed("env", "REDIS_URL=redis://:Redis-env06@redis:6379/0", "Redis-env06"),
    Seed("env", "SENTRY_DSN=https://Env07dsnkey@sentry.io/42", "Env07dsnkey"),
    Seed("env", f"UPSTREAM={jwt('env08')}", jwt("env08")),
    Seed("env", "GH=ghp_Env09abcdefghijklmnopqrstuvwxyz0123", "ghp_Env09abcdefghijklmnopqrstuvwxyz0123"),
    Seed("env", f"SIGNING_MATERIAL={private_key('Env10')}", private_key_body("Env10")),
    Seed("env", f"S3_K2={AWS_SECRET}", AWS_SECRET),
    Seed("env", "JAVA_OPTS=-Xmx512m -Djavax.net.ssl.trustStorePassword=changeit-env12", "changeit-env12"),
    Seed("env", "NOTIFY=https://hooks.slack.com/services/T0SEED/B0SEED/Xk9sEcReT13abc", "Xk9sEcReT13abc"),
    # args: one list per seed
    Seed("args", "--password\nArg-pass-14", "Arg-pass-14"),
    Seed("args", "--client-secret\nArg-cs-15", "Arg-cs-15"),
    Seed("args", "--password=Arg-pass-16", "Arg-pass-16"),
    Seed("args", "--token\nArg-tok-17", "Arg-tok-17"),
    Seed("args", "-u\nadmin:Arg-curl-18", "Arg-curl-18"),
    Seed("args", "-uroot\n-pArg-mysql-19", "Arg-mysql-19"),
    Seed("args", "--api-key=Arg-key-20", "Arg-key-20"),
    Seed("args", "--db-url\nmysql://root:Arg-url-21@db/shop", "Arg-url-21"),
    # command strings (sh -c)
    Seed("command", "mysql -uroot -pCmd-mysql-22 -h db shop", "Cmd-mysql-22"),
    Seed("command", "curl -u deploy:Cmd-curl-23 https://api.local/", "Cmd-curl-23"),
    Seed("command", "app --password Cmd-pass-24 --port 8080", "Cmd-pass-24"),
    Seed("command", "app --client-secret Cmd-cs-25", "Cmd-cs-25"),
    Seed("command", "export PGPASSWORD=Cmd-pg-26 && psql -h db", "Cmd-pg-26"),
    Seed("command", "curl -H 'Authorization: Bearer Cmd-bearer-27' http://api.local/", "Cmd-bearer-27"),
    Seed("command", "wget --header='Cookie: session=Cmd-cookie-28' http://api.local/", "Cmd-cookie-28"),
    Seed("command", "redis-cli -u redis://:Cmd-redis-29@redis:6379 ping", "Cmd-redis-29"),
    # probes: httpGet paths, then headers (NAME=value)
    Seed("probe-path", "/healthz?token=Probe-tok-30", "Probe-tok-30"),
    Seed("probe-path", "/ready?access_token=Probe-at-31&verbose=1", "Probe-at-31"),
    Seed("probe-path", "/status?api_key=Probe-key-32", "Probe-key-32"),
    Seed("probe-header", "Authorization=Bearer Probe-bearer-33", "Probe-bearer-33"),
    Seed("probe-header", "Cookie=session=Probe-cookie-34", "Probe-cookie-34"),
    Seed("probe-header", "X-Api-Key=Probe-xkey-35", "Probe-xkey-35"),
    Seed("probe-header", f"X-Upstream=Basic {_b64('user:Probe-basic-36')}", _b64("user:Probe-basic-36")),
    Seed("probe-header", "X-Downstream=token Probe-tok-37", "Probe-tok-37"),
    # annotations (NAME=value)
    Seed("annotation", "cache.example.com/url=redis://:Anno-redis-38@redis-master:6379/0", "Anno-redis-38"),
    Seed("annotation", f"backup.example.com/id=uploads as {aws_key_id('anno39')}", aws_key_id("anno39")),
    Seed(
        "annotation",
        "kubectl.kubernetes.io/last-applied-configuration="
        + json.dumps(
            {"kind": "Pod", "spec": {"containers": [{"env": [{"name": "DB_PASS", "value": "Anno-40"}]}]}}
        ),
        "Anno-40",
    ),
    Seed("annotation", f"registry.example.com/dockerconfig={dockerconfig('anno41')}", dockerconfig("anno41")),
    Seed(
        "annotation",
        "monitor.example.com/probe=https://robot:Anno-robot-42@registry.local/v2/",
        "Anno-robot-42",
    ),
    Seed("annotation", "ops.example.com/notes=the admin password is Anno-prose-43", "Anno-prose-43"),
    Seed("annotation", f"auth.example.com/token-sample={jwt('anno44')}", jwt("anno44")),
    # event messages
    Seed(
        "event",
        'Failed to pull image "registry.local/web:1": Get "https://robot:Evt-robot-45@registry.local/v2/": '
        "unauthorized",
        "Evt-robot-45",
    ),
    Seed(
        "event", "Readiness probe failed: Authorization: Bearer Evt-bearer-46 returned 401", "Evt-bearer-46"
    ),
    Seed("event", f"backup upload with {aws_key_id('evt47')} failed", aws_key_id("evt47")),
    Seed(
        "event",
        'Liveness probe failed: Get "http://10.0.0.5:8080/healthz?token=Evt-tok-48": timeout',
        "Evt-tok-48",
    ),
    Seed("event", "Error: basic auth with deploy:Evt-basic-49 rejected", "Evt-basic-49"),
    Seed("event", "Readiness probe failed: Cookie: session=Evt-cookie-50 expired", "Evt-cookie-50"),
    # termination messages
    Seed("termination", "fatal: the admin password is Term-prose-51", "Term-prose-51"),
    Seed("termination", "connect failed: mysql://root:Term-url-52@db:3306/shop", "Term-url-52"),
    Seed("termination", "401 for Authorization: Bearer Term-bearer-53", "Term-bearer-53"),
    Seed("termination", "config dump: password: Term-kw-54", "Term-kw-54"),
    # log lines
    Seed("log", "INFO the admin password is Log-prose-55", "Log-prose-55"),
    Seed("log", "DEBUG Cookie: session=Log-cookie-56; theme=dark", "Log-cookie-56"),
    Seed("log", "DEBUG basic auth with svc:Log-basic-57", "Log-basic-57"),
    Seed("log", 'DEBUG {"password": "Log-json-58", "user": "app"}', "Log-json-58"),
    Seed("log", f"DEBUG signing with {aws_key_id('log59')}", aws_key_id("log59")),
    Seed("log", "DEBUG token=Log-tok-60 refreshed", "Log-tok-60"),
    Seed("log", "DEBUG running mysql -uroot -pLog-mysql-61 shop", "Log-mysql-61"),
    Seed("log", "DEBUG curl -u ops:Log-curl-62 http://api.local/", "Log-curl-62"),
    Seed("log", f"DEBUG Authorization: Bearer {jwt('log63')}", jwt("log63")),
    Seed("log", f"DEBUG loaded key\n{private_key('Log64')}", private_key_body("Log64")),
    Seed("log", 'DEBUG client_secret="Log-cs-65"', "Log-cs-65"),
    Seed("log", f'DEBUG pull secret "{dockerconfig("log66")}"', dockerconfig("log66")),
)

# Terminal control: clear the screen, set the window title, plant a hyperlink, ring the bell, and a
# C1 (8-bit) CSI; each must be gone from every output.
CONTROLS = {
    "ESC[2J": "\x1b[2J",
    "OSC 0 title": "\x1b]0;pwned\x07",
    "OSC 8 hyperlink": "\x1b]8;;https://evil.example/\x1b\\",
    "BEL": "\x07",
    "C1 CSI": "\x9b31m",
}
CONTROL_LINE = "ERROR upstream failed " + "".join(CONTROLS.values()) + "click here"


def of(place: str) -> list[Seed]:
    return [s for s in SEEDS if s.place == place]


def _pairs(place: str) -> list[tuple[str, str]]:
    return [tuple(s.text.split("=", 1)) for s in of(place)]  # type: ignore[misc]


def _container(name: str, index: int) -> dict:
    spec = {"name": name, "image": f"registry.local/shop/{name}:1.{index}"}
    if index == 0:  # the first container carries the spec seeds
        spec["env"] = [{"name": n, "value": v} for n, v in _pairs("env")]
        spec["command"] = ["sh", "-c", " && ".join(s.text for s in of("command"))]
        headers = [{"name": n, "value": v} for n, v in _pairs("probe-header")]
        liveness, readiness, startup = (_probe(s.text) for s in of("probe-path"))
        liveness["httpGet"]["httpHeaders"] = headers
        spec.update(livenessProbe=liveness, readinessProbe=readiness, startupProbe=startup)
    return spec


def _probe(path: str) -> dict:
    return {
        "httpGet": {"path": path, "port": 8080, "scheme": "HTTP"},
        "failureThreshold": 3,
        "periodSeconds": 10,
    }


def _args_containers() -> list[dict]:
    """One container per args seed (the command says which tool: mysql, curl, app)."""
    out = []
    for i, seed in enumerate(of("args")):
        tool = "mysql" if "mysql" in seed.secret else "curl" if seed.text.startswith("-u\n") else "app"
        args = seed.text.split("\n")
        out.append({"name": f"args{i}", "image": "registry.local/tools:1", "command": [tool], "args": args})
    return out


def _status(name: str, message: str) -> dict:
    finished = CAPTURED - timedelta(minutes=2)
    last = k8s.terminated_state(f"containerd://{name}", "Error", 1, finished - timedelta(seconds=5), finished)
    last["terminated"]["message"] = message
    return k8s.container_status(
        name,
        f"registry.local/shop/{name}:1",
        f"registry.local/shop/{name}@sha256:{'ab' * 32}",
        f"containerd://{name}-now",
        k8s.waiting_state("CrashLoopBackOff", f"back-off 5m0s restarting failed container={name}"),
        ready=False,
        started=False,
        restarts=7,
        last_state=last,
    )


POD = "web-5d8f9c7b6d-seed1"
POD_UID = "5eed0000-0000-4000-8000-000000000001"


def seeded_pod() -> dict:
    """A crash-looping pod holding every spec, annotation and termination seed."""
    terminations = [s.text for s in of("termination")]
    names = [f"app{i}" for i in range(len(terminations))]
    containers = [_container(n, i) for i, n in enumerate(names)] + _args_containers()
    started = CAPTURED - timedelta(hours=1)
    metadata = k8s.object_meta(
        POD, NS, started, resource_version="101", uid=POD_UID, annotations=dict(_pairs("annotation"))
    )
    status = k8s.pod_status(
        [k8s.pod_condition("Ready", "False", started, "ContainersNotReady")],
        [_status(n, t) for n, t in zip(names, terminations, strict=True)],
        host_ip="10.0.0.11",
        pod_ip="10.244.1.7",
        qos_class="BestEffort",
        started=started,
    )
    return k8s.pod(metadata, {"containers": containers, "nodeName": "node-1"}, status)


def seeded_events() -> list[dict]:
    """An event about the pod for each event seed, and one carrying terminal control sequences."""
    ref = k8s.object_reference("Pod", POD, NS, POD_UID, "101", field_path="spec.containers{app0}")
    messages = [(s.text, "Unhealthy" if "probe" in s.text else "Failed") for s in of("event")]
    messages.append((CONTROL_LINE, "BackOff"))
    return [
        k8s.event(
            ref,
            reason,
            message,
            name=k8s.event_name(POD, 1000 + i),
            namespace=NS,
            first=CAPTURED - timedelta(minutes=20 - i),
            last=CAPTURED - timedelta(minutes=10 - i),
            resource_version=str(200 + i),
            uid=f"5eed0000-0000-4000-8000-0000000002{i:02d}",
            count=3,
            warning=True,
        )
        for i, (message, reason) in enumerate(messages)
    ]


def seeded_log() -> str:
    """Every log seed and the control line, last the line a rule cites from a previous log."""
    lines = [
        "INFO starting",
        *(s.text for s in of("log")),
        CONTROL_LINE,
        "fatal: the admin password is Log-last-99",
    ]
    return "\n".join(lines) + "\n"


def write_bundle(folder: Path) -> Path:
    """The crash-loop drill with the seeded pod, its events and its logs added, unredacted."""
    bundle = shutil.copytree(ROOT / "incidents" / "crash-loop", folder)
    (bundle / "k8s" / "seeded.json").write_text(json.dumps(k8s.k8s_list([seeded_pod(), *seeded_events()])))
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["namespaces"] = sorted({*manifest["namespaces"], NS})
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    logs = bundle / "logs" / NS / POD
    logs.mkdir(parents=True)
    for container in ("app0", "app1"):
        for name in (f"{container}.log", f"{container}.previous.log"):
            (logs / name).write_text(seeded_log())
    return bundle
