//! Benchmarks live in `benches/`; see `README.md` for the figures.
