//! Seeded generators of realistic synthetic networks, shared by tests and benches.
