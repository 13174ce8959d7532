//! The generated parser, its action helpers and the conversion of its errors.

pub(crate) mod errors;
pub(crate) mod helpers;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_parens, unused_imports, unused_mut, dead_code)]
    pub(crate) grammar,
    "/grammar.rs"
);
