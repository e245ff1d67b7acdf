"""Load benchmark of the customer API (issue 3): seed, floor app, wrk harness. See README.md."""
