"""Retry policy for steps whose failures are usually transient.

Ingestion (a file still being copied by the supplier, an NFS hiccup, the warehouse lock held
past its timeout) and the export / serving steps (a full or briefly unavailable disk) are
retried three times with a growing, jittered delay. The dbt build is deliberately *not*
retried: its failures are failed data tests or model errors, which a re-run reproduces after
another full build — the failure must reach a person, not be hidden by a retry loop. A rejected
batch is not retried either (``Failure(allow_retries=False)``): it stays rejected until the
supplier replaces it.
"""

from __future__ import annotations

import os

from dagster import Backoff, Jitter, RetryPolicy

# First delay in seconds (then doubled); YIBAO_RETRY_DELAY_S shortens it for tests.
RETRY_DELAY_S = float(os.environ.get("YIBAO_RETRY_DELAY_S", "30"))

TRANSIENT_RETRY = RetryPolicy(max_retries=3, delay=RETRY_DELAY_S, backoff=Backoff.EXPONENTIAL,
                              jitter=Jitter.PLUS_MINUS)
