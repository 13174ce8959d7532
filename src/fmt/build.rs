//! From atoms to a layout [`Doc`]: a forgiving recursive descent that knows the shapes
//! that decide layout (statements and their `;`, brackets and their commas, the blocks
//! closed by `end`, select clauses, definition sections) and lays out anything else as
//! tokens separated by single spaces. The input is known to parse, and the result is
//! checked token for token against it, so this never has to be a full grammar.

use super::atoms::Atom;
use super::doc::{ends_with_break, group, indent, one_per_line, text, Doc};
use trickle_grammar::lexer::Token;

pub struct Builder<'a> {
    pub(super) atoms: &'a [Atom],
    pub(super) at: usize,
    /// Inside an index `[a:b]`, where the colon stays tight.
    tight_colon: bool,
}

/// Tokens that join two operands with spaces around them.
fn is_binary(t: &Token) -> bool {
    use Token::*;
    matches!(
        t,
        Plus | Minus
            | Star
            | Slash
            | Percent
            | Amp
            | Caret
            | EqEq
            | NotEq
            | Lt
            | Lte
            | Gt
            | Gte
            | LShift
            | RShift
            | RShiftU
            | And
            | Or
            | Xor
            | TildeEq
            | Assign
            | Arrow
            | Colon
    )
}

fn closer(open: &Token) -> Token {
    match open {
        Token::LParen | Token::PctParen => Token::RParen,
        Token::LBracket | Token::PctBracket => Token::RBracket,
        _ => Token::RBrace,
    }
}

pub(super) fn is_open(t: &Token) -> bool {
    matches!(
        t,
        Token::LParen
            | Token::LBracket
            | Token::LBrace
            | Token::PctBrace
            | Token::PctBracket
            | Token::PctParen
    )
}

/// How a bracket is laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Bracket {
    /// A record, list, call or pattern: a trailing comma is added when it breaks.
    List,
    /// Parentheses, an index, a `for` case's `(k, v)`: no trailing comma.
    Plain,
}

impl<'a> Builder<'a> {
    pub fn new(atoms: &'a [Atom]) -> Self {
        Builder {
            atoms,
            at: 0,
            tight_colon: false,
        }
    }

