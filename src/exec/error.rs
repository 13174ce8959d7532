//! Why a node failed on an event or a signal. The executor reports the text as
//! `{"error": TEXT, "event": EVENT}` on `err` (LANGUAGE §1 "Execution").

use super::ops::OpError;
use crate::aggr::AggrError;
use crate::expr::At;
use crate::expr::EvalError;
use crate::value::Value;
use crate::window::WindowError;

/// A node's runtime error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExecError {
    /// An expression of the node (select target, group key, script) failed.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// An aggregate failed.
    #[error(transparent)]
    Aggregate(#[from] AggrError),
    /// A window could not decide.
    #[error(transparent)]
    Window(#[from] WindowError),
    /// A `where` or `having` guard did not return a bool.
    #[error("{at}The `{clause}` clause must evaluate to a bool, but it returned `{value}`")]
    Guard {
        clause: &'static str,
        value: Value,
        at: At,
    },
    /// `group by each(...)` of something other than an array.
    #[error("{at}Bad type in `each` of a group by: expected an array, got {got}")]
    GroupEach { got: &'static str, at: At },
    /// A new group beyond the window's `max_groups` (Tremor's spelling kept).
    #[error("Maxmimum amount of groups reached ({max}). Ignoring group {group}")]
    TooManyGroups { max: usize, group: String },
    /// An event-time window has no window open or kept for the event's time (and no
    /// `late` stream to send it to).
    #[error("late event: its time {time} falls into no window of `{window}` still open or kept (watermark {watermark})")]
    Late {
        time: i64,
        window: String,
        watermark: i64,
    },
    /// A script node got an event on a port it has no `script from PORT` for.
    #[error("unknown port: `{0}`")]
    UnknownPort(String),
    /// The node's operator could not be built (reported on every event).
    #[error(transparent)]
    Build(#[from] OpError),
}
