//! Native operators (`define operator x from generic::batch ...`), one file per kind.