    /// The next token, skipping comments.
    pub(super) fn peek(&self) -> Option<&'a Token> {
        self.peek_nth(0)
    }

    pub(super) fn peek_nth(&self, n: usize) -> Option<&'a Token> {
        self.atoms[self.at..].iter().filter_map(Atom::tok).nth(n)
    }

    pub(super) fn next_is(&self, t: &Token) -> bool {
        self.peek() == Some(t)
    }

    /// Line breaks before the next token or comment.
    pub(super) fn breaks(&self) -> usize {
        self.atoms.get(self.at).map_or(0, |a| a.breaks)
    }

    /// Emits the comments before the next token: one on its own line in the source stays
    /// on its own line (after a blank line if it had one), one at the end of a line stays there.
    pub(super) fn comments(&mut self, out: &mut Vec<Doc>) {
        while let Some(a) = self.atoms.get(self.at) {
            if !a.is_comment() {
                break;
            }
            let own_line = a.breaks > 0
                || self.at == 0
                || a.text.starts_with("##")
                || ends_with_break(out)
                || out.is_empty();
            if own_line {
                if !ends_with_break(out) && !out.is_empty() {
                    out.push(Doc::HardLine);
                }
                if a.breaks > 1 && !out.is_empty() {
                    out.push(Doc::Blank);
                }
                out.push(text(a.text.clone()));
            } else {
                out.push(text(format!(" {}", a.text)));
            }
            out.push(Doc::HardLine);
            self.at += 1;
        }
    }

    /// A comment at the end of the current source line, kept at the end of the output line.
    pub(super) fn trailing_comment(&mut self, out: &mut Vec<Doc>) {
        if let Some(a) = self.atoms.get(self.at) {
            if a.is_comment() && a.breaks == 0 && !a.text.starts_with("##") && self.at > 0 {
                out.push(text(format!(" {}", a.text)));
                out.push(Doc::HardLine);
                self.at += 1;
            }
        }
    }

    /// Emits pending comments, then the next token as text.
    pub(super) fn tok(&mut self, out: &mut Vec<Doc>) {
        self.comments(out);
        if let Some(a) = self.atoms.get(self.at) {
            out.push(text(a.text.clone()));
            self.at += 1;
        }
    }

    /// A blank line before the next item if the source had one there.
    pub(super) fn keep_blank(&self, out: &mut Vec<Doc>) {
        if self.breaks() > 1 && !out.is_empty() {
            out.push(Doc::Blank);
        }
    }

    /// The whole file.
    pub fn module(&mut self) -> Doc {
        let mut out = Vec::new();
        self.stmts(&mut out, &[]);
        self.comments(&mut out);
        group(out)
    }

    /// Statements up to one of `stop` (not consumed), one per line with their `;`.
    pub(super) fn stmts(&mut self, out: &mut Vec<Doc>, stop: &[Token]) {
        let start = out.len();
        loop {
            // Own-line comments (and the blank lines before them) come first.
            self.comments(out);
            let Some(t) = self.peek() else { break };
            if stop.contains(t) {
                break;
            }
            if out.len() > start {
                if !ends_with_break(out) {
                    out.push(Doc::HardLine);
                }
                self.keep_blank(out);
            }
            let before = self.at;
            self.stmt(out, stop);
            if self.next_is(&Token::Semi) {
                self.tok(out);
            }
            if self.at == before {
                // Nothing this layout knows: keep the token and go on.
                self.tok(out);
            }
            // A comment at the end of the statement's line stays there.
            self.trailing_comment(out);
            out.push(Doc::HardLine);
        }
    }

    pub(super) fn stmt(&mut self, out: &mut Vec<Doc>, stop: &[Token]) {
        match self.peek() {
            Some(Token::Define) | Some(Token::Create) => self.definition(out),
            Some(Token::Select) => self.select(out),
            Some(Token::Fn) => self.function(out),
            Some(Token::ConfigDirective) => {
                // `#!config KEY = VALUE` (the key may be `from` or `into`), one per line.
                self.tok(out);
                out.push(text(" "));
                self.tok(out);
                if self.next_is(&Token::Assign) {
                    out.push(text(" "));
                    self.tok(out);
                    out.push(text(" "));
                    self.expr(out, &[]);
                }
            }
            _ => self.seq(out, stop),
        }
    }

    /// Expressions separated by single spaces up to a `;`, `,`, closer or `stop`.
    pub(super) fn seq(&mut self, out: &mut Vec<Doc>, stop: &[Token]) {
        let mut first = true;
        while let Some(t) = self.peek() {
            if matches!(
                t,
                Token::Semi | Token::Comma | Token::RParen | Token::RBracket | Token::RBrace
            ) || stop.contains(t)
            {
                break;
            }
            if !first && !ends_with_break(out) {
                out.push(text(" "));
            }
            let before = self.at;
            self.expr(out, stop);
            if self.at == before {
                self.tok(out);
            }
            first = false;
        }
    }

    /// An expression: operands joined by binary operators, up to anything else.
    pub(super) fn expr(&mut self, out: &mut Vec<Doc>, stop: &[Token]) {
        // Before the first `and` / `or` / `xor`, and from it on: a chain of conditions
        // too long for its line breaks before each of them, indented.
        let mut head = Vec::new();
        let mut tail = Vec::new();
        loop {
            let cur = if tail.is_empty() {
                &mut head
            } else {
                &mut tail
            };
            self.operand(cur, stop);
            match self.peek() {
                Some(Token::Colon) if self.tight_colon => self.tok(cur),
                Some(Token::Colon) => {
                    self.tok(cur);
                    cur.push(text(" "));
                }
                Some(Token::And | Token::Or | Token::Xor)
                    if !ends_with_break(cur) && !stop.contains(&Token::And) =>
                {
                    tail.push(Doc::Line);
                    self.tok(&mut tail);
                    tail.push(text(" "));
                }
                Some(t) if is_binary(t) && !stop.contains(t) => {
                    space(cur);
                    self.tok(cur);
                    cur.push(text(" "));
                }
                _ => break,
            }
        }
        if tail.is_empty() {
            out.extend(head);
        } else {
            head.push(indent(tail));
            out.push(group(head));
        }
    }

    /// Prefix operators, a primary and its postfix parts (`.f`, `::f`, `[i]`, `(args)`).
    pub(super) fn operand(&mut self, out: &mut Vec<Doc>, stop: &[Token]) {
        loop {
            match self.peek() {
                Some(Token::Minus | Token::Plus | Token::Bang) => self.tok(out),
                Some(Token::Tilde) => {
                    self.tok(out);
                    out.push(text(" "));
                }
                Some(Token::Not | Token::Present | Token::Absent) => {
                    self.tok(out);
                    out.push(text(" "));
                }
                _ => break,
            }
        }
        let Some(t) = self.peek() else { return };
        match t {
            t if is_open(t) => {
                let kind = if matches!(t, Token::LParen) {
                    Bracket::Plain
                } else {
                    Bracket::List
                };
                self.bracket(out, kind);
            }
            Token::Match | Token::For => self.cases_block(out),
            Token::Patch => self.patch(out),
            Token::Merge => {
                // `merge T of V end`: short, kept on one line.
                self.tok(out);
                out.push(text(" "));
                self.expr(out, &[Token::Of]);
                out.push(text(" "));
                self.tok(out);
                out.push(text(" "));
                self.expr(out, &[]);
                out.push(text(" "));
                self.tok(out);
            }
            Token::LShift => self.bytes(out),
            // `for ... into I use +`: the fold operator.
            Token::Use
                if self
                    .peek_nth(1)
                    .is_some_and(|t| is_binary(t) || matches!(t, Token::LShift)) =>
            {
                self.tok(out);
                out.push(text(" "));
                self.tok(out);
                return;
            }
            Token::Let | Token::Const | Token::Use => {
                self.tok(out);
                out.push(text(" "));
                self.expr(out, stop);
            }
            Token::Emit => {
                self.tok(out);
                if self
                    .peek()
                    .is_some_and(|t| !is_binary(t) && !self.ends_expr(t, stop))
                {
                    out.push(text(" "));
                    self.operand(out, stop);
                }
            }
            Token::Dollar => {
                self.tok(out);
                if matches!(self.peek(), Some(Token::Ident(_))) {
                    self.tok(out);
                }
            }
            Token::Set | Token::Each | Token::Recur if self.peek_nth(1) == Some(&Token::LParen) => {
                let kind = if t == &Token::Each {
                    Bracket::Plain
                } else {
                    Bracket::List
                };
                self.tok(out);
                self.bracket(out, kind);
            }
            t if self.ends_expr(t, stop) => return,
            _ => self.tok(out),
        }
        self.postfix(out);
    }

    /// Tokens that end an expression rather than start an operand.
    pub(super) fn ends_expr(&self, t: &Token, stop: &[Token]) -> bool {
        stop.contains(t)
            || matches!(
                t,
                Token::Semi
                    | Token::Comma
                    | Token::RParen
                    | Token::RBracket
                    | Token::RBrace
                    | Token::End
                    | Token::Case
                    | Token::Default
                    | Token::Of
                    | Token::When
                    | Token::Into
                    | Token::From
                    | Token::Where
                    | Token::Having
                    | Token::With
                    | Token::Script
                    | Token::Arrow
            )
    }

    pub(super) fn postfix(&mut self, out: &mut Vec<Doc>) {
        loop {
            match self.peek() {
                Some(Token::Dot) => {
                    self.tok(out);
                    if matches!(self.peek(), Some(Token::Ident(_))) {
                        self.tok(out);
                    }
                }
                Some(Token::ColonColon) => {
                    self.tok(out);
                    // After `::` even `end` is a name (`aggr::win::end()`).
                    match self.peek() {
                        Some(Token::LBrace) => self.bracket(out, Bracket::List),
                        Some(Token::Ident(_) | Token::End) => self.tok(out),
                        _ => {}
                    }
                }
                Some(Token::LBracket) => self.bracket(out, Bracket::Plain),
                Some(Token::LParen) => self.bracket(out, Bracket::List),
                _ => break,
            }
        }
    }

    /// A bracket and its comma-separated elements: flat if it fits, else one element per
    /// line with a trailing comma (for lists, records, calls and patterns).
    pub(super) fn bracket(&mut self, out: &mut Vec<Doc>, kind: Bracket) {
        let Some(open) = self.peek().cloned() else {
            return;
        };
        let close = closer(&open);
        let mut head = Vec::new();
        self.tok(&mut head);
        let tight = std::mem::replace(
            &mut self.tight_colon,
            open == Token::LBracket && kind == Bracket::Plain,
        );
        self.trailing_comment(&mut head);
        // Patterns read better with a space inside: `%{ a == 1 }`.
        let pad = matches!(open, Token::PctBrace | Token::PctBracket | Token::PctParen);
        let edge = if pad { Doc::Line } else { Doc::SoftLine };
        let mut inner = Vec::new();
        let mut any = false;
        let mut last_dots;
        let mut trailing = false;
        loop {
            if any {
                self.keep_blank(&mut inner);
            }
            self.comments(&mut inner);
            match self.peek() {
                None => break,
                Some(t) if *t == close => break,
                _ => {}
            }
            if !any {
                inner.insert(0, edge.clone());
            }
            any = true;
            last_dots = self.next_is(&Token::Ellipsis);
            let before = self.at;
            self.seq(&mut inner, &[]);
            if self.at == before {
                self.tok(&mut inner);
            }
            if self.next_is(&Token::Comma) {
                if self.peek_nth(1) == Some(&close) {
                    // A trailing comma is the layout's business: there when broken only.
                    self.comments(&mut inner);
                    self.at += 1;
                    inner.push(Doc::IfBreak(","));
                    trailing = true;
                    self.trailing_comment(&mut inner);
                    continue;
                }
                self.tok(&mut inner);
                // A comment right after the comma stays on that line.
                self.trailing_comment(&mut inner);
                if !ends_with_break(&inner) {
                    inner.push(Doc::Line);
                }
            } else if any && kind == Bracket::List && !last_dots && !trailing {
                inner.push(Doc::IfBreak(","));
                trailing = true;
                self.trailing_comment(&mut inner);
            }
        }
        self.tight_colon = tight;
        let mut docs = head;
        if any {
            // A comment ended the last element's line: the closer starts the next
            // line at the bracket's own indent, not the elements'.
            let commented = matches!(inner.last(), Some(Doc::HardLine));
            if commented {
                inner.pop();
            }
            docs.push(indent(inner));
            if commented {
                docs.push(Doc::HardLine);
            } else if !ends_with_break(&docs) || pad {
                docs.push(edge);
            }
        } else {
            docs.extend(inner);
        }
        self.tok(&mut docs);
        out.push(group(docs));
    }

    /// A binary literal `<< a:8, b/binary >>` on one line (spaces inside, so that
    /// nested literals never glue `>>` `>>` into `>>>`).
    pub(super) fn bytes(&mut self, out: &mut Vec<Doc>) {
        self.tok(out);
        while let Some(t) = self.peek() {
            match t {
                Token::RShift => {
                    out.push(text(" "));
                    self.tok(out);
                    return;
                }
                Token::Comma => {
                    self.tok(out);
                    out.push(text(" "));
                }
                Token::Colon | Token::Slash | Token::Minus => self.tok(out),
                _ => {
                    if matches!(out.last(), Some(Doc::Text(t)) if t == "<<") {
                        out.push(text(" "));
                    }
                    let before = self.at;
                    self.operand(out, &[Token::Colon, Token::Slash, Token::RShift]);
                    if self.at == before {
                        self.tok(out);
                    }
                }
            }
        }
    }

    /// `match T of case ... end` and `for T of case ... [into I [use op]] end`.
    pub(super) fn cases_block(&mut self, out: &mut Vec<Doc>) {
        self.tok(out);
        out.push(text(" "));
        self.expr(out, &[Token::Of]);
        out.push(text(" "));
        if self.next_is(&Token::Of) {
            self.tok(out);
        }
        self.arms(out);
    }

    /// The start of a block's body after its `of`: a comment on the `of` line
    /// stays there, one below it starts the body on a line of its own.
    fn block_start(&mut self) -> Vec<Doc> {
        let mut body = Vec::new();
        self.trailing_comment(&mut body);
        if body.is_empty() && self.atoms.get(self.at).is_some_and(Atom::is_comment) {
            body.push(Doc::HardLine);
        }
        body
    }

    /// The arms of a block after its `of`, one per line, then `end`.
    pub(super) fn arms(&mut self, out: &mut Vec<Doc>) {
        let mut body = self.block_start();
        loop {
            self.keep_blank(&mut body);
            self.comments(&mut body);
            match self.peek() {
                None | Some(Token::End) => break,
                Some(Token::Case | Token::Default) => {
                    if !ends_with_break(&body) {
                        body.push(Doc::HardLine);
                    }
                    self.arm(&mut body);
                }
                Some(Token::Into) => {
                    if !ends_with_break(&body) {
                        body.push(Doc::HardLine);
                    }
                    self.tok(&mut body);
                    out_space(&mut body);
                    self.seq(&mut body, &[Token::End]);
                }
                Some(_) => {
                    let before = self.at;
                    out_space(&mut body);
                    self.seq(&mut body, &[Token::End]);
                    if self.at == before {
                        self.tok(&mut body);
                    }
                }
            }
        }
        let mut block = vec![indent(body), Doc::HardLine];
        self.tok(&mut block);
        out.extend(block);
    }

    /// `case PATTERN [when GUARD] => BODY` or `default => BODY`.
    pub(super) fn arm(&mut self, out: &mut Vec<Doc>) {
        let mut head = Vec::new();
        self.tok(&mut head);
        if !self.next_is(&Token::Arrow) {
            head.push(text(" "));
            self.expr(&mut head, &[Token::When, Token::Arrow]);
        }
        if self.next_is(&Token::When) {
            head.push(text(" "));
            self.tok(&mut head);
            head.push(text(" "));
            self.expr(&mut head, &[Token::Arrow]);
        }
        head.push(text(" "));
        self.tok(&mut head);
        out.push(group(head));
        self.body(out, &[Token::Case, Token::Default, Token::End, Token::Into]);
    }

    /// An arm's body: one expression stays after the `=>`; several (separated by `;` or
    /// `,`) go on their own lines, indented.
    pub(super) fn body(&mut self, out: &mut Vec<Doc>, stop: &[Token]) {
        let mut items: Vec<Vec<Doc>> = Vec::new();
        let mut own_line = false;
        loop {
            let mut item = Vec::new();
            if !items.is_empty() {
                self.keep_blank(&mut item);
            }
            self.comments(&mut item);
            if !item.is_empty() {
                own_line = true;
            }
            match self.peek() {
                None => break,
                Some(t) if stop.contains(t) => {
                    if !item.is_empty() {
                        items.push(item);
                    }
                    break;
                }
                _ => {}
            }
            let before = self.at;
            self.seq(&mut item, stop);
            if self.at == before && !self.next_is(&Token::Semi) && !self.next_is(&Token::Comma) {
                self.tok(&mut item);
            }
            let sep = matches!(self.peek(), Some(Token::Semi | Token::Comma));
            if sep {
                self.tok(&mut item);
                self.trailing_comment(&mut item);
            }
            items.push(item);
            if !sep {
                break;
            }
        }
        if items.len() == 1 && !own_line {
            out.push(text(" "));
            out.extend(items.pop().unwrap_or_default());
            return;
        }
        out.push(one_per_line(items));
    }

    /// `patch T of OP; OP end`: one operation per line.
    pub(super) fn patch(&mut self, out: &mut Vec<Doc>) {
        self.tok(out);
        out.push(text(" "));
        self.expr(out, &[Token::Of]);
        out.push(text(" "));
        if self.next_is(&Token::Of) {
            self.tok(out);
        }
        let mut body = self.block_start();
        loop {
            self.keep_blank(&mut body);
            self.comments(&mut body);
            if matches!(self.peek(), None | Some(Token::End)) {
                break;
            }
            if !ends_with_break(&body) {
                body.push(Doc::HardLine);
            }
            // The operation word (`insert`, `merge`, ...) then its key and value.
            self.tok(&mut body);
            let before = self.at;
            if !self.next_is(&Token::Semi) && !self.next_is(&Token::End) {
                body.push(text(" "));
                self.seq(&mut body, &[Token::End]);
            }
            let _ = before;
            if self.next_is(&Token::Semi) {
                self.tok(&mut body);
                self.trailing_comment(&mut body);
            }
        }
        out.push(indent(body));
        out.push(Doc::HardLine);
        self.tok(out);
    }

    /// `fn f(a) with BODY end`, `fn f(a) of case ... end`.
    pub(super) fn function(&mut self, out: &mut Vec<Doc>) {
        self.tok(out);
        out.push(text(" "));
        // The name and the parameters.
        if matches!(self.peek(), Some(Token::Ident(_))) {
            self.tok(out);
        }
        if self.next_is(&Token::LParen) {
            self.bracket(out, Bracket::List);
        }
        out.push(text(" "));
        match self.peek() {
            Some(Token::With) => {
                self.tok(out);
                let mut body = vec![Doc::HardLine];
                self.stmts(&mut body, &[Token::End]);
                out.push(indent(body));
                out.push(Doc::HardLine);
                self.tok(out);
            }
            Some(Token::Of) => {
                self.tok(out);
                self.arms(out);
            }
            _ => {}
        }
    }
}

fn out_space(out: &mut Vec<Doc>) {
    if !ends_with_break(out) && !out.is_empty() {
        out.push(text(" "));
    }
}

/// A single space, unless the line already ends in one or just broke.
fn space(out: &mut Vec<Doc>) {
    let spaced = matches!(out.last(), Some(Doc::Text(t)) if t.ends_with(' '));
    if !spaced && !ends_with_break(out) && !out.is_empty() {
        out.push(text(" "));
    }
}
