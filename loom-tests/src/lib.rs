//! Model checks of `stackfirst`'s lock-free arena, run with `RUSTFLAGS="--cfg loom"`.
