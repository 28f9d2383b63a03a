//! A realistic workload for the spill report: tokenizing text into StackVecs, with the skewed
//! length distribution real text has (most lines short, a few long), then printing which call
//! sites spill and what inline budget each one needs.
//!
//! Run: `cargo run --example spill_report --features spill-report`

use stackfirst::StackVec;

/// A deterministic stand-in for a corpus: line lengths in words follow a long-tailed
/// distribution (1-3 words mostly, up to 40), word lengths 1-12 letters.
fn corpus(lines: usize) -> Vec<String> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    (0..lines)
        .map(|_| {
            // Long tail: mostly 1-3 words, sometimes up to 40.
            let words = 1 + next(3) + if next(10) == 0 { next(37) } else { 0 };
            (0..words)
                .map(|_| {
                    let len = 1 + next(4) + if next(8) == 0 { next(8) } else { 0 };
                    (0..len)
                        .map(|_| (b'a' + next(26) as u8) as char)
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The words of a line (16-byte `&str`: two fit the default 32 bytes).
fn tokens(line: &str) -> StackVec<&str> {
    StackVec::from_iter(line.split_whitespace())
}

/// A word's vowels' positions, as bytes.
fn vowel_positions(word: &str) -> StackVec<u8, 8> {
    let mut v = StackVec::new();
    v.extend(
        word.bytes()
            .enumerate()
            .filter(|(_, b)| b"aeiou".contains(b))
            .map(|(i, _)| i as u8),
    );
    v
}

/// Word lengths of a line, kept past the line (Go's escaping append loop).
fn lengths(line: &str) -> Vec<u32> {
    let mut v: StackVec<u32> = StackVec::new();
    v.extend(line.split_whitespace().map(|w| w.len() as u32));
    v.into_heap_exact()
}

fn main() {
    let text = corpus(20_000);
    let mut checksum = 0usize;
    for line in &text {
        let words = tokens(line);
        for word in &words {
            checksum += vowel_positions(word).len();
        }
        checksum += lengths(line).iter().sum::<u32>() as usize;
    }
    println!("tokenized {} lines (checksum {checksum})\n", text.len());
    print!("{}", stackfirst::spill_report());
}
