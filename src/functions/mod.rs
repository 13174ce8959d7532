//! Native functions: the built-ins that `intrinsic fn` declarations in `stdlib/`
//! bind and that `core::module::name(...)` calls directly.
//!
//! Each module file registers its functions with a [`FnDecl`] carrying docs and
//! examples; `examples_run` below executes every example, so docs cannot drift.

use crate::event::FnCtx;
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::ops::RangeInclusive;
use std::sync::OnceLock;

/// A native function. Arguments are borrowed; the result is owned.
pub type NativeFn = fn(&FnCtx, &[&Value]) -> Result<Value, FnError>;

/// Why a native function failed; the caller adds the `module::name/arity` and the span.
#[derive(Debug, Clone, PartialEq)]
pub enum FnError {
    /// An argument had the wrong type: "Bad type passed to function m::f/n".
    BadType,
    /// Anything else: "Runtime error in function m::f/n: TEXT".
    Runtime(String),
}

impl FnError {
    pub fn runtime(msg: impl Into<String>) -> Self {
        FnError::Runtime(msg.into())
    }
    /// The message Tremor printed, for function `module::name` called with `arity` arguments.
    pub fn render(&self, module: &str, name: &str, arity: usize) -> String {
        match self {
            FnError::BadType => format!("Bad type passed to function {module}::{name}/{arity}"),
            FnError::Runtime(e) => {
                format!("Runtime error in function {module}::{name}/{arity}: {e}")
            }
        }
    }
}

/// A registered native function.
#[derive(Debug, Clone)]
pub struct FnDecl {
    /// The built-in module, as `intrinsic ... as MODULE::name` names it: `string`,
    /// `system`, `datetime`, `chash`, ...
    pub module: &'static str,
    pub name: &'static str,
    /// Accepted argument counts; variadic functions use `n..=usize::MAX`.
    pub arity: RangeInclusive<usize>,
    /// Same arguments, same result, no context read: may be folded at compile time.
    pub pure: bool,
    /// One line (the REPL's `:functions` shows it), then details.
    pub doc: &'static str,
    /// `(arguments as a JSON array, expected result as JSON)`; executed by the tests.
    pub examples: &'static [(&'static str, &'static str)],
    pub f: NativeFn,
}

impl FnDecl {
    /// A pure function of `module` (the shape most module files declare).
    pub const fn pure(
        module: &'static str,
        name: &'static str,
        arity: RangeInclusive<usize>,
        doc: &'static str,
        examples: &'static [(&'static str, &'static str)],
        f: NativeFn,
    ) -> FnDecl {
        FnDecl {
            module,
            name,
            arity,
            pure: true,
            doc,
            examples,
            f,
        }
    }
}

/// All native functions, keyed by `module::name`.
pub struct Registry {
    fns: FxHashMap<String, FnDecl>,
}

impl Registry {
    fn new() -> Self {
        Registry {
            fns: FxHashMap::default(),
        }
    }
    /// Adds a function; a second declaration of the same name is a programming error.
    pub fn add(&mut self, decl: FnDecl) {
        let key = format!("{}::{}", decl.module, decl.name);
        assert!(
            self.fns.insert(key.clone(), decl).is_none(),
            "duplicate native {key}"
        );
    }
    /// Looks up `module::name`.
    pub fn get(&self, module: &str, name: &str) -> Option<&FnDecl> {
        self.fns.get(&format!("{module}::{name}"))
    }
    /// Every function, sorted by module then name.
    pub fn all(&self) -> Vec<&FnDecl> {
        let mut v: Vec<_> = self.fns.values().collect();
        v.sort_by_key(|d| (d.module, d.name));
        v
    }
    /// Names of functions in `module` (for "did you mean" hints and completion).
    pub fn names_in(&self, module: &str) -> Vec<&'static str> {
        let mut v: Vec<_> = self
            .fns
            .values()
            .filter(|d| d.module == module)
            .map(|d| d.name)
            .collect();
        v.sort_unstable();
        v
    }
}

/// The process-wide registry, built on first use.
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| {
        let mut r = Registry::new();
        register_all(&mut r);
        r
    })
}

// Module files: one per built-in module (or small family).
mod array;
mod base64;
mod binary;
mod chash;
mod datetime;
mod float;
mod ids;
mod integer;
mod json;
mod math;
mod mime;
mod origin;
mod otel;
mod path;
mod random;
mod range;
mod re;
mod record;
mod size;
mod string;
mod system;
mod test;
mod type_;
mod url;
mod win;

// LANGUAGE.md §7's table, checked through the compiler.
#[cfg(test)]
mod table;
// Awkward arguments never panic a native.
#[cfg(test)]
mod robust;

/// Every module file's `register`. Add a line when you add a module file.
fn register_all(r: &mut Registry) {
    array::register(r);
    string::register(r);
    record::register(r);
    type_::register(r);
    math::register(r);
    integer::register(r);
    float::register(r);
    json::register(r);
    base64::register(r);
    binary::register(r);
    url::register(r);
    re::register(r);
    range::register(r);
    path::register(r);
    random::register(r);
    size::register(r);
    chash::register(r);
    datetime::register(r);
    ids::register(r);
    mime::register(r);
    origin::register(r);
    otel::register(r);
    system::register(r);
    test::register(r);
    win::register(r);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{parse_json, test_eq};

    #[test]
    fn examples_run() {
        let ctx = FnCtx::default();
        let mut failures = Vec::new();
        for d in registry().all() {
            for (args, expected) in d.examples {
                let args = parse_json(args).expect("example args are JSON");
                let args: Vec<&Value> = args.as_array().expect("args array").iter().collect();
                let expected = parse_json(expected).expect("example result is JSON");
                match (d.f)(&ctx, &args) {
                    Ok(v) if test_eq(&v, &expected) => {}
                    other => failures.push(format!("{}::{}: got {other:?}", d.module, d.name)),
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
