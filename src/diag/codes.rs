//! The registry of diagnostic codes. A code is never reused or renumbered: retire
//! it with a comment instead. Ranges: E00xx lexer/parser, E01xx names and modules,
//! E02xx script checks, E03xx constants and types, E04xx queries, E05xx peers,
//! E06xx CLI/input, W0xxx warnings.

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
