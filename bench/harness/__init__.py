"""What every benchmark needs and none of them measures: where the servers are, the
database and its saved state, serving the API and the floors, wrk and its rounds, py-spy,
and the helpers the seed steps share."""
