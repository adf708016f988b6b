//! Cutting a Rust file into the pieces rustfmt formats independently of each other, so that a
//! spec edit that changes one operation formats that operation alone.
//!
//! rustfmt lays out each item by itself: nothing in one item's formatting depends on its
//! neighbours, except that a run of `use` (or `mod`, `extern crate`) items is sorted as a whole,
//! and that blank lines between items are kept (at most one) while those at the start of a file
//! or block are dropped. So a file is cut after each top-level item, runs of sortable items stay
//! together, and an `impl` block is cut once more: its head and closing line, and each member.
//!
//! A cut is made only at a line end after an item's last token (`;`, or a `}` that closes it),
//! found by a small lexer that knows comments, strings and char literals. Anything it is unsure
//! of stays in one piece: a larger piece costs speed, never correctness.

/// A file as a sequence of parts; their texts, concatenated, are the whole file but for blank
/// lines that rustfmt drops anyway (at the end of the file, before an `impl` block's closing
/// brace).
#[derive(Debug, PartialEq)]
pub enum Part<'a> {
    /// One or more top-level items, formatted as a file of their own.
    Items(&'a str),
    /// An `impl` block cut into its first lines (through the opening `{`), its members, and
    /// its closing line.
    Impl {
        head: &'a str,
        members: Vec<&'a str>,
        tail: &'a str,
    },
}

/// Whether `text` starts with a blank line, which rustfmt keeps (as one) between items but not
/// at the start of a file or block.
pub fn starts_blank(text: &str) -> bool {
    text.trim_start_matches([' ', '\t']).starts_with('\n')
}

/// The line doc comments (`/// ...`, `//! ...`) of `text` that stand alone on their line and
/// end without trailing whitespace: byte ranges from the `//` to the line's end. rustfmt
/// re-indents such a line but never changes its text.
pub fn doc_lines(text: &str) -> Vec<std::ops::Range<usize>> {
    lex(text)
        .into_iter()
        .filter(|t| t.kind == Kind::Comment)
        .map(|t| t.start..t.end)
        .filter(|r| {
            let comment = &text[r.clone()];
            let line_start = text[..r.start].rfind('\n').map_or(0, |n| n + 1);
            ((comment.starts_with("///") && !comment.starts_with("////"))
                || comment.starts_with("//!"))
                && !comment.ends_with([' ', '\t', '\r'])
                && text[line_start..r.start].bytes().all(|b| b == b' ')
        })
        .collect()
}

/// `text` cut into parts: one part, the whole text, when nothing can be cut safely; none when
/// it is only whitespace.
pub fn split(text: &str) -> Vec<Part<'_>> {
    let tokens = lex(text);
    let items = cut(text, &tokens, 0..tokens.len(), 0);
    let mut parts: Vec<Part<'_>> = Vec::new();
    let mut sortable_run = false;
    for item in items {
        let range = item.range.clone();
        let piece = &text[item.bytes.clone()];
        let kind = kind(text, &tokens[range.clone()]);
        let sortable = matches!(kind, Some("use" | "mod" | "extern"));
        match parts.last_mut() {
            // A run of sortable items is one piece: rustfmt orders them among themselves.
            Some(Part::Items(last)) if sortable && sortable_run => {
                *last = &text[offset(text, last)..item.bytes.end];
            }
            _ => parts.push(match kind {
                Some("impl") => impl_block(text, &tokens, &item).unwrap_or(Part::Items(piece)),
                _ => Part::Items(piece),
            }),
        }
        sortable_run = sortable;
    }
    parts
}

/// The byte offset of `inner` in `outer` (a slice of it).
fn offset(outer: &str, inner: &str) -> usize {
    inner.as_ptr() as usize - outer.as_ptr() as usize
}

/// An item: its tokens and its bytes (from the end of the previous item's line through the end
/// of its own last line).
struct Item {
    range: std::ops::Range<usize>,
    bytes: std::ops::Range<usize>,
}

