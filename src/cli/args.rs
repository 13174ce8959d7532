//! The command-line grammar (clap derive). Every command's help ends with a worked example.

use crate::diag::ColorMode;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// trickle: run, check and test streaming queries (`.trickle`) and scripts (`.tremor`).
#[derive(Debug, Parser)]
#[command(name = "trickle", version, propagate_version = true)]
#[command(
    after_help = "Examples:\n  trickle run examples/hello.trickle -i examples/hello.jsonl\n  trickle test tests/"
)]
pub struct Cli {
    /// When to colour diagnostics and the test report (`auto`: on terminals, unless NO_COLOR is set).
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

impl From<ColorArg> for ColorMode {
    fn from(c: ColorArg) -> Self {
        match c {
            ColorArg::Auto => ColorMode::Auto,
            ColorArg::Always => ColorMode::Always,
            ColorArg::Never => ColorMode::Never,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile and run a query or a script over JSON-lines input.
    ///
    /// A `.trickle` query reads its input stream `in` from the `-i` files in order (else
    /// stdin) and writes `out` to stdout (or `-o`); `err` and other outputs go to stderr.
    /// A `.tremor` script runs once per input event: `state` is kept between events and
    /// `$` starts empty for each; what it emits on `out` goes to stdout, other ports to
    /// stderr. One JSON document per line in and out.
    #[command(after_help = "Example:\n  \
        $ printf '{\"n\":1}\\n{\"n\":2}\\n' > in.jsonl\n  \
        $ echo 'select {\"double\": event.n * 2} from in into out;' > double.trickle\n  \
        $ trickle run double.trickle -i in.jsonl --clock index\n  \
        {\"double\":2}\n  \
        {\"double\":4}")]
    Run(RunArgs),

    /// Compile files without running them; print their errors and warnings.
    #[command(after_help = "Example:\n  \
        $ trickle check examples/hello.trickle examples/enrich.tremor\n  \
        Exit status 0 when every file compiles, 1 when one does not.")]
    Check {
        /// `.trickle` or `.tremor` files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Extra folders to look for modules in (`use a::b;`).
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
    },

    /// Run the test case folders at or below each PATH.
    ///
    /// A case folder holds `query.trickle` or `script.tremor`, an input file `in` and the
    /// expectation: `out` (one JSON document per line) or `error.txt` (text the error must
    /// contain). Events are fed in the index clock: event i has ingest time i. Instead of
    /// `in`, a `steps` file plays a virtual clock, one JSON object per line:
    /// `{"event": V, "stream": S, "peer": P, "ingest_ns": T}`, `{"start_stream": S}`,
    /// `{"end_stream": S}` (both with an optional `"peer"`), `{"tick": T}`, `{"drain": true}`.
    #[command(after_help = "Example:\n  \
        $ trickle test tests/ --filter window\n  \
        ok tests/query/window_size\n  \
        FAIL tests/query/window_tilted\n  \
        ...\n  \
        1 passed, 1 failed")]
    Test {
        /// Folders holding case folders (searched recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Do not flush windows and batches at the end of the input.
        #[arg(long)]
        no_final_flush: bool,
        /// Rewrite `out` / `error.txt` from the actual results.
        #[arg(long)]
        bless: bool,
        /// Only run cases whose path contains TEXT.
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
    },

    /// Print the compiled dataflow graph of a query.
    #[command(after_help = "Example:\n  \
        $ trickle graph examples/hello.trickle --format mermaid > graph.md")]
    Graph {
        /// A `.trickle` query.
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = GraphFormatArg::Text)]
        format: GraphFormatArg,
        /// Extra folders to look for modules in.
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
    },

    /// An interactive session: evaluate expressions, build a query, send it events.
    ///
    /// Expressions run against the current event; `let`, `use`, `fn` and `const`
    /// persist; `define`/`create`/`select` build a session query. `:help` lists the
    /// commands. When stdin is not a terminal, plain lines are read (scriptable).
    #[command(after_help = "Example:\n  \
        $ printf '{\"n\":1}\\n{\"n\":2}\\n' > in.jsonl\n  \
        $ trickle repl -i in.jsonl\n  \
        trickle> :next\n  \
        trickle> event.n + 1")]
    Repl {
        /// A `.tremor` script or `.trickle` query to load first.
        file: Option<PathBuf>,
        /// JSON-lines events to step through with `:next` / `:prev`.
        #[arg(short = 'i', long = "input", value_name = "EVENTS")]
        events: Option<PathBuf>,
        /// Extra folders to look for modules in (`use a::b;`).
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
    },

