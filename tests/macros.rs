//! The macros (`stack_vec!`, `stack_format!`, `stack_concat!`) as `vec!` and `format!` behave:
//! each argument evaluated once in the order written, temporaries that live to the end of the
//! caller's statement, `?` and `return` inside arguments, and expansion that does not depend on
//! what the caller's scope names.

use std::cell::RefCell;

use stackfirst::allocator_api2::alloc::{Allocator, Global};
use stackfirst::{stack_concat, stack_format, stack_vec, StackString, StackVec};

/// Items of the caller's named like the ones the macros use.
#[allow(dead_code, non_camel_case_types, clippy::upper_case_acronyms)]
mod shadowing {
    struct Vec;
    struct String;
    struct StackVec;
    struct StackString;
    struct Default;
    struct AsRef;
    mod core {}
    mod alloc {}
    mod std {}

    #[test]
    fn macros_expand_with_the_callers_items_in_scope() {
        let a: stackfirst::StackVec<u8> = stackfirst::stack_vec![1, 2];
        let b: stackfirst::StackVec<u8> = stackfirst::stack_vec![];
        let c: stackfirst::StackVec<u8> = stackfirst::stack_vec![7; 2];
        let bump = bumpalo::Bump::new();
        let d: stackfirst::StackVec<u8, 32, _> = stackfirst::stack_vec![in &bump; 1, 2,];
        let s = stackfirst::stack_format!("{}-{}", 4, 2);
        let t = stackfirst::stack_concat!("a", s, "b",);
        let u = stackfirst::stack_concat!(in &bump; t, "!");
        let w = stackfirst::stack_format!(in &bump; "{u}");
        assert_eq!((a.len(), b.len(), c.len(), d.len()), (2, 0, 2, 2));
        assert_eq!(w.as_str(), "a4-2b!");
    }
}

fn log() -> &'static std::thread::LocalKey<RefCell<Vec<&'static str>>> {
    thread_local!(static LOG: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) });
    &LOG
}

fn note<T>(what: &'static str, value: T) -> T {
    log().with(|l| l.borrow_mut().push(what));
    value
}

fn take_log() -> Vec<&'static str> {
    log().with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// Each argument once, in the order written (as `vec!` and `format!` do): the allocator first.
#[test]
fn macros_evaluate_each_argument_once_in_source_order() {
    let bump = bumpalo::Bump::new();
    let v: StackVec<u8, 32, _> = stack_vec![in note("alloc", &bump); note("a", 1), note("b", 2)];
    assert_eq!(v, [1, 2]);
    assert_eq!(take_log(), ["alloc", "a", "b"]);
    let v: StackVec<u8, 32, _> = stack_vec![in note("alloc", &bump); note("elem", 1); note("n", 3)];
    assert_eq!(v, [1, 1, 1]);
    assert_eq!(take_log(), ["alloc", "elem", "n"]);
    let s = stack_concat!(in note("alloc", &bump); note("a", "x"), note("b", "y"));
    assert_eq!(s, "xy");
    assert_eq!(take_log(), ["alloc", "a", "b"]);
    let s = stack_format!(in note("alloc", &bump); "{}{}", note("a", 1), note("b", 2));
    assert_eq!(s, "12");
    assert_eq!(take_log(), ["alloc", "a", "b"]);
}

/// `?` and `return` in the macros' arguments.
#[test]
fn macros_take_question_marks_and_returns() {
    fn parts(x: Option<&str>) -> Option<StackString> {
        let v: StackVec<u8> = stack_vec![x?.len() as u8, 2];
        let s = stack_concat!(x?, "!");
        let f = stack_format!("{}{}", x?, v.len());
        let e: StackVec<u8> = stack_vec![match x { Some(_) => 1, None => return None }; 2];
        assert_eq!(e.len(), 2);
        Some(stack_concat!(s, f))
    }
    assert_eq!(parts(Some("ab")).unwrap(), "ab!ab2");
    assert!(parts(None).is_none());
}

fn joined<A: Allocator>(v: StackVec<&str, 32, A>) -> String {
    v.concat()
}

/// Temporaries made in the elements live to the end of the caller's statement, as with `vec!`
/// and `stack_vec!` without an allocator (a `match` on the allocator ended them with its arm:
/// E0716; found by adversarial review).
#[test]
fn element_temporaries_live_to_the_end_of_the_callers_statement() {
    let bump = bumpalo::Bump::new();
    let list = joined(stack_vec![in &bump; String::from("a").as_str(), 2.to_string().as_str()]);
    assert_eq!(list, "a2");
    let repeated = joined(stack_vec![in Global; String::from("ab").as_str(); 3]);
    assert_eq!(repeated, "ababab");
    let s = stack_concat!(in &bump; String::from("x").as_str(), 1.to_string().as_str());
    assert_eq!(s, "x1");
}

/// The caller's allocator handle, named like the binding the macros once made.
#[allow(non_upper_case_globals)]
static alloc: Global = Global;

/// A `static` named `alloc` in the caller's scope (a `match` binding of that name could not
/// shadow it: E0530, whatever allocator was written; found by adversarial review).
#[test]
fn a_static_named_alloc_in_the_callers_scope() {
    let bump = bumpalo::Bump::new();
    let v: StackVec<u8, 32, &Global> = stack_vec![in &alloc; 1, 2];
    assert_eq!(v, [1, 2]);
    let w: StackVec<u8, 32, _> = stack_vec![in &bump; 7; 2];
    assert_eq!(w, [7, 7]);
    let s = stack_format!(in &bump; "{}-{}", 1, 2);
    assert_eq!(s, "1-2");
    let c = stack_concat!(in &alloc; "a", "b");
    assert_eq!(c, "ab");
}