/// The items among `tokens[range]` (one level of nesting: a file, or a block's inside), from
/// byte `start`. Text after the last cut holding only whitespace is dropped; anything else
/// there joins the last item.
fn cut(text: &str, tokens: &[Token], range: std::ops::Range<usize>, start: usize) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let (mut level, mut first, mut from) = (0usize, range.start, start);
    let end = tokens.get(range.end).map_or(text.len(), |t| t.start);
    for i in range.clone() {
        let token = &tokens[i];
        let closes_item = match token.kind {
            Kind::Open => {
                level += 1;
                false
            }
            Kind::Close => {
                // More closing brackets than opening ones: not Rust, so no more cuts.
                let Some(up) = level.checked_sub(1) else {
                    break;
                };
                level = up;
                level == 0
                    && &text[token.start..token.end] == "}"
                    && !continues(text, &tokens[i + 1..range.end])
            }
            Kind::Semi => level == 0,
            _ => false,
        };
        if !closes_item {
            continue;
        }
        let Some(line_end) = line_end(text, tokens, i) else {
            continue;
        };
        if line_end > end {
            continue;
        }
        items.push(Item {
            range: first..next_token(tokens, i, line_end),
            bytes: from..line_end,
        });
        first = next_token(tokens, i, line_end);
        from = line_end;
    }
    let rest = &text[from..end];
    if rest.trim().is_empty() {
        return items;
    }
    match items.last_mut() {
        Some(last) => {
            last.range.end = range.end;
            last.bytes.end = end;
        }
        None => items.push(Item {
            range: first..range.end,
            bytes: from..end,
        }),
    }
    items
}

/// Whether the token after a closing `}` carries on the same expression (`};`, `}.method()`,
/// `} else`), so the brace did not end an item. An item starts with a word, `#` or a
/// comment; anything else after the brace is taken to continue it.
fn continues(text: &str, after: &[Token]) -> bool {
    let Some(next) = after.iter().find(|t| t.kind != Kind::Comment) else {
        return false;
    };
    match next.kind {
        Kind::Word => matches!(&text[next.start..next.end], "else" | "as"),
        Kind::Other => !text[next.start..].starts_with('#'),
        _ => true,
    }
}

/// The byte just after the newline that ends token `i`'s line, when nothing but comments
/// follows it there (a block comment that runs on moves the end to its own line's end).
fn line_end(text: &str, tokens: &[Token], i: usize) -> Option<usize> {
    let mut at = tokens[i].end;
    let mut next = i + 1;
    loop {
        let newline = at + text[at..].find('\n')?;
        match tokens.get(next) {
            Some(t) if t.start < newline && t.kind == Kind::Comment => {
                at = t.end.max(at);
                next += 1;
                if t.end > newline {
                    continue;
                }
            }
            Some(t) if t.start < newline => return None,
            _ => return Some(newline + 1),
        }
    }
}

/// The index of the first token at or after byte `at`, searching from token `i`.
fn next_token(tokens: &[Token], i: usize, at: usize) -> usize {
    (i + 1..tokens.len())
        .find(|&j| tokens[j].start >= at)
        .unwrap_or(tokens.len())
}

/// The keyword that says what an item is (`use`, `impl`, `fn` ...), past attributes, its
/// visibility and qualifiers.
fn kind<'a>(text: &'a str, tokens: &[Token]) -> Option<&'a str> {
    let mut level = 0usize;
    for token in tokens {
        match token.kind {
            Kind::Open => level += 1,
            Kind::Close => level = level.saturating_sub(1),
            Kind::Word if level == 0 => {
                let word = &text[token.start..token.end];
                if !matches!(word, "pub" | "unsafe" | "default") {
                    return Some(word);
                }
            }
            _ => {}
        }
    }
    None
}

