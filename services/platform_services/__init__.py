"""The platform's four demo microservices, built from one small codebase.

`backend-api` fans out to `users-service`, `orders-service` and `payments-service`; every service
serves `/health`, `/ready` and `/metrics`, and carries fault knobs (environment variables) that the
failure drills and the diagnosis tests use to make it slow, failing, memory-hungry or crashing.
"""
