"""Local fakes of the outside services Trackr talks to, for tests and the benchmark."""
