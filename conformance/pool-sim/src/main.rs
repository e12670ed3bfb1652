//! The data pool simulator. Being written.

fn main() {}
