"""ACME's own incident-lab rules; each module registers its rules when incident-lab imports it."""
