"""The incident lifecycle: an Alertmanager notification in, the evidence frozen, the diagnosis and the
postmortem draft written into an incident store, and people told.

- `alerts`:  Alertmanager's webhook payload (version 4), validated, and the subjects its labels name;
- `record`:  the incident record (`incident.json`): made from a notification, merged with the next ones;
- `store`:   the incident store (a local folder or an fsspec URL), one folder per incident, `index.html`;
- `respond`: what a notification sets off: capture, diagnosis, notebooks, notifications;
- `notify`:  notifications through apprise, URLs from the environment;
- `cli`:     `incident-lab incidents list` and `incident-lab incidents show ID`.
"""
