"""Quality and speed benchmarks that print tables (``make bench``); not timed tests."""
