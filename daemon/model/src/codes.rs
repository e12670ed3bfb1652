//! placeholder until the code-form parser lands
