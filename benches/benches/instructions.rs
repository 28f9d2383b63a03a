//! Instruction counts (callgrind, through gungraun) of every case in the registry, one call each,
//! after warm-up calls made in the (unmeasured) setup. Run through `benches/run.sh`.

use std::hint::black_box;

use gungraun::prelude::*;
use stackfirst_benches::host::{indexed_cases, leaked_ctx};
use stackfirst_benches::Ctx;

type Input = (&'static mut Ctx, fn(&mut Ctx, usize) -> u64, usize);

/// Builds the context and warms the case up (allocator caches, bump chunks, branch history
/// does not matter to callgrind, but first-call paths do); none of it is measured.
fn setup(index: usize) -> Input {
    let (case, n) = indexed_cases()[index];
    let n = n.unwrap_or(0);
    let ctx = leaked_ctx();
    for _ in 0..32 {
        ctx.prepare();
        black_box((case.run)(ctx, black_box(n)));
    }
    ctx.prepare();
    (ctx, case.run, n)
}

#[library_benchmark]
#[benches::case(iter = 0..indexed_cases().len(), setup = setup)]
fn call(input: Input) -> u64 {
    let (ctx, run, n) = input;
    black_box(run(ctx, black_box(n)))
}

library_benchmark_group!(name = registry; benchmarks = call);
main!(library_benchmark_groups = registry);
