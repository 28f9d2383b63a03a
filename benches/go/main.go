// The four allocation patterns of stackfirst's benchmark table, in Go, for int64 and a 16-byte
// struct. Each pattern is a //go:noinline function with n known only at run time.
//
//	gotable allocs                        one JSON line per pattern, type and n: testing.AllocsPerRun
//	gotable run PATTERN TYPE N CALLS      calls the pattern's entry CALLS times (for callgrind)
//
// callgrind's --toggle-collect measures each pattern's own function (constInt, ..., escapeInt:
// for the escaping one, the caller's use of the returned slice too), not the run* entries that
// call it: their frame setup and call are harness, as the Rust harness's are. benches/run.sh
// subtracts the count of `empty`, measured the same way, as the Rust table subtracts its empty
// case's.
//
// The local patterns sum inline on purpose: Go 1.26 keeps an append loop's backing store on the
// stack only if the slice is not passed on, not even to a helper that gets inlined (measured:
// 1 allocation instead of 0), and the table shows Go at its best.
package main

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

type pair struct{ a, b int64 }

const intBudget = 4  // 32 bytes of int64
const pairBudget = 2 // 32 bytes of pair

//go:noinline
func constInt(n int) int64 {
	s := make([]int64, 0, intBudget)
	for i := 0; i < n; i++ {
		s = append(s, int64(i))
	}
	var t int64
	for _, v := range s {
		t += v
	}
	return t
}

//go:noinline
func varInt(n int) int64 {
	s := make([]int64, 0, n)
	for i := 0; i < n; i++ {
		s = append(s, int64(i))
	}
	var t int64
	for _, v := range s {
		t += v
	}
	return t
}

//go:noinline
func localInt(n int) int64 {
	var s []int64
	for i := 0; i < n; i++ {
		s = append(s, int64(i))
	}
	var t int64
	for _, v := range s {
		t += v
	}
	return t
}

//go:noinline
func escapingInt(n int) []int64 {
	var s []int64
	for i := 0; i < n; i++ {
		s = append(s, int64(i))
	}
	return s
}

//go:noinline
func escapeInt(n int) int64 { return sumInt(escapingInt(n)) }

func sumInt(s []int64) int64 {
	var t int64
	for _, v := range s {
		t += v
	}
	return t
}

//go:noinline
func constPair(n int) int64 {
	s := make([]pair, 0, pairBudget)
	for i := 0; i < n; i++ {
		s = append(s, pair{int64(i), 1})
	}
	var t int64
	for _, v := range s {
		t += v.a + v.b
	}
	return t
}

//go:noinline
func varPair(n int) int64 {
	s := make([]pair, 0, n)
	for i := 0; i < n; i++ {
		s = append(s, pair{int64(i), 1})
	}
	var t int64
	for _, v := range s {
		t += v.a + v.b
	}
	return t
}

//go:noinline
func localPair(n int) int64 {
	var s []pair
	for i := 0; i < n; i++ {
		s = append(s, pair{int64(i), 1})
	}
	var t int64
	for _, v := range s {
		t += v.a + v.b
	}
	return t
}

//go:noinline
func escapingPair(n int) []pair {
	var s []pair
	for i := 0; i < n; i++ {
		s = append(s, pair{int64(i), 1})
	}
	return s
}

//go:noinline
func escapePair(n int) int64 { return sumPair(escapingPair(n)) }

func sumPair(s []pair) int64 {
	var t int64
	for _, v := range s {
		t += v.a + v.b
	}
	return t
}

// The entries callgrind toggles on, by pattern and type; names match the run* functions.
var entries = map[string]map[string]func(int) int64{
	"const":  {"u64": runConstInt, "16-byte struct": runConstPair},
	"var":    {"u64": runVarInt, "16-byte struct": runVarPair},
	"local":  {"u64": runLocalInt, "16-byte struct": runLocalPair},
	"escape": {"u64": runEscapeInt, "16-byte struct": runEscapePair},
	"empty":  {"-": runEmpty},
}

//go:noinline
func runConstInt(n int) int64 { return constInt(n) }

//go:noinline
func runVarInt(n int) int64 { return varInt(n) }

//go:noinline
func runLocalInt(n int) int64 { return localInt(n) }

//go:noinline
func runEscapeInt(n int) int64 { return escapeInt(n) }

//go:noinline
func runConstPair(n int) int64 { return constPair(n) }

//go:noinline
func runVarPair(n int) int64 { return varPair(n) }

//go:noinline
func runLocalPair(n int) int64 { return localPair(n) }

//go:noinline
func runEscapePair(n int) int64 { return escapePair(n) }

// The Go floor: an empty pattern, measured like the others and subtracted from them (the Rust
// table's `empty` case). Both floors are two instructions, the result and the return: Rust's
// `n as u64` moves the argument's register into the result's, while Go's register ABI returns
// in the argument's own register, so `n + 1` makes its one instruction. (With `int64(n)`, a
// bare `ret`, every Go cell was 1 higher than the Rust cells beside it.)
//
//go:noinline
func empty(n int) int64 { return int64(n) + 1 }

//go:noinline
func runEmpty(n int) int64 { return empty(n) }

var sink int64

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "allocs" {
		for _, p := range []string{"const", "var", "local", "escape"} {
			for _, t := range []string{"u64", "16-byte struct"} {
				for _, n := range []int{3, 5, 16} {
					f := entries[p][t]
					a := testing.AllocsPerRun(1000, func() { sink += f(n) })
					fmt.Printf("{\"pattern\":%q,\"ty\":%q,\"n\":%d,\"allocs\":%v}\n", p, t, n, a)
				}
			}
		}
		return
	}
	if len(os.Args) == 6 && os.Args[1] == "run" {
		f := entries[os.Args[2]][os.Args[3]]
		n, _ := strconv.Atoi(os.Args[4])
		calls, _ := strconv.Atoi(os.Args[5])
		for i := 0; i < calls; i++ {
			sink += f(n)
		}
		return
	}
	fmt.Fprintln(os.Stderr, "usage: gotable allocs | gotable run PATTERN TYPE N CALLS")
	os.Exit(2)
}
