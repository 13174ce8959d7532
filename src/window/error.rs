//! Why a window could not decide for an event or a tick.

use crate::aggr::AggrError;
use crate::expr::{At, EvalError};
use crate::value::Value;

/// A window's runtime error; the executor reports its text on `err`. A script's
/// wrong result names the script's position (SPEC §11), as its own errors do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WindowError {
    /// The window's script (or `time` expression) failed.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// A `sliding` window's aggregate failed.
    #[error(transparent)]
    Aggregate(#[from] AggrError),
    /// A `state` window's script returned something other than `bool` or `[emit, include]`.
    #[error("{0}Window returned `{1}` this can't be used as a window reply")]
    BadReply(At, Value),
    /// A weight or timestamp script returned something other than an unsigned integer.
    #[error("{0}Data based window didn't provide a valid value")]
    BadScriptValue(At),
    /// An event-time window's `time` is not an integer.
    #[error("The `time` of window `{window}` must be an integer (ns), but it is `{value}`")]
    BadTime { window: String, value: Value },
    /// An event-time window's `time` is an integer past the signed 64-bit ns times count in.
    #[error("The `time` of window `{window}` is out of range: `{value}` ns is past {max} (the year 2262)", max = i64::MAX)]
    TimeOutOfRange { window: String, value: Value },
}
