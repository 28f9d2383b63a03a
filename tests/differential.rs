//! Differential property test: random sequences of every mutating operation run on `StackVec`
//! and `std::vec::Vec` side by side, compared after every step, for several element types and
//! inline budgets, each spilling into the global heap, a layout-checking ledger and an arena
//! frame. With `Tracked` elements, every value is accounted for at the end. The model itself is
//! `common::differential`, shared with the fuzz target.

mod common;

use common::differential::{run_all, Op};
use common::{Pair, Tracked};
use proptest::prelude::*;

fn op() -> impl Strategy<Value = Op> {
    let idx = 0usize..80;
    let small = proptest::collection::vec(any::<u8>(), 0..24);
    prop_oneof![
        6 => any::<u8>().prop_map(Op::Push),
        1 => any::<u8>().prop_map(Op::PushMut),
        2 => Just(Op::Pop),
        2 => (idx.clone(), any::<u8>()).prop_map(|(i, v)| Op::Insert(i, v)),
        1 => (idx.clone(), any::<u8>()).prop_map(|(i, v)| Op::InsertMut(i, v)),
        2 => idx.clone().prop_map(Op::Remove),
        1 => idx.clone().prop_map(Op::SwapRemove),
        1 => idx.clone().prop_map(Op::Truncate),
        1 => Just(Op::Clear),
        1 => (idx.clone(), any::<u8>()).prop_map(|(n, v)| Op::Resize(n, v)),
        1 => (idx.clone(), any::<u8>()).prop_map(|(n, v)| Op::ResizeWith(n, v)),
        2 => small.clone().prop_map(Op::ExtendFromSlice),
        2 => small.clone().prop_map(Op::Extend),
        2 => (small.clone(), 0usize..64, proptest::option::of(0usize..64))
            .prop_map(|(v, lo, hi)| Op::ExtendLying(v, lo, hi)),
        1 => small.clone().prop_map(Op::Append),
        1 => idx.clone().prop_map(Op::SplitOff),
        2 => (idx.clone(), idx.clone(), 0usize..8, 0usize..8).prop_map(|(a, b, k, j)| Op::Drain(a, b, k, j)),
        1 => (1u8..5).prop_map(Op::Retain),
        1 => (1u8..5).prop_map(Op::RetainMut),
        1 => Just(Op::Dedup),
        1 => (1u8..5).prop_map(Op::DedupByKey),
        1 => (0usize..70).prop_map(Op::Reserve),
        1 => (0usize..70).prop_map(Op::ReserveExact),
        1 => Just(Op::ShrinkToFit),
        1 => (0usize..70).prop_map(Op::ShrinkTo),
        1 => Just(Op::IntoHeapExact),
        1 => Just(Op::IntoBoxedSlice),
        1 => Just(Op::Clone),
        1 => (0usize..30).prop_map(Op::IntoIterPartial),
        1 => any::<u8>().prop_map(Op::SpareCapacityWrite),
        1 => small.clone().prop_map(Op::FromIter),
        2 => (small.clone(), 0usize..64, proptest::option::of(0usize..64), 0usize..24)
            .prop_map(|(b, lo, hi, k)| Op::Collect(b, lo, hi, k)),
        1 => (any::<u8>(), 0usize..8).prop_map(|(m, k)| Op::RetainPanicking(m, k)),
        1 => (small.clone(), 0usize..24).prop_map(|(b, k)| Op::ExtendPanicking(b, k)),
        2 => (idx.clone(), idx.clone(), small.clone(), proptest::option::of((0usize..64, proptest::option::of(0usize..64))), 0usize..24)
            .prop_map(|(a, b, items, hint, k)| Op::Splice(a, b, items, hint, k)),
        1 => (idx.clone(), idx.clone(), small.clone(), 0usize..26, 0usize..10)
            .prop_map(|(a, b, items, k, j)| Op::SplicePanicking(a, b, items, k, j)),
        2 => (idx.clone(), idx.clone(), 1u8..5, 0usize..8).prop_map(|(a, b, m, k)| Op::ExtractIf(a, b, m, k)),
        1 => (idx.clone(), idx.clone(), 1u8..5, 0usize..10).prop_map(|(a, b, m, k)| Op::ExtractIfPanicking(a, b, m, k)),
        1 => (1u8..5).prop_map(Op::PopIf),
        1 => (idx.clone(), idx.clone()).prop_map(|(a, b)| Op::ExtendFromWithin(a, b)),
        2 => any::<u8>().prop_map(Op::TryPush),
        1 => (idx.clone(), any::<u8>()).prop_map(|(i, v)| Op::TryInsert(i, v)),
        1 => small.clone().prop_map(Op::TryExtendFromSlice),
        1 => (small.clone(), 0usize..64, proptest::option::of(0usize..64))
            .prop_map(|(v, lo, hi)| Op::TryExtend(v, lo, hi)),
        1 => (idx, any::<u8>()).prop_map(|(n, v)| Op::TryResize(n, v)),
        1 => any::<u8>().prop_map(Op::PushWithinCapacity),
        2 => any::<u8>().prop_map(Op::Convert),
        1 => small.prop_map(Op::Reallocate),
        1 => Just(Op::Flatten),
        1 => (proptest::collection::vec(any::<u8>(), 0..24), 0usize..8)
            .prop_map(|(b, k)| Op::CloneFrom(b, k)),
    ]
}

macro_rules! differential {
    ($($name:ident: $t:ty, $n:literal;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
            $(
                #[test]
                fn $name(ops in proptest::collection::vec(op(), 1..60)) {
                    run_all::<$t, $n>(&ops);
                }
            )*
        }
    };
}

differential! {
    u8_0: u8, 0; u8_8: u8, 8; u8_32: u8, 32; u8_64: u8, 64;
    u64_0: u64, 0; u64_8: u64, 8; u64_32: u64, 32; u64_64: u64, 64;
    pair_0: Pair, 0; pair_8: Pair, 8; pair_32: Pair, 32; pair_64: Pair, 64;
    zst_0: (), 0; zst_32: (), 32; counted_zst_0: common::Zst, 0; counted_zst_32: common::Zst, 32;
    tracked_0: Tracked, 0; tracked_8: Tracked, 8; tracked_32: Tracked, 32; tracked_64: Tracked, 64;
    string_0: String, 0; string_8: String, 8; string_32: String, 32; string_64: String, 64;
    aligned_0: common::Aligned, 0; aligned_64: common::Aligned, 64; aligned_256: common::Aligned, 256;
}
