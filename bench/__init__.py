"""Benchmarks of the DAS-portaal (`make bench`): not part of `make test` or CI."""
