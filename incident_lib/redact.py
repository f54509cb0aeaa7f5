"""Redaction of secrets in what a capture keeps and in whatever is shown: env values, command lines,
probes, annotations, messages and logs.

Secrets never leave the cluster: Secret objects are not collected, and what else may hold one is
redacted when it is collected, so a live diagnosis and the bundle a capture writes see the same text.
Bundles are also made by hand with `kubectl`, so whatever is shown or written is redacted again
(`incident_lib.text_safety.safe_text`); redacting twice gives what redacting once gives.

Known credential shapes (AWS keys, URLs with a password, JWTs, private keys, tokens of well-known
services, `password: x` assignments, random-looking base64) are found by `detect-secrets`' plugins.
The rules written here cover what those plugins do not: HTTP auth headers and cookies, command-line
flags, `mysql -p`, `curl -u`, prose ("the password is x"), and the Kubernetes places whose name says a
secret (env var and header names) or whose whole value is one (env, header and annotation values).
Pure functions, no I/O: objects are copied where they change and returned as they are otherwise.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

REDACTED = "[REDACTED]"
_NOT_DONE = r"(?!\[REDACTED\]|(?:true|false)\b)"  # redacted already, or a flag's switch

# An env var or HTTP header whose name says it holds a secret keeps its name and loses its value.
SECRET_NAME = re.compile(
    r"TOKEN|PASS|PWD|SECRET|KEY|CREDENTIAL|AUTH|PRIVATE|SIGNATURE|COOKIE|SESSION|DSN", re.I
)
# A command-line flag naming a secret: the next argument is its value (`--password VALUE`).
_SECRET_FLAG = re.compile(
    r"--?[\w-]*(?:passw(?:or)?d|secret|token|api-?key|access-?key|credentials?)[\w-]*", re.I
)
_USER_FLAG = ("-u", "--user")  # curl, wget, helm …: `-u user:password`
# An HTTP header value with an auth scheme, whatever the header's name (`X-Upstream: Basic dXNl…`).
_AUTH_SCHEME = re.compile(r"(?i)\s*(?:basic|bearer|digest|token|negotiate)\s+\S")

# What detect-secrets has no plugin for. Each keeps what says where the secret was and replaces it, and
# runs only on text holding one of its words (in lower case): most text shown holds none.
_VALUE = rf"{_NOT_DONE}[^\s\"',;]+"
_RULES: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    # Authorization: Bearer x / Basic x / token x, and a bearer token anywhere
    (
        ("authorization",),
        re.compile(rf"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|basic|token|digest)\s+){_VALUE}"),
        rf"\1{REDACTED}",
    ),
    (("bearer",), re.compile(rf"(?i)\b(bearer\s+){_NOT_DONE}[A-Za-z0-9._~+/-]+=*"), rf"\1{REDACTED}"),
    # Cookie: session=x; theme=y — the whole header value
    (
        ("cookie",),
        re.compile(rf"(?i)\b((?:set-)?cookie[\"']?\s*:\s*){_NOT_DONE}[^\s\"'][^\n\"']*"),
        rf"\1{REDACTED}",
    ),
    # token=x, ?access_token=x, "accessKey": "x", token:x — words the plugin's keyword list lacks; not
    # `token: x`, which is prose ("failed to fetch oauth token: unexpected status")
    (
        ("token", "access", "credential"),
        re.compile(
            rf"(?i)(\b[\w.-]*(?:token|access[_-]?key|credentials?)[\w.-]*"
            rf"(?:\s*=\s*[\"']?|[\"']?\s*:\s*[\"']|:(?=\S)))"
            rf"{_NOT_DONE}[^\s\"'&,;]+"
        ),
        rf"\1{REDACTED}",
    ),
    # a dockerconfigjson's {"auths": {"registry": {"auth": "base64(user:password)"}}}
    (('"auth"',), re.compile(rf"(?i)(\"auth\"\s*:\s*\"){_NOT_DONE}[^\"]+"), rf"\1{REDACTED}"),
    # --password x, --client-secret=x (a flag and its value in one string)
    (
        ("passw", "secret", "token", "key", "credential"),
        re.compile(rf"(?i)(\s|^)({_SECRET_FLAG.pattern}(?:=|\s+)){_VALUE}"),
        rf"\1\2{REDACTED}",
    ),
    # curl -u user:password
    (
        ("-u", "--user"),
        re.compile(rf"((?<![\w-])(?:-u|--user)(?:\s+|=)[\"']?[^\s:\"']+:){_VALUE}"),
        rf"\1{REDACTED}",
    ),
    # redis://:password@host — the URL plugin wants a user name before the colon
    (("://:",), re.compile(rf"(://:){_NOT_DONE}[^@\s/]+(@)"), rf"\1{REDACTED}\2"),
    # "the admin password is x" (not "the password is incorrect")
    (
        ("password", "passphrase", "secret"),
        re.compile(
            r"(?i)(\b(?:password|passphrase|secret)\s+(?:is|was)\s+[\"']?)"
            rf"(?!(?:incorrect|invalid|wrong|required|missing|empty|expired|not|set)\b){_VALUE}"
        ),
        rf"\1{REDACTED}",
    ),
    # "basic auth with user:password", "authenticating as user:password"
    (("auth",), re.compile(rf"(?i)(\bauth\w*\s+(?:with|as|using)\s+[^\s:]+:){_VALUE}"), rf"\1{REDACTED}"),
)
# Random-looking base64: the entropy and its limit are detect-secrets' (`_base64_entropy`).
_BASE64 = re.compile(r"[A-Za-z0-9+/_=-]{20,}")
_QUOTED_BASE64 = re.compile(r"[\"']([A-Za-z0-9+/_=-]{20,})[\"']")
_MIXED = (re.compile("[A-Z]"), re.compile("[a-z]"), re.compile("[0-9]"))
# The plugins match a JWT's start (lazily) and a private key's header: the secret runs on.
_JWT_REST = re.compile(r"[A-Za-z0-9_.+/=-]*")
_KEY_BLOCK = re.compile(r".*?-----END[^\n]*|.*", re.S)
_UNQUOTED = re.compile(r"\S+")
_LINE = re.compile(r"[^\n]+")
# Every entry of detect-secrets' keyword list (password, api_key, secret, pwd, contraseña …) holds one
# of these (tests/test_redact.py checks it against the installed version).
KEYWORD_STEMS = ("pass", "pwd", "key", "secret", "contrase")
# mysql, mysqldump, mariadb …: `-pVALUE` is the password only on their command lines (elsewhere a port)
_MYSQL = re.compile(r"\b(?:mysql\w*|mariadb\w*)\b")
_MYSQL_PASSWORD = re.compile(rf"(?<![\w-])(-p){_NOT_DONE}(\S+)")


@dataclass(frozen=True)
class _Detection:
    """One detect-secrets pattern: the group that is the secret, and a check of the match if any."""

    pattern: re.Pattern[str]
    group: int
    accept: Callable[[str], bool] = lambda _: True
    through: re.Pattern[str] | None = None  # what follows the match and is part of the secret
    keyword: bool = False  # runs only on the lines holding one of KEYWORD_STEMS


def redact_text(text: str) -> str:
    """Return `text` with every credential found by detect-secrets or by the rules above replaced."""
    lower = text.lower()
    text = _replace(text, sorted(_spans(text)))
    for words, pattern, replacement in _RULES:
        if any(w in lower for w in words):
            text = pattern.sub(replacement, text)
    return _redact_mysql(text) if _MYSQL.search(text) else text


def redact_value(text: str) -> str:
    """Return a value that is a whole field (an env or header value, an annotation) redacted: replaced
    entirely when it is random-looking base64 (a dockerconfigjson, a key), as `redact_text` otherwise."""
    return REDACTED if _is_random_base64(text) else redact_text(text)


def redact_object(obj: Any) -> Any:
    """Return an API object with secret env values and secrets on command lines, in probes, in
    annotations and in messages (events, statuses, terminations) redacted.

    Walks the whole object, so pod templates (Deployments, Jobs, CronJobs…) are covered as well as pods.
    `valueFrom` references (a Secret's name and key) are kept: they are where a value is, not the value.
    """
    if isinstance(obj, list):
        items = [redact_object(item) for item in obj]
        return obj if all(a is b for a, b in zip(items, obj, strict=True)) else items
    if not isinstance(obj, dict):
        return obj
    changed: dict[str, Any] = {}
    for key, value in obj.items():
        if key in ("env", "httpHeaders") and isinstance(value, list):  # both are [{name, value}]
            new = [_redact_named(var, header=key == "httpHeaders") for var in value]
        elif key in ("command", "args") and isinstance(value, list):
            new = _redact_args(value, _mentions_mysql(obj))
        elif key == "annotations" and isinstance(value, dict):
            new = {name: _redact_annotation(text) for name, text in value.items()}
        elif key in ("message", "note", "path") and isinstance(value, str):
            new = redact_text(value)  # messages quote commands, URLs and pull errors; probe paths queries
        elif isinstance(value, dict | list):
            new = redact_object(value)  # the same object when nothing in it changed
            if new is value:
                continue
        else:
            continue
        if new != value:
            changed[key] = new
    return {**obj, **changed} if changed else obj


@functools.cache
def _detections() -> tuple[_Detection, ...]:
    """detect-secrets' patterns: the credential shapes found in clusters' text (not those of Discord,
    Mailchimp and Telegram tokens, whose patterns have no literal start and are the slowest), JWTs,
    private keys, keyword assignments and random-looking base64."""
    # Imported on first use: detect-secrets brings `requests` with it (~150 ms), which only a run that
    # shows or captures text needs.
    from detect_secrets.plugins import (
        aws,
        azure_storage_key,
        basic_auth,
        github_token,
        gitlab_token,
        jwt,
        npm,
        openai,
        private_key,
        pypi_token,
        sendgrid,
        slack,
        square_oauth,
        stripe,
        twilio,
    )
    from detect_secrets.plugins.keyword import CONFIG_DENYLIST_REGEX_TO_GROUP

    shaped = (
        aws.AWSKeyDetector,
        azure_storage_key.AzureStorageKeyDetector,
        basic_auth.BasicAuthDetector,
        github_token.GitHubTokenDetector,
        gitlab_token.GitLabTokenDetector,
        npm.NpmDetector,
        openai.OpenAIDetector,
        pypi_token.PypiTokenDetector,
        sendgrid.SendGridDetector,
        slack.SlackDetector,
        square_oauth.SquareOAuthDetector,
        stripe.StripeDetector,
        twilio.TwilioKeyDetector,
    )
    return (
        *(_Detection(p, 1 if p.groups else 0) for plugin in shaped for p in plugin.denylist),
        *(
            _Detection(p, 0, jwt.JwtTokenDetector.is_formally_valid, _JWT_REST)
            for p in jwt.JwtTokenDetector.denylist
        ),
        *(_Detection(p, 0, through=_KEY_BLOCK) for p in private_key.PrivateKeyDetector.denylist),
        # key: value and key = value as config files write them (password, secret, api_key …)
        *(
            _Detection(p, group, _is_a_value, keyword=True)
            for p, group in CONFIG_DENYLIST_REGEX_TO_GROUP.items()
        ),
        # random-looking base64 between quotes (unquoted, `Pod/web-5d8f9c7b6d-w4k2x` would look random)
        _Detection(_QUOTED_BASE64, 1, _is_random_base64),
    )


@functools.cache
def _base64_entropy() -> tuple[Callable[[str], float], float]:
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString

    plugin = Base64HighEntropyString()
    return plugin.calculate_shannon_entropy, plugin.entropy_limit


def _is_random_base64(text: str) -> bool:
    """True for a base64 or base64url string as random as detect-secrets' limit says a secret is.

    Upper and lower case and a digit are required too: Kubernetes names and hex digests, which are
    shown all the time, never have all three."""
    if not _BASE64.fullmatch(text) or not all(c.search(text) for c in _MIXED):
        return False
    entropy, limit = _base64_entropy()
    return entropy(text) > limit


def _is_a_value(text: str) -> bool:
    """False for what a keyword is set to when it holds nothing (`"imagePullSecrets": null`)."""
    return text.lower() not in ("null", "none", "nil", "true", "false", REDACTED.lower())


def _spans(text: str) -> Iterator[tuple[int, int]]:
    """Where detect-secrets' patterns find a secret in `text`. The keyword patterns, the slow ones, run
    line by line (as detect-secrets runs them) and only on the lines that hold a keyword."""
    keyword_lines = [
        line.span() for line in _LINE.finditer(text) if any(w in line.group().lower() for w in KEYWORD_STEMS)
    ]
    for detection in _detections():
        if detection.keyword:
            matches = (
                m for start, end in keyword_lines for m in detection.pattern.finditer(text, start, end)
            )
        else:
            matches = detection.pattern.finditer(text)
        for match in matches:
            start, end = match.span(detection.group)
            if start == end:
                continue
            if start and text[start - 1] not in "\"'`":
                end = _UNQUOTED.match(text, start, end).end()  # `password=x user=bob` keeps `user=bob`
            if detection.accept(text[start:end]):
                yield start, detection.through.match(text, end).end() if detection.through else end


def _replace(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each of the sorted `spans` replaced by REDACTED; overlapping spans are one secret."""
    out, done = [], 0
    for start, end in spans:
        if start >= done:
            out += [text[done:start], REDACTED]
        done = max(done, end)
    return "".join([*out, text[done:]])


def _redact_mysql(text: str) -> str:
    return _MYSQL_PASSWORD.sub(rf"\1{REDACTED}", text)


def _mentions_mysql(container: dict) -> bool:
    words = [w for key in ("command", "args") for w in container.get(key) or () if isinstance(w, str)]
    return any(_MYSQL.search(w) for w in words)


def _redact_args(args: list, mysql: bool) -> list:
    """A command or args list: each string redacted as text, and the value after a flag naming a
    secret (`--password`, `VALUE`) or after `-u` (`user:VALUE`) redacted as a whole."""
    out, previous = [], ""
    for arg in args:
        if isinstance(arg, str):
            new = redact_text(arg)
            if _SECRET_FLAG.fullmatch(previous) and arg not in ("true", "false"):
                new = REDACTED
            elif previous in _USER_FLAG and ":" in arg:
                new = f"{arg.split(':', 1)[0]}:{REDACTED}"
            elif mysql:
                new = _redact_mysql(new)
            out.append(new)
            previous = arg
        else:
            out.append(arg)
            previous = ""
    return out


def _redact_named(var: Any, header: bool) -> Any:
    """An env var or an HTTP header ({name, value}): the whole value when the name says secret or, for
    a header, when the value starts with an auth scheme."""
    if not isinstance(var, dict) or not isinstance(var.get("value"), str):
        return var
    if SECRET_NAME.search(str(var.get("name", ""))) or (header and _AUTH_SCHEME.match(var["value"])):
        return {**var, "value": REDACTED} if var["value"] else var
    redacted = redact_value(var["value"])
    return {**var, "value": redacted} if redacted != var["value"] else var


def _redact_annotation(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    if text.lstrip().startswith("{"):
        # kubectl's last-applied-configuration is the object as JSON: redact it as an object.
        try:
            document = json.loads(text)
        except ValueError:
            return redact_text(text)
        redacted = redact_object(document)
        if redacted is document:
            return redact_text(text)
        return redact_text(
            json.dumps(redacted, separators=(",", ":")) + ("\n" if text.endswith("\n") else "")
        )
    return redact_value(text)
