//! The query statements' layout: `define` / `create` with their sections and `with`
//! arguments, and `select` with its clauses.

use super::build::{is_open, Bracket, Builder};
use super::doc::{ends_with_break, group, indent, one_per_line, text, Doc};
use trickle_grammar::lexer::Token;

impl Builder<'_> {
    /// `define ...` and `create ...`: the header on one line, then its sections
    /// (`with`, `args`, `state`, `script [from PORT]`, `pipeline`) each on their own line
    /// with their content indented, then `end`. A definition with nothing but at most
    /// one `with` argument stays on one line.
    pub(super) fn definition(&mut self, out: &mut Vec<Doc>) {
        let sections = [
            Token::With,
            Token::Args,
            Token::State,
            Token::Script,
            Token::Pipeline,
            Token::End,
            Token::Semi,
        ];
        let mut head = Vec::new();
        // `define` / `create`; the kind word after it may itself be `script` or
        // `pipeline`, which also open sections.
        self.tok(&mut head);
        if matches!(
            self.peek(),
            Some(Token::Script | Token::Pipeline | Token::Stream)
        ) {
            head.push(text(" "));
            self.tok(&mut head);
        }
        while let Some(t) = self.peek() {
            if sections.contains(t) {
                break;
            }
            if !ends_with_break(&head) {
                head.push(text(" "));
            }
            match t {
                Token::Ident(_) => {
                    self.tok(&mut head);
                    self.postfix_names(&mut head);
                }
                Token::Comma => {
                    head.pop();
                    self.tok(&mut head);
                }
                _ => self.tok(&mut head),
            }
        }
        out.push(group(head));
        if self.one_line_definition() {
            while let Some(t) = self.peek() {
                if *t == Token::Semi {
                    break;
                }
                // A comment after the header ends its line.
                self.comments(out);
                if !ends_with_break(out) {
                    out.push(text(" "));
                }
                let Some(t) = self.peek() else {
                    break;
                };
                if *t == Token::End {
                    self.tok(out);
                    break;
                }
                self.tok(out);
                if !self.next_is(&Token::End) {
                    out.push(text(" "));
                    self.expr(out, &[]);
                }
            }
            return;
        }
        loop {
            // Straight into `out`: a comment at the end of a section's line stays
            // there, one on its own line gets its own, and either ends the line.
            let before = out.len();
            self.comments(out);
            let commented = out.len() > before;
            let Some(t) = self.peek().cloned() else {
                break;
            };
            match t {
                Token::Semi => break,
                Token::End => {
                    if !commented {
                        out.push(Doc::HardLine);
                    }
                    self.tok(out);
                    break;
                }
                Token::With | Token::Args => {
                    if !commented {
                        out.push(Doc::HardLine);
                    }
                    self.tok(out);
                    self.arguments(out);
                }
                Token::State => {
                    if !commented {
                        out.push(Doc::HardLine);
                    }
                    self.tok(out);
                    out.push(text(" "));
                    self.expr(out, &[]);
                }
                Token::Script | Token::Pipeline => {
                    if !commented {
                        out.push(Doc::HardLine);
                    }
                    self.tok(out);
                    if t == Token::Script && self.next_is(&Token::From) {
                        out.push(text(" "));
                        self.tok(out);
                        out.push(text(" "));
                        self.tok(out);
                    }
                    let mut body = vec![Doc::HardLine];
                    self.stmts(&mut body, &[Token::End, Token::Script]);
                    out.push(indent(body));
                }
                _ => {
                    // Not a section this layout knows: keep it on its own line.
                    if !commented {
                        out.push(Doc::HardLine);
                    }
                    let before = self.at;
                    self.seq(out, &sections);
                    if self.at == before {
                        self.tok(out);
                    }
                }
            }
        }
    }

    /// After a name in a header: `::` paths and `/port`.
    pub(super) fn postfix_names(&mut self, out: &mut Vec<Doc>) {
        while matches!(self.peek(), Some(Token::ColonColon)) {
            self.tok(out);
            if matches!(self.peek(), Some(Token::Ident(_) | Token::End)) {
                self.tok(out);
            }
        }
    }

    /// Whether the definition ahead is only `[with ARG] end` or nothing (then one line).
    pub(super) fn one_line_definition(&self) -> bool {
        let mut depth = 0usize;
        let mut commas = 0;
        let mut seen_with = false;
        let mut after_path = false;
        for a in &self.atoms[self.at..] {
            let Some(t) = a.tok() else {
                if a.text.starts_with('#') && seen_with {
                    return false;
                }
                continue;
            };
            // `aggr::win::end` is a name, not the end of the definition.
            let name = std::mem::replace(&mut after_path, *t == Token::ColonColon);
            if name {
                continue;
            }
            match t {
                t if is_open(t) => depth += 1,
                Token::RParen | Token::RBracket | Token::RBrace => depth = depth.saturating_sub(1),
                Token::Match | Token::For | Token::Patch | Token::Merge | Token::Fn
                    if depth == 0 =>
                {
                    return false
                }
                Token::With if depth == 0 && !seen_with => seen_with = true,
                Token::Comma if depth == 0 => commas += 1,
                Token::Args | Token::State | Token::Script | Token::Pipeline if depth == 0 => {
                    return false
                }
                Token::End | Token::Semi if depth == 0 => return commas == 0,
                _ => {}
            }
        }
        commas == 0
    }

    /// `with` / `args` arguments: one on the same line, several one per line.
    pub(super) fn arguments(&mut self, out: &mut Vec<Doc>) {
        let mut items: Vec<Vec<Doc>> = Vec::new();
        let stop = [
            Token::End,
            Token::Semi,
            Token::State,
            Token::Script,
            Token::Pipeline,
            Token::With,
            Token::Args,
        ];
        loop {
            let mut item = Vec::new();
            self.keep_blank(&mut item);
            self.comments(&mut item);
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
            // Section words end an argument by juxtaposition; as operands they are
            // paths (`args.n`, `state`), so they are not stop tokens here.
            self.expr(&mut item, &[]);
            if self.at == before && !self.next_is(&Token::Comma) {
                self.tok(&mut item);
            }
            let comma = self.next_is(&Token::Comma);
            if comma {
                self.tok(&mut item);
                self.trailing_comment(&mut item);
            }
            items.push(item);
            if !comma {
                break;
            }
        }
        if items.len() == 1 && !items[0].iter().any(|d| matches!(d, Doc::HardLine)) {
            out.push(text(" "));
            out.extend(items.pop().unwrap_or_default());
            return;
        }
        out.push(one_per_line(items));
    }

    /// `select T from S[w] where E group by G into S having E`: clauses on one line if
    /// the statement fits, else one clause per line.
    pub(super) fn select(&mut self, out: &mut Vec<Doc>) {
        let mut docs = Vec::new();
        self.tok(&mut docs);
        docs.push(text(" "));
        let clauses = [
            Token::From,
            Token::Where,
            Token::Group,
            Token::Into,
            Token::Having,
        ];
        self.clause_expr(&mut docs);
        while let Some(t) = self.peek().cloned() {
            if !clauses.contains(&t) {
                break;
            }
            if t == Token::Group && self.peek_nth(1) != Some(&Token::By) {
                break;
            }
            self.trailing_comment(&mut docs);
            docs.push(Doc::Line);
            self.comments(&mut docs);
            self.tok(&mut docs);
            if t == Token::Group {
                docs.push(text(" "));
                self.tok(&mut docs); // by
            }
            docs.push(text(" "));
            match t {
                Token::From | Token::Into => self.stream_ref(&mut docs),
                _ => self.clause_expr(&mut docs),
            }
        }
        out.push(group(docs));
    }

    /// The expression of a select clause (stops at the next clause).
    pub(super) fn clause_expr(&mut self, out: &mut Vec<Doc>) {
        let before = self.at;
        self.expr(
            out,
            &[Token::From, Token::Where, Token::Into, Token::Having],
        );
        if self.at == before && !self.next_is(&Token::Semi) {
            self.tok(out);
        }
    }

    /// `node[/port][windows]`, tight.
    pub(super) fn stream_ref(&mut self, out: &mut Vec<Doc>) {
        self.tok(out);
        if self.next_is(&Token::Slash) {
            self.tok(out);
            self.tok(out);
        }
        if self.next_is(&Token::LBracket) {
            self.bracket(out, Bracket::List);
        }
    }
}
