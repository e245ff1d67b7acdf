"""Development tooling: the one-command local run (``make run``), the embedded PostgreSQL
and Redis it starts, its demo data, and the writer of the committed OpenAPI contract.

Nothing in ``app/`` or ``workers/`` imports this package (an import-linter contract checks
it), and the production image leaves it out.
"""