    /// Format queries and scripts in place in the one canonical layout (comments kept).
    ///
    /// Two-space indentation inside blocks, one statement per line, spaces around
    /// operators, brackets broken one element per line past 100 columns. A file that
    /// does not parse is reported and left untouched. `-` (or no FILE) reads stdin
    /// and writes the result to stdout.
    #[command(after_help = "Example:\n  \
        $ trickle fmt --check examples/hello.trickle\n  \
        Exit status 1 and a diff when a file would change; `trickle fmt FILE` rewrites it.")]
    Fmt {
        /// `.trickle` or `.tremor` files; `-` is stdin (formatted to stdout).
        files: Vec<PathBuf>,
        /// Change nothing: print a diff of what would change and exit 1 if anything would.
        #[arg(long)]
        check: bool,
    },

    /// A language server for editors (Language Server Protocol on stdin/stdout).
    ///
    /// Diagnostics, completion, hover, go to definition, references, rename, outline,
    /// folding, semantic highlighting and quick fixes for `.trickle` and `.tremor`
    /// files. Editors start it themselves; see the README's "Editors" section.
    #[command(after_help = "Example (Neovim, with nvim-lspconfig):\n  \
        cmd = { \"trickle\", \"lsp\" }, filetypes = { \"trickle\", \"tremor\" }")]
    Lsp,

    /// Print the standard library reference as Markdown.
    ///
    /// Every stdlib module and function (signature, docs, runnable examples), every
    /// aggregate, window kind and peer kind with its config keys: the same text the
    /// language server shows on hover.
    #[command(after_help = "Example:\n  \
        $ trickle doc > stdlib.md\n  \
        $ trickle doc --out docs/   # one file per module, plus index.md")]
    Doc {
        /// Write one Markdown file per module into this folder instead of stdout.
        #[arg(long = "out", value_name = "DIR")]
        out: Option<PathBuf>,
    },

    /// Serve the browser playground on 127.0.0.1 (default port 8787).
    ///
    /// The page runs the whole engine in WebAssembly: an editor for the query with
    /// diagnostics, completion and hover, input as JSON lines or a `steps` file, the
    /// output per port, the graph, the examples. Nothing leaves the browser. Its
    /// files are built into trickle when `playground/dist/` was built first
    /// (`bash playground/build.sh`); Ctrl-C stops the server.
    #[command(after_help = "Example:\n  \
        $ trickle playground --port 8787\n  \
        trickle playground on http://127.0.0.1:8787/ (Ctrl-C stops it)")]
    Playground {
        /// The port to listen on (0: any free port; the URL says which).
        #[arg(long, default_value_t = super::playground::DEFAULT_PORT)]
        port: u16,
        /// Serve this folder (a built `playground/dist/`) instead of the built-in page.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },

    /// Print shell completions.
    #[command(after_help = "Example:\n  \
        $ trickle completions bash > ~/.local/share/bash-completion/completions/trickle")]
    Completions { shell: clap_complete::Shell },
}

/// `trickle run`
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// A `.trickle` query or a `.tremor` script.
    pub file: PathBuf,
    /// Input files, read in order (default: stdin). `-` is stdin.
    #[arg(short = 'i', long = "input", value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// Write `out` here instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// How input lines become events.
    #[arg(long, value_enum, default_value_t = CodecArg::Json)]
    pub codec: CodecArg,
    /// `wall`: ingest time is the receive time and ticks drive interval windows;
    /// `index`: the i-th event has ingest time i and there are no ticks.
    #[arg(long, value_enum, default_value_t = ClockArg::Wall)]
    pub clock: ClockArg,
    /// Do not flush windows and batches when the input ends.
    #[arg(long)]
    pub no_final_flush: bool,
    /// Extra folders to look for modules in (`use a::b;`).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    pub include: Vec<PathBuf>,
    /// Print per-peer event counts to stderr at the end.
    #[arg(long)]
    pub metrics: bool,
    /// No progress line (shown while `-i` files are read and stderr is a terminal).
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Write what the run receives as a test case's `steps` file: every event with
    /// its peer, stream and ingest time, stream starts and ends, ticks that moved a window.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

/// `--codec`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CodecArg {
    /// One JSON document per line.
    Json,
    /// Each line is a string value.
    String,
}

/// `--clock`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockArg {
    Wall,
    Index,
}

/// `graph --format`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormatArg {
    Dot,
    Mermaid,
    Text,
}

impl From<GraphFormatArg> for crate::query::GraphFormat {
    fn from(f: GraphFormatArg) -> Self {
        match f {
            GraphFormatArg::Dot => Self::Dot,
            GraphFormatArg::Mermaid => Self::Mermaid,
            GraphFormatArg::Text => Self::Text,
        }
    }
}