/// An `impl` item cut into head, members and tail; `None` when its braces do not sit on lines
/// of their own, or it has no members.
fn impl_block<'a>(text: &'a str, tokens: &[Token], item: &Item) -> Option<Part<'a>> {
    let range = item.range.clone();
    let open = range
        .clone()
        .find(|&i| tokens[i].kind == Kind::Open && &text[tokens[i].start..tokens[i].end] == "{")?;
    let close = (range.start..range.end)
        .rev()
        .find(|&i| tokens[i].kind == Kind::Close)?;
    let head_end = line_end(text, tokens, open)?;
    let close_line = text[..tokens[close].start].rfind('\n').map_or(0, |n| n + 1);
    if !text[close_line..tokens[close].start].trim().is_empty() || close_line < head_end {
        return None;
    }
    let body = next_token(tokens, open, head_end)..close;
    if tokens[body.clone()]
        .iter()
        .any(|t| t.start < head_end || t.end > close_line)
    {
        return None;
    }
    let members = cut(text, tokens, body, head_end);
    if members.is_empty() || members.last()?.bytes.end > close_line {
        return None;
    }
    // Blank lines before the closing brace are dropped by rustfmt; they belong to no piece.
    Some(Part::Impl {
        head: &text[item.bytes.start..head_end],
        members: members.iter().map(|m| &text[m.bytes.clone()]).collect(),
        tail: &text[close_line..item.bytes.end],
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Open,
    Close,
    Semi,
    Word,
    Comment,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// Rust's tokens as far as cutting needs them: brackets, `;`, words, comments; string, char
/// and number literals and other punctuation as `Other`. Unterminated literals or comments run
/// to the end of the text (rustfmt will say what is wrong).
fn lex(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let kind = match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                Kind::Comment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = block_comment_end(bytes, i);
                Kind::Comment
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                Kind::Open
            }
            b')' | b']' | b'}' => {
                i += 1;
                Kind::Close
            }
            b';' => {
                i += 1;
                Kind::Semi
            }
            b'"' => {
                i = quoted_end(bytes, i + 1, b'"');
                Kind::Other
            }
            b'\'' => {
                i = char_or_lifetime_end(text, i);
                Kind::Other
            }
            b'0'..=b'9' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                Kind::Other
            }
            _ if b == b'_' || b.is_ascii_alphabetic() || b >= 0x80 => {
                i = word_end(text, i);
                if i == start {
                    // Not a word character (a stray symbol): one character of punctuation.
                    i += text[start..].chars().next().map_or(1, char::len_utf8);
                    tokens.push(Token {
                        kind: Kind::Other,
                        start,
                        end: i,
                    });
                    continue;
                }
                match literal_after_prefix(bytes, start, i) {
                    Some(end) => {
                        i = end;
                        Kind::Other
                    }
                    None => Kind::Word,
                }
            }
            _ => {
                i += 1;
                Kind::Other
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

fn word_end(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(text.len(), |(n, _)| start + n)
}

/// After a word that prefixes a literal (`r"..."`, `r#"..."#`, `b"..."`, `br"..."`, `b'x'`,
/// `c"..."`, and the raw identifier `r#name`), the literal's end.
fn literal_after_prefix(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    let prefix = &bytes[start..end];
    let next = *bytes.get(end)?;
    match (prefix, next) {
        (b"b" | b"c", b'"') => Some(quoted_end(bytes, end + 1, b'"')),
        (b"b", b'\'') => Some(quoted_end(bytes, end + 1, b'\'')),
        (b"r" | b"br" | b"cr", b'"' | b'#') => {
            let hashes = bytes[end..].iter().take_while(|&&b| b == b'#').count();
            if bytes.get(end + hashes) != Some(&b'"') {
                // `r#name`: a raw identifier, one word.
                return (prefix == b"r").then(|| {
                    let mut i = end + 1;
                    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_')
                    {
                        i += 1;
                    }
                    i
                });
            }
            let body = end + hashes + 1;
            let closing: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            Some(
                bytes[body..]
                    .windows(closing.len())
                    .position(|w| w == closing.as_slice())
                    .map_or(bytes.len(), |n| body + n + closing.len()),
            )
        }
        _ => None,
    }
}

/// The end of a quoted literal whose body starts at `from`, honouring backslash escapes.
fn quoted_end(bytes: &[u8], from: usize, quote: u8) -> usize {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `'x'`, `'\n'` and `'\u{1F600}'` are char literals; `'a` and `'static` are lifetimes.
fn char_or_lifetime_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(start + 1) == Some(&b'\\') {
        return quoted_end(bytes, start + 1, b'\'');
    }
    let mut chars = text[start + 1..].char_indices();
    match (chars.next(), chars.next()) {
        (Some(_), Some((n, '\''))) => start + 1 + n + 1,
        (Some((_, c)), _) if c.is_alphanumeric() || c == '_' => word_end(text, start + 1),
        _ => start + 1,
    }
}

/// The end of a block comment starting at `start`; they nest.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let (mut depth, mut i) = (0usize, start);
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(parts: &[Part<'_>]) -> String {
        parts
            .iter()
            .map(|p| match p {
                Part::Items(t) => t.to_string(),
                Part::Impl {
                    head,
                    members,
                    tail,
                } => format!("{head}{}{tail}", members.concat()),
            })
            .collect()
    }

    #[test]
    fn items_are_cut_at_their_ends_and_the_pieces_make_the_file() {
        let text = "// header\n\nuse a::b;\nuse c;\n/// Doc\n#[derive(Debug)]\npub struct S {\n    x: u8,\n}\n\nconst C: S = S {\n    x: 1,\n};\nfn f() -> u8 {\n    1\n} // trailing\nstatic T: &str = \"}\\\";\";\n";
        let parts = split(text);
        assert_eq!(texts(&parts), text);
        assert_eq!(
            parts,
            vec![
                Part::Items("// header\n\nuse a::b;\nuse c;\n"),
                Part::Items("/// Doc\n#[derive(Debug)]\npub struct S {\n    x: u8,\n}\n"),
                Part::Items("\nconst C: S = S {\n    x: 1,\n};\n"),
                Part::Items("fn f() -> u8 {\n    1\n} // trailing\n"),
                Part::Items("static T: &str = \"}\\\";\";\n"),
            ]
        );
        assert!(starts_blank(parts_text(&parts[2])));
    }

    fn parts_text<'a>(part: &Part<'a>) -> &'a str {
        match part {
            Part::Items(t) => t,
            Part::Impl { head, .. } => head,
        }
    }

    #[test]
    fn impl_blocks_are_cut_into_members() {
        let text = "impl<'a> S<'a> {\n    /// One\n    pub fn one(&self) -> char {\n        '}'\n    }\n\n    const TWO: &'a str = r#\"}\"#;\n    fn three() {\n        /* } */\n    }\n}\n";
        let parts = split(text);
        assert_eq!(texts(&parts), text);
        assert_eq!(
            parts,
            vec![Part::Impl {
                head: "impl<'a> S<'a> {\n",
                members: vec![
                    "    /// One\n    pub fn one(&self) -> char {\n        '}'\n    }\n",
                    "\n    const TWO: &'a str = r#\"}\"#;\n",
                    "    fn three() {\n        /* } */\n    }\n",
                ],
                tail: "}\n",
            }]
        );
    }

    #[test]
    fn doc_lines_are_line_doc_comments_alone_on_their_line() {
        let text = "/// One\n//! Two\n//// Not docs\n// Nor this\nfn f() {} /// trailing\n    /// Three\n/// spaced \n/* /// inside */\nconst S: &str = \"/// in a string\";\n";
        let found: Vec<&str> = doc_lines(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, vec!["/// One", "//! Two", "/// Three"]);
    }

    #[test]
    fn any_text_is_cut_into_pieces_that_make_it_whole() {
        let sample = "//! Docs\nuse a::{b, c};\n/// S\npub struct S<'a> {\n    x: &'a str,\n}\nimpl<'a> S<'a> {\n    fn f(&self) -> char {\n        let s = r#\"}\"#;\n        '}'\n    }\n    /* c */\n    const C: u8 = b'x';\n}\nfn g() {}\n";
        let inserts = [
            "{", "}", "\"", "'", "/", "*", "é", "→", "#", ";", "\n", "r#\"", "\\",
        ];
        let chars: Vec<(usize, char)> = sample.char_indices().collect();
        for &(at, _) in &chars {
            for insert in inserts {
                let text = format!("{}{insert}{}", &sample[..at], &sample[at..]);
                check_whole(&text);
            }
            let deleted = format!(
                "{}{}",
                &sample[..at],
                &sample[at..].chars().skip(1).collect::<String>()
            );
            check_whole(&deleted);
        }
    }

    /// The pieces of `text`, put back together, are `text` but for blank lines that rustfmt
    /// drops (at its end, before an `impl` block's closing brace).
    fn check_whole(text: &str) {
        let parts = split(text);
        let joined = texts(&parts);
        let content = |t: &str| -> Vec<String> {
            t.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect()
        };
        assert_eq!(content(&joined), content(text), "{text:?} -> {parts:?}");
        for range in doc_lines(text) {
            assert!(text[range].starts_with("//"));
        }
    }

    #[test]
    fn unsure_places_are_not_cut() {
        // Two items on one line, an expression going on after `}`, a comment running across
        // the line end, an impl whose brace shares a line with a member.
        for text in [
            "struct A; struct B;\n",
            "const C: u8 = {\n    1\n}\n+ 2;\n",
            "fn f() {} /* a\nb */ fn g() {}\n",
            "impl S { fn f() {}\n}\n",
            "impl S {}\n",
        ] {
            let parts = split(text);
            assert_eq!(parts, vec![Part::Items(text)], "{text:?}");
        }
    }

    #[test]
    fn sortable_runs_stay_together_and_end_at_other_items() {
        let text = "mod b;\nmod a;\npub use x::y;\nfn f() {}\nuse z;\n";
        let parts = split(text);
        assert_eq!(
            parts,
            vec![
                Part::Items("mod b;\nmod a;\npub use x::y;\n"),
                Part::Items("fn f() {}\n"),
                Part::Items("use z;\n"),
            ]
        );
    }

    #[test]
    fn trailing_comments_join_the_last_item_and_blank_lines_are_dropped() {
        assert_eq!(
            split("fn f() {}\n// end\n"),
            vec![Part::Items("fn f() {}\n// end\n")]
        );
        assert_eq!(split("fn f() {}\n\n\n"), vec![Part::Items("fn f() {}\n")]);
    }
}
