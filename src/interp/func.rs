//! Calls: native functions through their fn pointer, user functions in a fresh
//! frame of the local stack, `recur` as a loop (limit 1024).

use super::eval::{err, eval, eval_body, Flow, R};
use super::Env;
use crate::diag::Span;
use crate::ir::{Function, NativeCall, UserCall};
use crate::value::Value;

/// Calls deeper than this (plain recursion) or more `recur` steps fail.
pub(crate) const RECURSION_LIMIT: usize = 1024;
const RECURSION_ERROR: &str = "Recursion limit Reached";

/// Calls a native; small arities avoid allocating the argument list.
pub(crate) fn call_native(c: &NativeCall, span: Span, env: &mut Env) -> R<Value> {
    let f = c.decl.f;
    let res = match c.args.as_slice() {
        [] => f(&env.ctx, &[]),
        [a] => {
            let a = eval(a, env)?;
            f(&env.ctx, &[&a])
        }
        [a, b] => {
            let a = eval(a, env)?;
            let b = eval(b, env)?;
            f(&env.ctx, &[&a, &b])
        }
        [a, b, d] => {
            let a = eval(a, env)?;
            let b = eval(b, env)?;
            let d = eval(d, env)?;
            f(&env.ctx, &[&a, &b, &d])
        }
        args => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(a, env)?);
            }
            let refs: Vec<&Value> = vals.iter().collect();
            f(&env.ctx, &refs)
        }
    };
    res.map_err(|e| err(e.render(c.decl.module, c.decl.name, c.args.len()), span))
}

/// Calls a user function. Arguments of a plain function are evaluated straight
/// into the callee's slots (no argument vector): a nested call made while
/// evaluating them pushes above and truncates back, so what is pushed here stays.
pub(crate) fn call_user(c: &UserCall, span: Span, env: &mut Env) -> R<Value> {
    let func = &c.func;
    let base = env.locals.slots.len();
    if func.variadic {
        let mut vals = Vec::with_capacity(c.args.len());
        for a in &c.args {
            vals.push(eval(a, env)?);
        }
        return invoke(func, vals, span, env);
    }
    for a in &c.args {
        match eval(a, env) {
            Ok(v) => env.locals.slots.push(Some(v)),
            Err(e) => {
                env.locals.slots.truncate(base);
                return Err(e);
            }
        }
    }
    run_frame(func, base, span, env)
}

/// Stack that a chain of plain (non-tail) calls may use before it fails with the
/// recursion error instead of overflowing, unless the thread declared a bigger
/// stack with [`set_stack_budget`]: spawned threads get 2 MiB by default.
const DEFAULT_STACK_BUDGET: usize = 1024 * 1024;

thread_local! {
    static STACK_BUDGET: std::cell::Cell<usize> = const { std::cell::Cell::new(DEFAULT_STACK_BUDGET) };
}

/// Declares how much stack plain recursion may use on this thread; call it first
/// thing on a thread started with a big stack (the CLI and the test runner use
/// 1 GiB), so deep recursion reaches Tremor's limit of 1024 calls in debug builds.
pub fn set_stack_budget(bytes: usize) {
    STACK_BUDGET.with(|b| b.set(bytes));
}

/// Runs `func` with argument values, looping on `recur`.
pub(crate) fn invoke(func: &Function, args: Vec<Value>, span: Span, env: &mut Env) -> R<Value> {
    let base = env.locals.slots.len();
    lay_out(func, args, env);
    run_frame(func, base, span, env)
}

/// Runs the body over the frame at `base` (arguments already in place), looping on
/// `recur`; pops the frame.
fn run_frame(func: &Function, base: usize, span: Span, env: &mut Env) -> R<Value> {
    let res = run_frame_inner(func, base, span, env);
    env.locals.slots.truncate(base);
    res
}

fn run_frame_inner(func: &Function, base: usize, span: Span, env: &mut Env) -> R<Value> {
    let Some(body) = func.body.get() else {
        return Err(err(
            format!("Function `{}` is not defined yet", func.name),
            span,
        ));
    };
    let marker = 0u8;
    let here = std::ptr::addr_of!(marker) as usize;
    if env.locals.depth == 0 {
        env.locals.stack_base = here;
    }
    if env.locals.depth >= RECURSION_LIMIT
        || env.locals.stack_base.saturating_sub(here) > STACK_BUDGET.with(|b| b.get())
    {
        return Err(err(RECURSION_ERROR, span));
    }
    let mut recurs = 0;
    loop {
        let size = base + body.locals.max(func.params + usize::from(func.variadic));
        env.locals.slots.resize(size, None);
        let old_base = std::mem::replace(&mut env.locals.base, base);
        env.locals.depth += 1;
        let res = eval_body(&body.exprs, env);
        env.locals.depth -= 1;
        env.locals.base = old_base;
        match res {
            Err(Flow::Recur(next)) => {
                recurs += 1;
                if recurs > RECURSION_LIMIT {
                    return Err(err(RECURSION_ERROR, span));
                }
                env.locals.slots.truncate(base);
                lay_out(func, next, env);
            }
            other => return other,
        }
    }
}

/// Pushes a call's arguments: parameters, then (variadic) the extra ones as `args`.
#[inline(never)]
fn lay_out(func: &Function, mut args: Vec<Value>, env: &mut Env) {
    let base = env.locals.slots.len();
    if func.variadic {
        // Tremor's quirk: `args` skips as many arguments as the function has
        // locals (parameters plus the names its body binds), not just parameters.
        let locals = func.body.get().map_or(0, |b| b.locals);
        let skip = locals.saturating_sub(1).max(func.params);
        let extra = if args.len() > skip {
            args[skip..].to_vec()
        } else {
            Vec::new()
        };
        args.truncate(func.params);
        env.locals.slots.extend(args.into_iter().map(Some));
        env.locals.slots.resize(base + func.params, None);
        env.locals.slots.push(Some(Value::Array(extra)));
    } else {
        args.truncate(func.params);
        env.locals.slots.extend(args.into_iter().map(Some));
    }
}
