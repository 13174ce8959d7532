//! The registry of diagnostic codes. A code is never reused or renumbered: retire
//! it with a comment instead. Ranges: E00xx lexer/parser, E01xx names and modules,
//! E02xx script checks, E03xx constants and types, E04xx queries, E05xx peers,
//! E06xx CLI/input, E07xx formatter, W0xxx warnings.

// -- lexer and parser (the grammar crate returns these codes in `ParseError`)
pub const PARSER_ERROR: &str = "E0001";
pub const UNRECOGNIZED_TOKEN: &str = "E0002";
pub const EXTRA_TOKEN: &str = "E0003";
pub const INVALID_TOKEN: &str = "E0004";
pub const UNEXPECTED_EOF: &str = "E0005";
pub const UNTERMINATED_STRING: &str = "E0006";
pub const UNTERMINATED_HEREDOC: &str = "E0007";
pub const TAILING_HEREDOC: &str = "E0008";
pub const UNTERMINATED_INTERPOLATION: &str = "E0009";
pub const EMPTY_INTERPOLATION: &str = "E0010";
pub const UNTERMINATED_EXTRACTOR: &str = "E0011";
pub const UNTERMINATED_IDENT: &str = "E0012";
pub const UNEXPECTED_CHARACTER: &str = "E0013";
pub const UNEXPECTED_ESCAPE: &str = "E0014";
pub const INVALID_UTF8: &str = "E0015";
pub const INVALID_HEX: &str = "E0016";
pub const INVALID_INT: &str = "E0017";
pub const INVALID_FLOAT: &str = "E0018";
pub const INVALID_PP: &str = "E0019";
pub const INVALID_DOC_COMMENT: &str = "E0020";
pub const INVALID_BYTES: &str = "E0021";
pub const UNKNOWN_DEFINITION_KIND: &str = "E0022";

// -- names and modules (compile, branch interp)
pub const MODULE_NOT_FOUND: &str = "E0101";
pub const CYCLIC_USE: &str = "E0102";
pub const MISSING_FUNCTION: &str = "E0103";
pub const MISSING_MODULE: &str = "E0104";
pub const MISSING_CONST: &str = "E0105";
pub const BAD_ARITY: &str = "E0106";
pub const DOUBLE_FN: &str = "E0107";
pub const INVALID_MODULE_STMT: &str = "E0108";
pub const UNKNOWN_INTRINSIC: &str = "E0109";
pub const AGGR_NOT_ALLOWED: &str = "E0110";
pub const AGGR_IN_AGGR: &str = "E0111";
pub const MODULE_UNREADABLE: &str = "E0112";
/// Internal: an error that only follows from one already reported (a name reached
/// through a failed `use`, a use of a definition that failed). Never shown: see
/// [`crate::diag::without_consequences`].
pub const CONSEQUENCE: &str = "E0113";

// -- script checks (compile, branch interp)
pub const ASSIGN_TO_CONST: &str = "E0201";
pub const ASSIGN_INTO_ARRAY: &str = "E0202";
pub const INVALID_ASSIGN: &str = "E0203";
pub const INVALID_EMIT: &str = "E0204";
pub const INVALID_DROP: &str = "E0205";
pub const INVALID_RECUR: &str = "E0206";
pub const NO_LOCALS_ALLOWED: &str = "E0207";
pub const NO_EVENT_REFERENCES: &str = "E0208";
pub const INVALID_EXTRACTOR: &str = "E0209";
pub const INVALID_BYTES_PART: &str = "E0210";
pub const INVALID_FN: &str = "E0211";
pub const STATE_NOT_ALLOWED: &str = "E0212";
pub const QUERY_STMT_IN_SCRIPT: &str = "E0213";

// -- constants and types (compile, branch interp)
pub const CONST_EVAL: &str = "E0301";
pub const DOUBLE_CONST: &str = "E0302";
pub const NOT_CONSTANT: &str = "E0303";

// -- warnings (compile, branch interp)
pub const W_MISSING_DEFAULT_CASE: &str = "W0201";
pub const W_LOWERCASE_CONST: &str = "W0202";
pub const W_AGGR_PERFORMANCE: &str = "W0203";
pub const W_USE_OPERATOR: &str = "W0204";
/// Constant code that fails when evaluated, where it may never run (a function body,
/// a `case` arm): it stays a runtime error, the compiler only warns.
pub const W_CONST_RUNTIME_ERROR: &str = "W0205";
/// A window's `late` stream that nothing reads: late events would go nowhere.
pub const W_LATE_UNREAD: &str = "W0206";
/// `from` a peer that receives nothing, or `into` one that sends nothing.
pub const W_PEER_DIRECTION: &str = "W0207";
/// A name read in a definition body that is a constant only outside it.
pub const W_OUTER_CONST: &str = "W0208";

// -- queries (query compiler, branch query)
pub const QUERY_STREAM_NOT_DEFINED: &str = "E0401";
pub const QUERY_NODE_DUPLICATE_NAME: &str = "E0402";
pub const QUERY_NODE_RESERVED_NAME: &str = "E0403";
pub const QUERY_UNKNOWN_DEFINITION: &str = "E0404";
pub const QUERY_DOUBLE_DEFINITION: &str = "E0405";
pub const QUERY_UNKNOWN_ARGUMENT: &str = "E0406";
pub const QUERY_MISSING_ARGUMENT: &str = "E0407";
pub const QUERY_BAD_WINDOW: &str = "E0408";
pub const QUERY_SLIDING_WINDOW: &str = "E0409";
pub const QUERY_CYCLIC_GRAPH: &str = "E0410";
pub const QUERY_OPERATOR: &str = "E0411";
pub const QUERY_PEERS_UNSUPPORTED: &str = "E0412";
pub const QUERY_BAD_PORT_SCRIPT: &str = "E0413";
pub const QUERY_BAD_CONFIG: &str = "E0414";
pub const QUERY_STREAM_PORT_CLASH: &str = "E0415";
pub const QUERY_WRONG_DEFINITION_KIND: &str = "E0416";
pub const QUERY_PIPELINE_UNKNOWN_PORT: &str = "E0417";
pub const QUERY_STATE_NOT_CONSTANT: &str = "E0418";

// -- formatter (`trickle fmt`)
pub const FMT_UNSAFE: &str = "E0701";

// -- peers (branch peers)
pub const PEER_UNKNOWN_KIND: &str = "E0501";
pub const PEER_UNKNOWN_KEY: &str = "E0502";
pub const PEER_WRONG_TYPE: &str = "E0503";
pub const PEER_MISSING_KEY: &str = "E0504";
pub const PEER_BAD_CONFIG: &str = "E0505";
