"""asv benchmark suites for ferrograd. Run from this folder's parent: `cd benchmarks && asv run`."""
